# Die Website, Deutsch. Match-Zustände kommen aus ladderd.ftl (`state-*`).

## Jede Seite
web-site-title = Ladder
web-nav-leaderboard = Rangliste
web-nav-seasons = Saisons
web-nav-activity = Aktivität
web-language = Sprache
web-api-note = Dieselben Daten als JSON:
web-no-js = Nur lesen; kein JavaScript, keine Cookies.
web-not-found = Nicht gefunden
web-bad-request = Ungültige Anfrage

## Rangliste
web-leaderboard = Rangliste
web-ended = beendet
web-filters = Filter
web-apply = Anwenden
web-best-race-only = nur beste Rasse
web-page-of = Seite { $page } von { $pages } ({ $total ->
    [one] { $total } Eintrag
   *[other] { $total } Einträge
})
web-previous = ◀ Zurück
web-next = Weiter ▶
web-provisional = vorläufig

## Spaltenköpfe
web-col-pos = #
web-col-player = Spieler
web-col-country = Land
web-col-region = Region
web-col-race = Rasse
web-col-rating = Wertung
web-col-rank = Rang
web-col-record = S-N-U
web-col-season = Saison
web-col-started = Beginn
web-col-ended = Ende
web-col-rated = Gewertete Spieler-Rassen
web-col-match = Match
web-col-date = Datum
web-col-opponent = Gegner
web-col-map = Karte
web-col-result = Ergebnis
web-col-change = Wertungsänderung

## Spielerseite
web-ratings = Wertungen
web-no-ratings = Keine gewerteten Spiele in dieser Saison.
web-rating-history = Wertungsverlauf
web-head-to-head = Direktvergleich
web-recent-matches = Letzte Matches
web-no-matches = Noch keine Matches.
web-win = Sieg
web-loss = Niederlage
web-draw = Unentschieden

## Match-Seite
web-match-title = Match #{ $match }
web-state = Zustand
web-replay = Replay
web-replay-verified = geprüftes Replay
web-build = Build { $build }
web-download-replay = Replay herunterladen
web-no-replay = Kein geprüftes Replay.

## Saisons und Aktivität
web-current = laufend
web-activity = Aktivität
web-activity-note = Gefundene Matches nach Wochenstunde (UTC) und gespielte Spiele pro Tag.

## Diagramme
web-chart-rating = Wertung nach Rasse
web-chart-hours = Gefundene Matches nach Wochenstunde (UTC)
web-chart-days = Spiele pro Tag
web-mon = Mo
web-tue = Di
web-wed = Mi
web-thu = Do
web-fri = Fr
web-sat = Sa
web-sun = So
