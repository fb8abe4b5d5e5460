# ladderd, Deutsch. Völker (Terraner/Zerg/Protoss) erscheinen so, wie sie konfiguriert sind.

## Ablehnungen
error-no-tos = bitte akzeptiere zuerst die Nutzungsbedingungen
error-not-set-up = richte zuerst dein Profil ein (Ingame-Name, BattleTag, Land, Region)
error-banned = du bist auf dieser Ladder gesperrt: { $reason }
error-invalid-setup = dein Profil hat Fehler: { $problems }
error-unknown-race = „{ $race }“ ist kein Volk dieser Ladder; wähle aus { $choices }
error-same-group = wähle höchstens ein Volk pro Gruppe; { $first } und { $second } sind in derselben Gruppe
error-no-race = wähle ein Volk für die Warteschlange
error-unknown-map = „{ $map }“ ist nicht im Map-Pool dieser Saison
error-too-many-vetoes = höchstens { $count ->
        [one] { $count } Veto
       *[other] { $count } Vetos
    }
error-already-queueing = du bist bereits in der Warteschlange
error-not-queueing = du bist nicht in der Warteschlange
error-in-match = du bist in einem Match; beende es zuerst
error-cooldown = du hast ein Match nicht bestätigt; du kannst dich in { $seconds } s wieder anstellen
error-unknown-player = kein Spieler { $player } auf dieser Ladder
error-unknown-match = kein Match #{ $match }
error-not-your-match = du spielst nicht in Match #{ $match }
error-wrong-state = Match #{ $match } ist { $state }; das geht jetzt nicht
error-confirm-window-closed = die Bestätigungsfrist für Match #{ $match } ist abgelaufen
error-not-confirmed = beide Spieler müssen Match #{ $match } bestätigen, bevor ein Ergebnis gemeldet wird
error-no-aborts-left = keine Abbrüche mehr in diesem Monat; sie werden am 1. (UTC) zurückgesetzt
error-resolved-by-admin = Match #{ $match } wurde von einem Admin entschieden; frag einen Admin, falls es falsch ist
error-already-completed = Match #{ $match } ist bereits abgeschlossen
error-replay-players-mismatch = die Spieler im Replay sind nicht die Spieler von Match #{ $match }
error-not-admin = dafür braucht es einen Ladder-Admin
error-not-owner = nur ein Eigentümer kann Admin-Rechte vergeben oder entziehen
error-no-reason = Admin-Aktionen brauchen einen Grund
error-uploads-unavailable = Replay-Uploads sind gerade nicht möglich
error-no-match-for-replay = ich kenne kein Match von dir für dieses Replay; ein Admin kann es zuordnen
error-confirmation-expired = diese Bestätigung ist abgelaufen; führe den Befehl erneut aus
error-not-asker = nur der Admin, der es angefordert hat, kann das bestätigen
error-stale-button = dieser Knopf ist veraltet; führe den Befehl erneut aus
error-stale-form = dieses Formular ist veraltet; führe /setup erneut aus

## Zustände, Meldungen, Ergebnisse
state-found = gefunden
state-in-progress = läuft
state-completed = abgeschlossen
state-conflict = strittig
state-aborted = abgebrochen
state-abandoned = verfallen
state-invalidated = annulliert
report-win = Sieg
report-loss = Niederlage
report-draw = Unentschieden
report-none = keine Meldung
result-player1 = Spieler 1 hat gewonnen
result-player2 = Spieler 2 hat gewonnen
result-draw = Unentschieden

## Match-Karten
card-found-title = Match gefunden
card-started-title = Match bestätigt — gl hf
card-title = **{ $title } — Match #{ $match }**
card-side = • { $name } ({ $battletag }) { $country } — { $race } { $rating }{ $provisional ->
        [yes] {" "}(vorläufig)
       *[no] {""}
    }
card-map = Map: **{ $map }**{ $all_vetoed ->
        [yes] {" "}(alle Maps wurden abgelehnt; die am wenigsten abgelehnte wurde gewählt)
       *[no] {""}
    }
