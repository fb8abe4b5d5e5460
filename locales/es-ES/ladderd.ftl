# ladderd, español (España). Las razas (Terran/Zerg/Protoss) se muestran como las configura el servidor.

## Rechazos
error-no-tos = primero acepta las condiciones del servicio
error-not-set-up = primero completa tu perfil (nombre en el juego, BattleTag, país, región)
error-banned = estás vetado en esta ladder: { $reason }
error-invalid-setup = tu perfil tiene problemas: { $problems }
error-unknown-race = «{ $race }» no es una raza de esta ladder; elige entre { $choices }
error-same-group = elige como máximo una raza por grupo; { $first } y { $second } están en el mismo grupo
error-no-race = elige una raza para la cola
error-unknown-map = «{ $map }» no está en el mapa pool de esta temporada
error-too-many-vetoes = como máximo { $count ->
        [one] { $count } veto
       *[other] { $count } vetos
    }
error-already-queueing = ya estás en la cola
error-not-queueing = no estás en la cola
error-in-match = estás en una partida; termínala primero
error-cooldown = dejaste una partida sin confirmar; podrás volver a la cola en { $seconds } s
error-unknown-player = no hay ningún jugador { $player } en esta ladder
error-unknown-match = no existe la partida #{ $match }
error-not-your-match = no juegas en la partida #{ $match }
error-wrong-state = la partida #{ $match } está { $state }; eso no es posible ahora
error-confirm-window-closed = el plazo para confirmar la partida #{ $match } ha terminado
error-not-confirmed = ambos jugadores deben confirmar la partida #{ $match } antes de informar del resultado
error-no-aborts-left = no te quedan cancelaciones este mes; se renuevan el día 1 (UTC)
error-resolved-by-admin = un administrador resolvió la partida #{ $match }; si es un error, pregunta a un administrador
error-already-completed = la partida #{ $match } ya ha terminado
error-replay-players-mismatch = los jugadores de la repetición no son los de la partida #{ $match }
error-not-admin = esto requiere un administrador de la ladder
error-not-owner = solo un propietario puede dar o quitar permisos de administrador
error-no-reason = las acciones de administración necesitan un motivo
error-uploads-unavailable = ahora mismo no se pueden subir repeticiones
error-no-match-for-replay = no encuentro ninguna partida tuya a la que asociar esta repetición; un administrador puede asociarla
error-confirmation-expired = esta confirmación ha caducado; vuelve a ejecutar el comando
error-not-asker = solo el administrador que lo pidió puede confirmarlo
error-stale-button = este botón está desactualizado; vuelve a ejecutar el comando
error-stale-form = este formulario está desactualizado; vuelve a ejecutar /setup

## Estados, informes y resultados
state-found = emparejada
state-in-progress = en curso
state-completed = terminada
state-conflict = en disputa
state-aborted = cancelada
state-abandoned = abandonada
state-invalidated = anulada
report-win = victoria
report-loss = derrota
report-draw = empate
report-none = sin informe
result-player1 = ganó el jugador 1
result-player2 = ganó el jugador 2
result-draw = empate

## Tarjetas de partida
card-found-title = Partida encontrada
card-started-title = Partida confirmada — gl hf
card-title = **{ $title } — partida #{ $match }**
card-side = • { $name } ({ $battletag }) { $country } — { $race } { $rating }{ $provisional ->
        [yes] {" "}(provisional)
       *[no] {""}
    }
card-map = Mapa: **{ $map }**{ $all_vetoed ->
        [yes] {" "}(se vetaron todos los mapas; se eligió el menos vetado)
       *[no] {""}
    }
