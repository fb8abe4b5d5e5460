# ladderd, français. Les races (Terran/Zerg/Protoss) s'affichent telles que configurées.

## Refus
error-no-tos = acceptez d'abord les conditions d'utilisation
error-not-set-up = complétez d'abord votre profil (pseudo en jeu, BattleTag, pays, région)
error-banned = vous êtes banni de ce ladder : { $reason }
error-invalid-setup = votre profil comporte des erreurs : { $problems }
error-unknown-race = « { $race } » n'est pas une race de ce ladder ; choisissez parmi { $choices }
error-same-group = choisissez au plus une race par groupe ; { $first } et { $second } sont dans le même groupe
error-no-race = choisissez une race pour la file
error-unknown-map = « { $map } » n'est pas dans le map pool de cette saison
error-too-many-vetoes = au plus { $count ->
        [one] { $count } veto
       *[other] { $count } vetos
    }
error-already-queueing = vous êtes déjà dans la file
error-not-queueing = vous n'êtes pas dans la file
error-in-match = vous êtes en match ; terminez-le d'abord
error-cooldown = vous avez laissé un match sans le confirmer ; vous pourrez revenir dans la file dans { $seconds } s
error-unknown-player = aucun joueur { $player } sur ce ladder
error-unknown-match = aucun match n° { $match }
error-not-your-match = vous ne jouez pas le match n° { $match }
error-wrong-state = le match n° { $match } est { $state } ; ce n'est pas possible maintenant
error-confirm-window-closed = le délai de confirmation du match n° { $match } est écoulé
error-not-confirmed = les deux joueurs doivent confirmer le match n° { $match } avant de déclarer un résultat
error-no-aborts-left = plus d'annulations ce mois-ci ; elles se renouvellent le 1er (UTC)
error-resolved-by-admin = le match n° { $match } a été tranché par un admin ; demandez à un admin en cas d'erreur
error-already-completed = le match n° { $match } est déjà terminé
error-replay-players-mismatch = les joueurs du replay ne sont pas ceux du match n° { $match }
error-not-admin = il faut être admin du ladder
error-not-owner = seul un propriétaire peut donner ou retirer les droits d'admin
error-no-reason = les actions d'admin demandent une raison
error-uploads-unavailable = l'envoi de replays est indisponible pour le moment
error-no-match-for-replay = je ne trouve aucun match à vous auquel rattacher ce replay ; un admin peut le rattacher
error-confirmation-expired = cette confirmation a expiré ; relancez la commande
error-not-asker = seul l'admin qui l'a demandé peut le confirmer
error-stale-button = ce bouton n'est plus à jour ; relancez la commande
error-stale-form = ce formulaire n'est plus à jour ; relancez /setup

## États, déclarations, résultats
state-found = trouvé
state-in-progress = en cours
state-completed = terminé
state-conflict = contesté
state-aborted = annulé
state-abandoned = abandonné
state-invalidated = invalidé
report-win = victoire
report-loss = défaite
report-draw = nul
report-none = pas de déclaration
result-player1 = victoire du joueur 1
result-player2 = victoire du joueur 2
result-draw = match nul

## Cartes de match
card-found-title = Match trouvé
card-started-title = Match confirmé — gl hf
card-title = **{ $title } — match n° { $match }**
card-side = • { $name } ({ $battletag }) { $country } — { $race } { $rating }{ $provisional ->
        [yes] {" "}(provisoire)
       *[no] {""}
    }
card-map = Carte : **{ $map }**{ $all_vetoed ->
        [yes] {" "}(toutes les cartes ont été refusées ; la moins refusée a été choisie)
       *[no] {""}
    }