card-server = Server: { $server } — Prognose { $first } % / { $second } %
card-confirm-by = Bestätige rechtzeitig (bis <t:{ $when }:R>), sonst verfällt das Match.
card-report-prompt = Lade nach dem Spiel hier das Replay hoch oder melde das Ergebnis:
confirm-reminder = ⏰ Match #{ $match }: noch { $seconds } s zum Bestätigen.
button-confirm = Bestätigen
button-abort = Abbrechen
button-won = Gewonnen
button-lost = Verloren
button-draw = Unentschieden
match-ended = 🏁 Match #{ $match }: { $result }.
match-ended-rating = Wertungsänderung: { $a } / { $b }.
conflict = ⚠️ Match #{ $match }: die Meldungen widersprechen sich ({ $first } / { $second }). Ein Admin entscheidet; bis dahin ändern sich keine Wertungen.
conflict-replay = Das geprüfte Replay sagt: { $result }.
flagged = 🚩 Match #{ $match } ist zu lange offen (kein übereinstimmendes Ergebnis oder kein geprüftes Replay, wo eines nötig ist).
replay-file = 📎 Das geprüfte Replay von Match #{ $match } (sha256 { $sha }).

## Warteschlange und Lobby
queue-view = **Warteschlange** — { $queueing } wartend, nächste Runde in { $seconds } s, { $in_progress ->
        [one] { $in_progress } laufendes Match
       *[other] { $in_progress } laufende Matches
    }, { $active } aktiv in den letzten 15 Min.
queue-by-region = Nach Region: { $regions }
lobby-title = 📡 **Ladder-Status** — { $searching } suchen
lobby-by-region = nach Region: { $regions }
lobby-next = Nächste Runde in { $seconds } s · laufende Matches: { $in_progress } · letzte Runde: { $found ->
        [one] { $found } Match gefunden
       *[other] { $found } Matches gefunden
    }
button-join = Anstellen
button-leave = Verlassen
select-races = Mit Volk/Völkern anstellen…
select-vetoes = Maps ablehnen…

## Profil, Rangliste, Verlauf
profile-not-set-up = (nicht eingerichtet)
profile-no-country = (kein Land)
profile-head = **{ $name }** { $battletag } { $country } — { $season }{ $ended ->
        [yes] {" "}(beendet)
       *[no] {""}
    }: { $wins }-{ $losses }-{ $draws } (S-N-U), Spiele in 14/30/90 Tagen: { $games14 }/{ $games30 }/{ $games90 }, verbleibende Abbrüche: { $aborts }{ $banned ->
        [yes] {" "}— **gesperrt**
       *[no] {""}
    }
profile-rank = , Rang { $rank }
profile-race = • { $race }: { $rating } ({ $low }–{ $high }){ $provisional ->
        [yes] {" "}vorläufig
       *[no] {""}
    }{ $rank } — { $wins }-{ $losses }-{ $draws }
profile-head-to-head = **Direktvergleich mit { $opponent }**: { $wins }-{ $losses }-{ $draws } (S-N-U)
profile-head-to-head-latest = ; zuletzt: { $recent }
setup-hint = Mit /setup bearbeitest du dein Profil.
leaderboard-head = **Rangliste — { $season }{ $ended ->
        [yes] {" "}(beendet)
       *[no] {""}
    }** — Seite { $page }/{ $pages } ({ $total ->
        [one] { $total } Eintrag
       *[other] { $total } Einträge
    }){ $filters }
filter-race = Volk { $values }
filter-country = Land { $values }
filter-region = Region { $values }
filter-rank = Rang { $values }
filter-best = nur bestes Volk
button-previous = ◀ Zurück
button-next = Weiter ▶
history-head = **Verlauf** — Seite { $page }/{ $pages }
history-row = #{ $match } { $race } ({ $outcome }) gegen { $opponent } ({ $opponent_race }) auf { $map }: { $state }{ $change }

## Antworten des Bots
terms = **Ladder-Regeln**
    • Spiele deine Matches auf der zugewiesenen Map und dem zugewiesenen Server, mit Geschwindigkeit „Schneller“.
    • Melde ehrlich; lade das Replay hoch, wenn du kannst — es entscheidet das Ergebnis von selbst.
    • Bestätige rechtzeitig, sonst verfällt das Match.
    • Admins entscheiden Streitfälle; ihre Entscheidung ist endgültig.
    Drücke **Akzeptieren**, um mitzumachen.
button-accept = Akzeptieren
help = **So funktioniert die Ladder**
    1. `/termsofservice` und akzeptieren.
    2. `/setup`: Ingame-Name, BattleTag, Land und Region.
    3. `/queue` (optional mit Volk) und auf die nächste Runde warten.
    4. Match bestätigen, spielen, Replay hochladen oder Ergebnis melden.
    `/profile`, `/leaderboard` und `/history` zeigen die Wertungen.