card-server = Servidor: { $server } — previsión { $first } % / { $second } %
card-confirm-by = Confirma dentro del plazo (hasta <t:{ $when }:R>) o la partida se abandona.
card-report-prompt = Después de jugar, sube aquí la repetición o informa del resultado:
confirm-reminder = ⏰ Partida #{ $match }: quedan { $seconds } s para confirmar.
button-confirm = Confirmar
button-abort = Cancelar
button-won = He ganado
button-lost = He perdido
button-draw = Empate
match-ended = 🏁 Partida #{ $match }: { $result }.
match-ended-rating = Cambio de puntuación: { $a } / { $b }.
conflict = ⚠️ Partida #{ $match }: los informes no coinciden ({ $first } / { $second }). Decidirá un administrador; hasta entonces las puntuaciones no cambian.
conflict-replay = La repetición verificada dice: { $result }.
flagged = 🚩 La partida #{ $match } lleva demasiado tiempo sin resolverse (no hay resultado acordado o falta una repetición verificada obligatoria).
replay-file = 📎 La repetición verificada de la partida #{ $match } (sha256 { $sha }).

## Cola y lobby
queue-view = **Cola** — { $queueing } en cola, próxima ronda en { $seconds } s, { $in_progress ->
        [one] { $in_progress } partida en curso
       *[other] { $in_progress } partidas en curso
    }, { $active } activos en los últimos 15 min.
queue-by-region = Por región: { $regions }
lobby-title = 📡 **Estado de la ladder** — { $searching } buscando
lobby-by-region = por región: { $regions }
lobby-next = Próxima ronda en { $seconds } s · partidas en curso: { $in_progress } · última ronda: { $found ->
        [one] { $found } partida encontrada
       *[other] { $found } partidas encontradas
    }
button-join = Unirse
button-leave = Salir
select-races = Jugar con la(s) raza(s)…
select-vetoes = Vetar mapas…

## Perfil, clasificación, historial
profile-not-set-up = (sin configurar)
profile-no-country = (sin país)
profile-head = **{ $name }** { $battletag } { $country } — { $season }{ $ended ->
        [yes] {" "}(terminada)
       *[no] {""}
    }: { $wins }-{ $losses }-{ $draws } (V-D-E), partidas en 14/30/90 días: { $games14 }/{ $games30 }/{ $games90 }, cancelaciones restantes: { $aborts }{ $banned ->
        [yes] {" "}— **vetado**
       *[no] {""}
    }
profile-rank = , rango { $rank }
profile-race = • { $race }: { $rating } ({ $low }–{ $high }){ $provisional ->
        [yes] {" "}provisional
       *[no] {""}
    }{ $rank } — { $wins }-{ $losses }-{ $draws }
profile-head-to-head = **Cara a cara contra { $opponent }**: { $wins }-{ $losses }-{ $draws } (V-D-E)
profile-head-to-head-latest = ; últimas: { $recent }
setup-hint = Usa /setup para editar tu perfil.
leaderboard-head = **Clasificación — { $season }{ $ended ->
        [yes] {" "}(terminada)
       *[no] {""}
    }** — página { $page }/{ $pages } ({ $total ->
        [one] { $total } entrada
       *[other] { $total } entradas
    }){ $filters }
filter-race = raza { $values }
filter-country = país { $values }
filter-region = región { $values }
filter-rank = rango { $values }
filter-best = solo la mejor raza
button-previous = ◀ Anterior
button-next = Siguiente ▶
history-head = **Historial** — página { $page }/{ $pages }
history-row = #{ $match } { $race } ({ $outcome }) contra { $opponent } ({ $opponent_race }) en { $map }: { $state }{ $change }

## Respuestas del bot
terms = **Reglas de la ladder**
    • Juega tus partidas en el mapa y el servidor asignados, a velocidad «Más rápida».
    • Informa con honestidad; sube la repetición cuando puedas: decide el resultado por sí sola.
    • Confirma dentro del plazo o la partida se abandona.
    • Los administradores deciden las disputas; su decisión es definitiva.
    Pulsa **Aceptar** para participar.
button-accept = Aceptar
help = **Cómo funciona la ladder**
    1. `/termsofservice` y acepta.
    2. `/setup` con tu nombre en el juego, BattleTag, país y región.
    3. `/queue` (opcionalmente con una raza) y espera a la próxima ronda.
    4. Confirma la partida, juégala, sube la repetición o informa del resultado.
    `/profile`, `/leaderboard` y `/history` muestran la clasificación.
