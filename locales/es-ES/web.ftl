# El sitio web, español de España. Los estados de partida vienen de
# ladderd.ftl (`state-*`).

## Todas las páginas
web-site-title = Ladder
web-nav-leaderboard = Clasificación
web-nav-seasons = Temporadas
web-nav-activity = Actividad
web-language = Idioma
web-api-note = Los mismos datos en JSON:
web-no-js = Solo lectura; sin JavaScript ni cookies.
web-not-found = No encontrado
web-bad-request = Petición incorrecta

## Clasificación
web-leaderboard = Clasificación
web-ended = terminada
web-filters = Filtros
web-apply = Aplicar
web-best-race-only = solo la mejor raza
web-page-of = Página { $page } de { $pages } ({ $total ->
    [one] { $total } entrada
   *[other] { $total } entradas
})
web-previous = ◀ Anterior
web-next = Siguiente ▶
web-provisional = provisional

## Encabezados
web-col-pos = #
web-col-player = Jugador
web-col-country = País
web-col-region = Región
web-col-race = Raza
web-col-rating = Puntuación
web-col-rank = Rango
web-col-record = V-D-E
web-col-season = Temporada
web-col-started = Inicio
web-col-ended = Fin
web-col-rated = Jugador-raza puntuados
web-col-match = Partida
web-col-date = Fecha
web-col-opponent = Rival
web-col-map = Mapa
web-col-result = Resultado
web-col-change = Cambio de puntuación

## Página del jugador
web-ratings = Puntuaciones
web-no-ratings = Sin partidas puntuadas esta temporada.
web-rating-history = Historial de puntuación
web-head-to-head = Cara a cara
web-recent-matches = Partidas recientes
web-no-matches = Aún no hay partidas.
web-win = victoria
web-loss = derrota
web-draw = empate

## Página de la partida
web-match-title = Partida #{ $match }
web-state = Estado
web-replay = Repetición
web-replay-verified = repetición verificada
web-build = versión { $build }
web-download-replay = Descargar la repetición
web-no-replay = Sin repetición verificada.

## Temporadas y actividad
web-current = actual
web-activity = Actividad
web-activity-note = Partidas encontradas por hora de la semana (UTC) y partidas jugadas por día.

## Gráficos
web-chart-rating = Puntuación por raza
web-chart-hours = Partidas encontradas por hora de la semana (UTC)
web-chart-days = Partidas por día
web-mon = lun
web-tue = mar
web-wed = mié
web-thu = jue
web-fri = vie
web-sat = sáb
web-sun = dom
