# Le site web, français. Les états de match viennent de ladderd.ftl
# (`state-*`).

## Toutes les pages
web-site-title = Ladder
web-nav-leaderboard = Classement
web-nav-seasons = Saisons
web-nav-activity = Activité
web-language = Langue
web-api-note = Les mêmes données en JSON :
web-no-js = Lecture seule ; ni JavaScript ni cookies.
web-not-found = Introuvable
web-bad-request = Requête invalide

## Classement
web-leaderboard = Classement
web-ended = terminée
web-filters = Filtres
web-apply = Appliquer
web-best-race-only = meilleure race seulement
web-page-of = Page { $page } sur { $pages } ({ $total ->
    [one] { $total } entrée
   *[other] { $total } entrées
})
web-previous = ◀ Précédente
web-next = Suivante ▶
web-provisional = provisoire

## En-têtes
web-col-pos = #
web-col-player = Joueur
web-col-country = Pays
web-col-region = Région
web-col-race = Race
web-col-rating = Cote
web-col-rank = Rang
web-col-record = V-D-N
web-col-season = Saison
web-col-started = Début
web-col-ended = Fin
web-col-rated = Joueurs-races cotés
web-col-match = Match
web-col-date = Date
web-col-opponent = Adversaire
web-col-map = Carte
web-col-result = Résultat
web-col-change = Variation de cote

## Page du joueur
web-ratings = Cotes
web-no-ratings = Aucune partie cotée cette saison.
web-rating-history = Historique de cote
web-head-to-head = Face-à-face
web-recent-matches = Matchs récents
web-no-matches = Pas encore de match.
web-win = victoire
web-loss = défaite
web-draw = nul

## Page du match
web-match-title = Match n° { $match }
web-state = État
web-replay = Replay
web-replay-verified = replay vérifié
web-build = build { $build }
web-download-replay = Télécharger le replay
web-no-replay = Aucun replay vérifié.

## Saisons et activité
web-current = en cours
web-activity = Activité
web-activity-note = Matchs trouvés par heure de la semaine (UTC) et parties jouées par jour.

## Graphiques
web-chart-rating = Cote par race
web-chart-hours = Matchs trouvés par heure de la semaine (UTC)
web-chart-days = Parties par jour
web-mon = lun.
web-tue = mar.
web-wed = mer.
web-thu = jeu.
web-fri = ven.
web-sat = sam.
web-sun = dim.