restarting = ⏳ ladderd se está reiniciando; no se ha hecho nada: inténtalo de nuevo en un minuto.
done = Hecho.
cancelled = Cancelado; no se ha hecho nada.
inbox = 📬 Esto es lo que no pudo llegar a tus mensajes directos:
setup-title = Configuración de la ladder
setup-name = Nombre en el juego
setup-name-hint = de 3 a 12 letras
setup-battletag = BattleTag
setup-battletag-hint = Nombre#1234
setup-alt-names = Otros nombres en el juego
setup-alt-names-hint = hasta tres, separados por comas
setup-country = País
setup-country-hint = código ISO, p. ej. ES (XX: ninguno)
setup-region = Región
setup-region-hint = p. ej. EU, NA, KR

## Confirmaciones
ack-terms-accepted = condiciones aceptadas; ahora configura tu perfil (nombre en el juego, BattleTag, país, región)
ack-terms-already-accepted = ya has aceptado las condiciones
ack-profile-saved = perfil guardado
ack-country-none = país guardado: no representas a ningún país
ack-country-saved = país guardado: { $country }
ack-queued = estás en la cola como { $races }; próxima ronda en { $seconds } s
ack-left-queue = has salido de la cola
ack-confirmed = confirmado; esperando a tu rival
ack-already-confirmed = ya habías confirmado; esperando a tu rival
ack-both-confirmed = ambos jugadores ya han confirmado la partida
ack-report-saved = informe guardado
ack-report-saved-waiting = informe guardado; esperando el informe de tu rival (o una repetición)
ack-report-saved-upload = informe guardado; en esta ladder el resultado lo decide una repetición verificada: sube la repetición de la partida #{ $match }
ack-replay-settled = gracias; la repetición ya ha resuelto esta partida

## Subida de repeticiones
upload-too-big-announced = este archivo ocupa { $size } bytes; se rechazan las repeticiones de más de { $limit } bytes
upload-too-many = has enviado { $count ->
        [one] { $count } repetición
       *[other] { $count } repeticiones
    } en el último minuto; vuelve a intentarlo en { $seconds } s
upload-bad-url = la URL del archivo adjunto no es válida
upload-timeout = la descarga de la repetición ha tardado demasiado
upload-failed = no se pudo descargar la repetición: { $detail }
upload-too-big = la repetición ocupa más de { $limit } bytes
upload-unreadable = no se pudo leer esta repetición: { $detail }

# Presence (#15): "still searching?", queue expiry, "someone is searching" pings.
still-searching = 🔎 Llevas { $minutes } min buscando. ¿Sigues buscando? Responde { $deadline } o saldrás de la cola.
button-keep-searching = Seguir buscando
queue-expired = Has salido de la cola: no hubo respuesta a «¿sigues buscando?». Vuelve a unirte cuando estés listo.
someone-searching = 🔔 Alguien ha empezado a buscar ({ $races }, puntuación { $rating }); { $searching } buscando ahora.

## Avisos: lo que la ladder dice a un jugador o al lobby
result-won = { $winner } ganó a { $loser }
ended-agreed = ambos jugadores coincidieron
ended-replay = decidida por la repetición verificada
ended-admin = resuelta por un administrador
ended-aborted-by = cancelada por { $name } ({ $left ->
        [one] le queda { $left } cancelación
       *[other] le quedan { $left } cancelaciones
    } este mes; podrá volver a la cola en { $wait })
ended-admin-reset = un administrador reinició a un jugador de esta partida: { $reason }
duration = { $hours ->
        [0] { $minutes } min
       *[other] { $minutes ->
            [0] { $hours } h
           *[other] { $hours } h { $minutes } min
        }
    }