card-server = Serveur : { $server } — pronostic { $first } % / { $second } %
card-confirm-by = Confirmez dans le délai (avant <t:{ $when }:R>) ou le match est abandonné.
card-report-prompt = Après la partie, envoyez le replay ici ou déclarez le résultat :
confirm-reminder = ⏰ Match n° { $match } : plus que { $seconds } s pour confirmer.
button-confirm = Confirmer
button-abort = Annuler
button-won = J'ai gagné
button-lost = J'ai perdu
button-draw = Match nul
match-ended = 🏁 Match n° { $match } : { $result }.
match-ended-rating = Variation de cote : { $a } / { $b }.
conflict = ⚠️ Match n° { $match } : les déclarations divergent ({ $first } / { $second }). Un admin tranchera ; les cotes attendent jusque-là.
conflict-replay = Le replay vérifié indique : { $result }.
flagged = 🚩 Le match n° { $match } reste sans résultat depuis trop longtemps (pas de résultat commun, ou pas de replay vérifié alors qu'il en faut un).
replay-file = 📎 Le replay vérifié du match n° { $match } (sha256 { $sha }).

## File et lobby
queue-view = **File** — { $queueing } en attente, prochaine vague dans { $seconds } s, { $in_progress ->
        [one] { $in_progress } match en cours
       *[other] { $in_progress } matchs en cours
    }, { $active } actifs ces 15 dernières min.
queue-by-region = Par région : { $regions }
lobby-title = 📡 **État du ladder** — { $searching } en recherche
lobby-by-region = par région : { $regions }
lobby-next = Prochaine vague dans { $seconds } s · matchs en cours : { $in_progress } · dernière vague : { $found ->
        [one] { $found } match trouvé
       *[other] { $found } matchs trouvés
    }
button-join = Rejoindre
button-leave = Quitter
select-races = Jouer avec la ou les races…
select-vetoes = Refuser des cartes…

## Profil, classement, historique
profile-not-set-up = (non configuré)
profile-no-country = (sans pays)
profile-head = **{ $name }** { $battletag } { $country } — { $season }{ $ended ->
        [yes] {" "}(terminée)
       *[no] {""}
    }: { $wins }-{ $losses }-{ $draws } (V-D-N), parties sur 14/30/90 jours : { $games14 }/{ $games30 }/{ $games90 }, annulations restantes : { $aborts }{ $banned ->
        [yes] {" "}— **banni**
       *[no] {""}
    }
profile-rank = , rang { $rank }
profile-race = • { $race } : { $rating } ({ $low }–{ $high }){ $provisional ->
        [yes] {" "}provisoire
       *[no] {""}
    }{ $rank } — { $wins }-{ $losses }-{ $draws }
profile-head-to-head = **Face-à-face contre { $opponent }** : { $wins }-{ $losses }-{ $draws } (V-D-N)
profile-head-to-head-latest = ; derniers : { $recent }
setup-hint = Utilisez /setup pour modifier votre profil.
leaderboard-head = **Classement — { $season }{ $ended ->
        [yes] {" "}(terminée)
       *[no] {""}
    }** — page { $page }/{ $pages } ({ $total ->
        [one] { $total } entrée
       *[other] { $total } entrées
    }){ $filters }
filter-race = race { $values }
filter-country = pays { $values }
filter-region = région { $values }
filter-rank = rang { $values }
filter-best = meilleure race seulement
button-previous = ◀ Précédent
button-next = Suivant ▶
history-head = **Historique** — page { $page }/{ $pages }
history-row = n° { $match } { $race } ({ $outcome }) contre { $opponent } ({ $opponent_race }) sur { $map } : { $state }{ $change }

## Réponses du bot
terms = **Règles du ladder**
    • Jouez vos matchs sur la carte et le serveur attribués, en vitesse « Plus rapide ».
    • Déclarez honnêtement ; envoyez le replay quand vous le pouvez — il établit le résultat à lui seul.
    • Confirmez dans le délai ou le match est abandonné.
    • Les admins tranchent les litiges ; leur décision est définitive.
    Appuyez sur **Accepter** pour participer.
button-accept = Accepter
help = **Comment fonctionne le ladder**
    1. `/termsofservice` puis acceptez.
    2. `/setup` : pseudo en jeu, BattleTag, pays et région.
    3. `/queue` (avec une race si vous voulez) et attendez la prochaine vague.
    4. Confirmez le match, jouez-le, envoyez le replay ou déclarez le résultat.
    `/profile`, `/leaderboard` et `/history` montrent le classement.
restarting = ⏳ ladderd redémarre ; rien n'a été fait — réessayez dans une minute.
done = C'est fait.
cancelled = Annulé ; rien n'a été fait.
inbox = 📬 Voici ce qui n'a pas pu vous parvenir en message privé :
setup-title = Profil du ladder
setup-name = Pseudo en jeu
setup-name-hint = 3 à 12 lettres
setup-battletag = BattleTag
setup-battletag-hint = Nom#1234
setup-alt-names = Autres pseudos en jeu
setup-alt-names-hint = trois au plus, séparés par des virgules
setup-country = Pays
setup-country-hint = code ISO, p. ex. FR (XX : aucun)
setup-region = Région
setup-region-hint = p. ex. EU, NA, KR

## Accusés de réception
ack-terms-accepted = conditions acceptées ; configurez maintenant votre profil (pseudo en jeu, BattleTag, pays, région)
ack-terms-already-accepted = vous avez déjà accepté les conditions
ack-profile-saved = profil enregistré
ack-country-none = pays enregistré : vous ne représentez aucun pays
ack-country-saved = pays enregistré : { $country }
ack-queued = vous êtes dans la file en { $races } ; prochaine vague dans { $seconds } s
ack-left-queue = vous avez quitté la file
ack-confirmed = confirmé ; en attente de votre adversaire
ack-already-confirmed = vous avez déjà confirmé ; en attente de votre adversaire
ack-both-confirmed = le match est déjà confirmé par les deux joueurs
ack-report-saved = déclaration enregistrée
ack-report-saved-waiting = déclaration enregistrée ; en attente de celle de votre adversaire (ou d'un replay)
ack-report-saved-upload = déclaration enregistrée ; sur ce ladder, un replay vérifié établit le résultat : envoyez le replay du match n° { $match }
ack-replay-settled = merci ; le replay a déjà établi le résultat de ce match

## Envoi de replays
upload-too-big-announced = ce fichier fait { $size } octets ; les replays de plus de { $limit } octets sont refusés
upload-too-many = vous avez envoyé { $count ->
        [one] { $count } replay
       *[other] { $count } replays
    } dans la dernière minute ; réessayez dans { $seconds } s
upload-bad-url = l'adresse de la pièce jointe n'est pas valide
upload-timeout = le téléchargement du replay a expiré
upload-failed = le téléchargement du replay a échoué : { $detail }
upload-too-big = le replay dépasse { $limit } octets
upload-unreadable = ce replay n'a pas pu être lu : { $detail }

# Presence (#15): "still searching?", queue expiry, "someone is searching" pings.
still-searching = 🔎 Vous cherchez depuis { $minutes } min. Vous cherchez toujours ? Répondez { $deadline } ou vous quitterez la file.
button-keep-searching = Continuer à chercher
queue-expired = Vous avez quitté la file : pas de réponse à « vous cherchez toujours ? ». Revenez quand vous serez prêt.
someone-searching = 🔔 Quelqu'un a commencé à chercher ({ $races }, classement { $rating }) ; { $searching } en recherche.

## Avis : ce que la ladder dit à un joueur ou au salon
result-won = { $winner } a battu { $loser }
ended-agreed = les deux joueurs étaient d'accord
ended-replay = tranché par le replay vérifié
ended-admin = tranché par un admin
ended-aborted-by = annulé par { $name } ({ $left ->
        [one] { $left } annulation restante
       *[other] { $left } annulations restantes
    } ce mois-ci ; retour dans la file possible dans { $wait })
ended-admin-reset = un admin a réinitialisé un joueur de ce match : { $reason }
duration = { $hours ->
        [0] { $minutes } min
       *[other] { $minutes ->
            [0] { $hours } h
           *[other] { $hours } h { $minutes } min
        }
    }
note-lapsed = vous n'avez pas confirmé le match #{ $match } à temps ; il est enregistré comme abandonné et compte comme une annulation ({ $left } restantes ce mois-ci) ; vous pourrez revenir dans la file dans { $wait }
note-lapsed-forgiven = vous n'avez pas confirmé le match #{ $match } à temps ; il est enregistré comme abandonné, mais sa carte vous est parvenue en retard ou pas du tout, donc cela ne vous coûte rien
note-opponent-lapsed = votre adversaire n'a pas confirmé le match #{ $match } ; vous êtes de retour dans la file
note-restart-emptied-queue = ladderd a redémarré et la file a été vidée ; revenez quand vous serez prêt
note-staying-in-queue = vous restez dans la file
note-removed-from-queue = un admin vous a retiré de la file : { $reason }
note-queue-cleared = un admin a vidé la file : { $reason }
note-banned = vous êtes banni de la ladder : { $reason }
note-unbanned = votre bannissement de la ladder a été levé
note-no-maps = aucune
note-map-pool-changed = le pool de cartes a changé — ajoutées : { $added } ; retirées : { $removed }. Les matchs déjà créés gardent leur carte.
note-season-started = { $ended } est terminée ; { $started } commence avec { $maps } { $maps ->
        [one] carte
       *[other] cartes
    }
note-notifications-off = les notifications sont désactivées ; `/notifications activer:true` vous prévient quand quelqu'un commence à chercher
note-notifications-on = les notifications sont activées : un ping quand quelqu'un commence à chercher, au plus un toutes les { $minutes } min
note-notifications-quiet = , aucun de { $from } à { $to } ({ $zone })
note-notifications-near = , seulement pour les adversaires à { $points } points de classement ou moins
note-replay-unattached = replay enregistré ; il n'est rattaché à aucun match
note-replay-rejected = replay refusé : { $detail }
note-replay-after-admin = replay enregistré ; un admin a déjà tranché ce match
note-replay-agrees = replay enregistré ; il confirme le résultat
note-replay-kept = replay vérifié et conservé ; sur cette ladder, les rapports des deux joueurs décident du match #{ $match }
note-replay-stored = replay enregistré ; le match #{ $match } est { $state }

## Saisies refusées (le code ajoute ❌ devant)
invalid-replay-reused = ce replay a déjà servi pour un match ; envoyez le replay de cette partie
invalid-unknown-season = pas de saison { $season } ; les saisons sont { $known }
invalid-same-player = un face-à-face demande deux joueurs différents
invalid-unknown-region = « { $region } » n'est pas une région de cette ladder ; choisissez parmi { $choices }
invalid-expired-buttons = ces boutons du classement ont expiré ; relancez /classement
invalid-notifications-off = les notifications sont désactivées sur cette ladder
invalid-ping-gap = l'intervalle entre les pings doit être de { $min } à { $max } minutes
invalid-quiet-hours = les heures calmes s'écrivent 22-07 ou 22:30-07:00 (ou off), pas « { $given } »
invalid-quiet-hours-empty = les heures calmes commencent et finissent à la même heure : « { $given } »
invalid-time-zone = « { $given } » n'est pas un fuseau horaire ; utilisez un nom comme Europe/Paris ou Asia/Seoul
invalid-near-rating = la proximité est d'au plus { $max } points (0 : tout le monde)
invalid-no-replay = le match #{ $match } n'a pas de replay vérifié
invalid-rating = { $value } n'est pas un classement utilisable
invalid-not-in-queue = le joueur { $player } n'est pas dans la file
invalid-no-season-name = donnez un nom à la prochaine saison
setup-field-problem = { $field } : { $problem }
problem-name-length = « { $name } » a { $chars } caractères ; un nom en jeu en a de 3 à 12
problem-name-letters = « { $name } » contient « { $found } » ; un nom en jeu n'a que des lettres
problem-tag-no-hash = « { $tag } » n'a pas de « # » ; un BattleTag ressemble à Nom#1234
problem-tag-name-length = la partie nom « { $name } » a { $chars } caractères ; elle en a de 1 à 12
problem-tag-name-chars = la partie nom « { $name } » doit contenir des lettres ou des chiffres et ne pas commencer par un chiffre
problem-tag-digits = la partie numérique « { $digits } » doit avoir de 3 à 12 chiffres
problem-too-many-alt-names = { $given } donnés ; au plus { $max } autres noms
problem-alt-name-twice = « { $name } » apparaît deux fois (ou est votre nom en jeu) ; les noms doivent être différents
problem-country = « { $given } » n'est pas un code pays ISO 3166 (deux lettres, p. ex. FR, KR, US ; XX pour aucun)
problem-region = « { $given } » n'est pas une région de cette ladder ; choisissez-en une parmi { $choices }