restarting = ⏳ ladderd startet neu; nichts wurde getan — versuche es in einer Minute noch einmal.
done = Erledigt.
cancelled = Abgebrochen; nichts wurde getan.
inbox = 📬 Das konnte dir nicht per DM zugestellt werden:
setup-title = Ladder-Profil
setup-name = Ingame-Name
setup-name-hint = 3–12 Buchstaben
setup-battletag = BattleTag
setup-battletag-hint = Name#1234
setup-alt-names = Weitere Ingame-Namen
setup-alt-names-hint = bis zu drei, durch Kommas getrennt
setup-country = Land
setup-country-hint = ISO-Code, z. B. DE (XX: keins)
setup-region = Region
setup-region-hint = z. B. EU, NA, KR

## Bestätigungen
ack-terms-accepted = Bedingungen akzeptiert; richte jetzt dein Profil ein (Ingame-Name, BattleTag, Land, Region)
ack-terms-already-accepted = du hast die Bedingungen bereits akzeptiert
ack-profile-saved = Profil gespeichert
ack-country-none = Land gespeichert: du vertrittst kein Land
ack-country-saved = Land gespeichert: { $country }
ack-queued = du bist in der Warteschlange als { $races }; nächste Runde in { $seconds } s
ack-left-queue = du hast die Warteschlange verlassen
ack-confirmed = bestätigt; warte auf deinen Gegner
ack-already-confirmed = du hast bereits bestätigt; warte auf deinen Gegner
ack-both-confirmed = das Match ist bereits von beiden Spielern bestätigt
ack-report-saved = Meldung gespeichert
ack-report-saved-waiting = Meldung gespeichert; warte auf die Meldung deines Gegners (oder ein Replay)
ack-report-saved-upload = Meldung gespeichert; auf dieser Ladder entscheidet ein geprüftes Replay: lade das Replay von Match #{ $match } hoch
ack-replay-settled = danke; das Replay hat dieses Match bereits entschieden

## Replay-Uploads
upload-too-big-announced = diese Datei hat { $size } Bytes; Replays über { $limit } Bytes werden abgelehnt
upload-too-many = du hast in der letzten Minute { $count ->
        [one] { $count } Replay
       *[other] { $count } Replays
    } gesendet; versuche es in { $seconds } s erneut
upload-bad-url = die Adresse des Anhangs ist ungültig
upload-timeout = das Herunterladen des Replays hat zu lange gedauert
upload-failed = das Replay konnte nicht heruntergeladen werden: { $detail }
upload-too-big = das Replay ist größer als { $limit } Bytes
upload-unreadable = dieses Replay konnte nicht gelesen werden: { $detail }

# Presence (#15): "still searching?", queue expiry, "someone is searching" pings.
still-searching = 🔎 Du suchst seit { $minutes } Min. Suchst du noch? Antworte { $deadline }, sonst verlässt du die Warteschlange.
button-keep-searching = Weiter suchen
queue-expired = Du hast die Warteschlange verlassen: Auf „Suchst du noch?“ kam keine Antwort. Tritt wieder bei, wenn du bereit bist.
someone-searching = 🔔 Jemand sucht jetzt ein Spiel ({ $races }, Wertung { $rating }); { $searching } suchen gerade.

## Hinweise: was die Ladder einem Spieler oder der Lobby sagt
result-won = { $winner } hat gegen { $loser } gewonnen
ended-agreed = beide Spieler waren sich einig
ended-replay = durch das geprüfte Replay entschieden
ended-admin = von einem Admin entschieden
ended-aborted-by = abgebrochen von { $name } ({ $left ->
        [one] noch { $left } Abbruch
       *[other] noch { $left } Abbrüche
    } diesen Monat; wieder in der Warteschlange in { $wait })
ended-admin-reset = ein Admin hat einen Spieler dieses Matches zurückgesetzt: { $reason }
duration = { $hours ->
        [0] { $minutes } Min.
       *[other] { $minutes ->
            [0] { $hours } Std.
           *[other] { $hours } Std. { $minutes } Min.
        }
    }
note-lapsed = du hast Match #{ $match } nicht rechtzeitig angenommen; es wurde als verfallen gewertet und zählt als Abbruch (noch { $left } diesen Monat); du kannst in { $wait } wieder in die Warteschlange
note-lapsed-forgiven = du hast Match #{ $match } nicht rechtzeitig angenommen; es wurde als verfallen gewertet, aber seine Karte kam zu spät oder gar nicht bei dir an, daher kostet es dich nichts
note-opponent-lapsed = dein Gegner hat Match #{ $match } nicht angenommen; du bist wieder in der Warteschlange
note-restart-emptied-queue = ladderd wurde neu gestartet und die Warteschlange geleert; tritt wieder bei, wenn du bereit bist
note-staying-in-queue = du bleibst in der Warteschlange
note-removed-from-queue = ein Admin hat dich aus der Warteschlange genommen: { $reason }
note-queue-cleared = ein Admin hat die Warteschlange geleert: { $reason }
note-banned = du bist von der Ladder gesperrt: { $reason }
note-unbanned = deine Ladder-Sperre wurde aufgehoben
note-no-maps = keine
note-map-pool-changed = der Kartenpool hat sich geändert — neu: { $added }; entfernt: { $removed }. Bereits erstellte Matches behalten ihre Karte.
note-season-started = { $ended } ist beendet; { $started } beginnt mit { $maps } { $maps ->
        [one] Karte
       *[other] Karten
    }