note-lapsed = no confirmaste la partida #{ $match } a tiempo; se registró como abandonada y cuenta como una cancelación (te quedan { $left } este mes); puedes volver a la cola en { $wait }
note-lapsed-forgiven = no confirmaste la partida #{ $match } a tiempo; se registró como abandonada, pero su tarjeta te llegó tarde o no llegó, así que no te cuesta nada
note-opponent-lapsed = tu rival no confirmó la partida #{ $match }; vuelves a estar en la cola
note-restart-emptied-queue = ladderd se reinició y la cola se vació; vuelve a unirte cuando estés listo
note-staying-in-queue = sigues en la cola
note-removed-from-queue = un administrador te sacó de la cola: { $reason }
note-queue-cleared = un administrador vació la cola: { $reason }
note-banned = tienes prohibida la participación en la ladder: { $reason }
note-unbanned = se levantó tu prohibición en la ladder
note-no-maps = ninguno
note-map-pool-changed = el conjunto de mapas cambió — añadidos: { $added }; retirados: { $removed }. Las partidas ya creadas mantienen su mapa.
note-season-started = { $ended } terminó; { $started } empieza con { $maps } { $maps ->
        [one] mapa
       *[other] mapas
    }
note-notifications-off = los avisos están desactivados; `/avisos activar:true` te avisa cuando alguien empieza a buscar
note-notifications-on = los avisos están activados: un aviso cuando alguien empieza a buscar, como mucho uno cada { $minutes } min
note-notifications-quiet = , ninguno de { $from } a { $to } ({ $zone })
note-notifications-near = , solo por rivales a { $points } puntos de tu puntuación o menos
note-replay-unattached = repetición guardada; no está asociada a ninguna partida
note-replay-rejected = repetición no aceptada: { $detail }
note-replay-after-admin = repetición guardada; un administrador ya resolvió esta partida
note-replay-agrees = repetición guardada; coincide con el resultado
note-replay-kept = repetición verificada y guardada; en esta ladder, los informes de ambos jugadores deciden la partida #{ $match }
note-replay-stored = repetición guardada; la partida #{ $match } está { $state }

## Datos rechazados (el código antepone ❌)
invalid-replay-reused = esta repetición ya se usó para una partida; sube la repetición de esta partida
invalid-unknown-season = no existe la temporada { $season }; las temporadas son { $known }
invalid-same-player = un cara a cara necesita dos jugadores distintos
invalid-unknown-region = «{ $region }» no es una región de esta ladder; elige entre { $choices }
invalid-expired-buttons = estos botones de la clasificación han caducado; vuelve a ejecutar /clasificación
invalid-notifications-off = los avisos están desactivados en esta ladder
invalid-ping-gap = el intervalo entre avisos debe ser de { $min } a { $max } minutos
invalid-quiet-hours = las horas de silencio se escriben 22-07 o 22:30-07:00 (u off), no «{ $given }»
invalid-quiet-hours-empty = las horas de silencio empiezan y terminan a la misma hora: «{ $given }»
invalid-time-zone = «{ $given }» no es una zona horaria; usa un nombre como Europe/Madrid o Asia/Seoul
invalid-near-rating = la cercanía es como mucho de { $max } puntos (0: cualquiera)
invalid-no-replay = la partida #{ $match } no tiene repetición verificada
invalid-rating = { $value } no es una puntuación válida
invalid-not-in-queue = el jugador { $player } no está en la cola
invalid-no-season-name = da un nombre a la próxima temporada
setup-field-problem = { $field }: { $problem }
problem-name-length = «{ $name }» tiene { $chars } caracteres; un nombre de juego tiene de 3 a 12
problem-name-letters = «{ $name }» contiene «{ $found }»; un nombre de juego solo lleva letras
problem-tag-no-hash = «{ $tag }» no tiene «#»; un BattleTag es como Nombre#1234
problem-tag-name-length = la parte del nombre «{ $name }» tiene { $chars } caracteres; debe tener de 1 a 12
problem-tag-name-chars = la parte del nombre «{ $name }» debe llevar letras o dígitos y no empezar por un dígito
problem-tag-digits = la parte numérica «{ $digits }» debe tener de 3 a 12 dígitos
problem-too-many-alt-names = has dado { $given }; como mucho { $max } nombres alternativos
problem-alt-name-twice = «{ $name }» aparece dos veces (o es tu nombre de juego); los nombres deben ser distintos
problem-country = «{ $given }» no es un código de país ISO 3166 (dos letras, p. ej. ES, KR, US; XX para ninguno)
problem-region = «{ $given }» no es una región de esta ladder; elige una de { $choices }