note-notifications-off = Benachrichtigungen sind aus; `/benachrichtigungen an:true` pingt dich, wenn jemand zu suchen beginnt
note-notifications-on = Benachrichtigungen sind an: ein Ping, wenn jemand zu suchen beginnt, höchstens einer alle { $minutes } Min.
note-notifications-quiet = , keiner von { $from } bis { $to } ({ $zone })
note-notifications-near = , nur für Gegner innerhalb von { $points } Wertungspunkten
note-replay-unattached = Replay gespeichert; es gehört zu keinem Match
note-replay-rejected = Replay nicht angenommen: { $detail }
note-replay-after-admin = Replay gespeichert; ein Admin hat dieses Match bereits entschieden
note-replay-agrees = Replay gespeichert; es stimmt mit dem Ergebnis überein
note-replay-kept = Replay geprüft und aufbewahrt; auf dieser Ladder entscheiden die Meldungen beider Spieler Match #{ $match }
note-replay-stored = Replay gespeichert; Match #{ $match } ist { $state }

## Abgelehnte Eingaben (der Code setzt ❌ davor)
invalid-replay-reused = dieses Replay wurde schon für ein Match verwendet; lade das Replay dieses Spiels hoch
invalid-unknown-season = keine Saison { $season }; die Saisons sind { $known }
invalid-same-player = ein direkter Vergleich braucht zwei verschiedene Spieler
invalid-unknown-region = „{ $region }“ ist keine Region dieser Ladder; wähle aus { $choices }
invalid-expired-buttons = diese Ranglisten-Schaltflächen sind abgelaufen; führe /rangliste erneut aus
invalid-notifications-off = Benachrichtigungen sind auf dieser Ladder abgeschaltet
invalid-ping-gap = der Abstand zwischen Pings muss { $min } bis { $max } Minuten betragen
invalid-quiet-hours = Ruhezeiten sehen aus wie 22-07 oder 22:30-07:00 (oder off), nicht „{ $given }“
invalid-quiet-hours-empty = Beginn und Ende der Ruhezeit sind gleich: „{ $given }“
invalid-time-zone = „{ $given }“ ist keine Zeitzone; nimm einen Namen wie Europe/Berlin oder Asia/Seoul
invalid-near-rating = die Nähe beträgt höchstens { $max } Punkte (0: alle)
invalid-no-replay = Match #{ $match } hat kein geprüftes Replay
invalid-rating = { $value } ist keine brauchbare Wertung
invalid-not-in-queue = Spieler { $player } ist nicht in der Warteschlange
invalid-no-season-name = gib der nächsten Saison einen Namen
setup-field-problem = { $field }: { $problem }
problem-name-length = „{ $name }“ hat { $chars } Zeichen; ein Spielname hat 3 bis 12
problem-name-letters = „{ $name }“ enthält „{ $found }“; ein Spielname hat nur Buchstaben
problem-tag-no-hash = „{ $tag }“ hat kein „#“; ein BattleTag sieht aus wie Name#1234
problem-tag-name-length = der Namensteil „{ $name }“ hat { $chars } Zeichen; erlaubt sind 1 bis 12
problem-tag-name-chars = der Namensteil „{ $name }“ darf nur Buchstaben oder Ziffern haben und nicht mit einer Ziffer beginnen
problem-tag-digits = der Zahlenteil „{ $digits }“ muss 3 bis 12 Ziffern haben
problem-too-many-alt-names = { $given } angegeben; höchstens { $max } weitere Namen
problem-alt-name-twice = „{ $name }“ steht doppelt da (oder ist dein Spielname); die Namen müssen verschieden sein
problem-country = „{ $given }“ ist kein ISO-3166-Ländercode (zwei Buchstaben, z. B. DE, KR, US; XX für keines)
problem-region = „{ $given }“ ist keine Region dieser Ladder; wähle eine aus { $choices }
