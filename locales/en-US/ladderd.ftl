# ladderd's player-facing text, English (United States): the reference
# locale. Every other locale has exactly these ids with the same variables
# (src/discord/l10n_tests.rs). Race names, map names, seasons and lobby
# settings come from the configuration and are shown as configured.
# Variables "ended", "banned", "provisional", "all_vetoed" are "yes" or "no".

## Refusals (the code puts ❌ in front)
error-no-tos = accept the terms of service first
error-not-set-up = finish your setup first (in-game name, BattleTag, country, region)
error-banned = you are banned from this ladder: { $reason }
error-invalid-setup = your setup has problems: { $problems }
error-unknown-race = "{ $race }" is not a race of this ladder; choose from { $choices }
error-same-group = choose at most one race per group; { $first } and { $second } are in the same group
error-no-race = choose a race to queue with
error-unknown-map = "{ $map }" is not in this season's map pool
error-too-many-vetoes = at most { $count } vetoes
error-already-queueing = you are already in the queue
error-not-queueing = you are not in the queue
error-in-match = you are in a match; finish it first
error-cooldown = you left a match unconfirmed; you can queue again in { $seconds } s
error-unknown-player = no player { $player } on this ladder
error-unknown-match = no match #{ $match }
error-not-your-match = you are not playing in match #{ $match }
error-wrong-state = match #{ $match } is { $state }; that is not possible now
error-confirm-window-closed = the confirm window for match #{ $match } has closed
error-not-confirmed = both players must confirm match #{ $match } before reporting
error-no-aborts-left = no aborts left this month; they reset on the 1st (UTC)
error-resolved-by-admin = match #{ $match } was resolved by an admin; ask an admin if it is wrong
error-already-completed = match #{ $match } is already completed
error-replay-players-mismatch = the replay's players do not match the players of match #{ $match }
error-not-admin = this needs a ladder admin
error-not-owner = only an owner can grant or revoke admin
error-no-reason = admin actions need a reason
error-uploads-unavailable = replay uploads are not available right now
error-no-match-for-replay = I don't know a match of yours to attach this replay to; an admin can attach it
error-confirmation-expired = this confirmation expired; run the command again
error-not-asker = only the admin who asked can confirm this
error-stale-button = this button is out of date; run the command again
error-stale-form = this form is out of date; run /setup again

## Match states, reports and results
state-found = found
state-in-progress = in progress
state-completed = completed
state-conflict = conflict
state-aborted = aborted
state-abandoned = abandoned
state-invalidated = invalidated
report-win = win
report-loss = loss
report-draw = draw
report-none = no report
result-player1 = player 1 won
result-player2 = player 2 won
result-draw = draw

## Match cards
card-found-title = Match found
card-started-title = Match confirmed — good luck, have fun
card-title = **{ $title } — match #{ $match }**
card-side = • { $name } ({ $battletag }) { $country } — { $race } { $rating }{ $provisional ->
        [yes] {" "}(provisional)
       *[no] {""}
    }
card-map = Map: **{ $map }**{ $all_vetoed ->
        [yes] {" "}(every map was vetoed; the least-vetoed was picked)
       *[no] {""}
    }
card-server = Server: { $server } — predicted { $first }% / { $second }%
card-confirm-by = Confirm within the window (until <t:{ $when }:R>) or the match is abandoned.
card-report-prompt = After the game, upload the replay here, or report the result:
confirm-reminder = ⏰ Match #{ $match }: { $seconds } s left to confirm.
button-confirm = Confirm
button-abort = Abort
button-won = I won
button-lost = I lost
button-draw = Draw
match-ended = 🏁 Match #{ $match }: { $result }.
match-ended-rating = Rating change: { $a } / { $b }.
conflict = ⚠️ Match #{ $match }: the reports disagree ({ $first } / { $second }). An admin will decide; ratings wait until then.
conflict-replay = The verified replay says: { $result }.
flagged = 🚩 Match #{ $match } has gone unsettled for too long (no agreed result, or no verified replay where one is required).
replay-file = 📎 The verified replay of match #{ $match } (sha256 { $sha }).

## The queue and the lobby
queue-view = **Queue** — { $queueing } queueing, next wave in { $seconds } s, { $in_progress } matches in progress, { $active } active in the last 15 min.
queue-by-region = By region: { $regions }
lobby-title = 📡 **Ladder status** — { $searching } searching
lobby-by-region = by region: { $regions }
lobby-next = Next wave in { $seconds } s · { $in_progress } match(es) in progress · last wave: { $found } match(es) found
button-join = Join
button-leave = Leave
select-races = Queue with race(s)…
select-vetoes = Veto maps…

## Profile, leaderboard, history
profile-not-set-up = (not set up)
profile-no-country = (no country)
profile-head = **{ $name }** { $battletag } { $country } — { $season }{ $ended ->
        [yes] {" "}(ended)
       *[no] {""}
    }: { $wins }-{ $losses }-{ $draws } (W-L-D), games 14/30/90 days: { $games14 }/{ $games30 }/{ $games90 }, aborts left: { $aborts }{ $banned ->
        [yes] {" "}— **banned**
       *[no] {""}
    }
profile-rank = , rank { $rank }
profile-race = • { $race }: { $rating } ({ $low }–{ $high }){ $provisional ->
        [yes] {" "}provisional
       *[no] {""}
    }{ $rank } — { $wins }-{ $losses }-{ $draws }
profile-head-to-head = **Head-to-head vs { $opponent }**: { $wins }-{ $losses }-{ $draws } (W-L-D)
profile-head-to-head-latest = ; latest: { $recent }
setup-hint = Run /setup to edit your profile.
leaderboard-head = **Leaderboard — { $season }{ $ended ->
        [yes] {" "}(ended)
       *[no] {""}
    }** — page { $page }/{ $pages } ({ $total } entries){ $filters }
filter-race = race { $values }
filter-country = country { $values }
filter-region = region { $values }
filter-rank = rank { $values }
filter-best = best race only
button-previous = ◀ Previous
button-next = Next ▶
history-head = **History** — page { $page }/{ $pages }
history-row = #{ $match } { $race } ({ $outcome }) vs { $opponent } ({ $opponent_race }) on { $map }: { $state }{ $change }

## The bot's own answers
terms = **Ladder rules**
    • Play your matches on the assigned map and server, at Faster speed.
    • Report honestly; upload the replay when you can — it settles the result by itself.
    • Confirm within the window or the match is abandoned.
    • Admins decide disputes; their decision is final.
    Press **Accept** to take part.
button-accept = Accept
help = **How the ladder works**
    1. `/termsofservice` and accept.
    2. `/setup` your in-game name, BattleTag, country and region.
    3. `/queue` (optionally with a race) and wait for the next wave.
    4. Confirm the match, play it, upload the replay or report the result.
    `/profile`, `/leaderboard` and `/history` show the standings.
restarting = ⏳ ladderd is restarting; nothing was done — try again in a minute.
done = Done.
cancelled = Cancelled; nothing was done.
inbox = 📬 Here is what could not reach your DMs:
setup-title = Ladder setup
setup-name = In-game name
setup-name-hint = 3–12 letters
setup-battletag = BattleTag
setup-battletag-hint = Name#1234
setup-alt-names = Other in-game names
setup-alt-names-hint = up to three, comma-separated
setup-country = Country
setup-country-hint = ISO code, e.g. DE (XX: none)
setup-region = Region
setup-region-hint = e.g. EU, NA, KR

## Acknowledgements
ack-terms-accepted = terms accepted; now set up your profile (in-game name, BattleTag, country, region)
ack-terms-already-accepted = you have already accepted the terms
ack-profile-saved = profile saved
ack-country-none = country saved: you represent no country
ack-country-saved = country saved: { $country }
ack-queued = you are in the queue as { $races }; next wave in { $seconds } s
ack-left-queue = you left the queue
ack-confirmed = confirmed; waiting for your opponent
ack-already-confirmed = you already confirmed; waiting for your opponent
ack-both-confirmed = match already confirmed by both players
ack-report-saved = report saved
ack-report-saved-waiting = report saved; waiting for your opponent's report (or a replay)
ack-report-saved-upload = report saved; on this ladder a verified replay settles the result: upload the replay of match #{ $match }
ack-replay-settled = thanks; the replay already settled this match

## Replay uploads (the code puts ❌ in front)
upload-too-big-announced = this file is { $size } bytes; replays over { $limit } bytes are refused
upload-too-many = you have sent { $count } replays in the last minute; try again in { $seconds } s
upload-bad-url = the attachment URL is not valid
upload-timeout = downloading the replay timed out
upload-failed = downloading the replay failed: { $detail }
upload-too-big = the replay is larger than { $limit } bytes
upload-unreadable = this replay could not be read: { $detail }

# Presence (#15): "still searching?", queue expiry, "someone is searching" pings.
still-searching = 🔎 You have been searching for { $minutes } min. Still searching? Answer { $deadline } or you leave the queue.
button-keep-searching = Keep searching
queue-expired = You left the queue: there was no answer to "still searching?". Join again when you are ready.
someone-searching = 🔔 Someone started searching ({ $races }, rating { $rating }); { $searching } searching now.

## Notes: what the ladder tells a player or the lobby beyond cards
result-won = { $winner } won against { $loser }
ended-agreed = both players agreed
ended-replay = settled by the verified replay
ended-admin = resolved by an admin
ended-aborted-by = aborted by { $name } ({ $left } { $left ->
        [one] abort
       *[other] aborts
    } left this month; queueing again in { $wait })
ended-admin-reset = an admin reset a player of this match: { $reason }
# A wait: hours and minutes (both whole numbers).
duration = { $hours ->
        [0] { $minutes } min
       *[other] { $minutes ->
            [0] { $hours } h
           *[other] { $hours } h { $minutes } min
        }
    }
note-lapsed = you did not confirm match #{ $match } in time; it was recorded as abandoned and counts as an abort ({ $left } left this month); you can queue again in { $wait }
note-lapsed-forgiven = you did not confirm match #{ $match } in time; it was recorded as abandoned, but its card reached you late or not at all, so this costs you nothing
note-opponent-lapsed = your opponent did not confirm match #{ $match }; you are back in the queue
note-restart-emptied-queue = ladderd restarted and the queue was emptied; join again when you are ready
note-staying-in-queue = you stay in the queue
note-removed-from-queue = an admin removed you from the queue: { $reason }
note-queue-cleared = an admin cleared the queue: { $reason }
note-banned = you are banned from the ladder: { $reason }
note-unbanned = your ladder ban was lifted
note-no-maps = none
note-map-pool-changed = the map pool changed — added: { $added }; removed: { $removed }. Matches already made keep their map.
note-season-started = { $ended } ended; { $started } begins with { $maps } { $maps ->
        [one] map
       *[other] maps
    }
note-notifications-off = notifications are off; `/notifications on:true` pings you when someone starts searching
note-notifications-on = notifications are on: a ping when someone starts searching, at most one every { $minutes } min
note-notifications-quiet = , none from { $from } to { $to } ({ $zone })
note-notifications-near = , only for opponents within { $points } rating points
note-replay-unattached = replay stored; it is not attached to a match
note-replay-rejected = replay not accepted: { $detail }
note-replay-after-admin = replay stored; an admin already resolved this match
note-replay-agrees = replay stored; it agrees with the result
note-replay-kept = replay verified and kept; on this ladder both players' reports settle match #{ $match }
note-replay-stored = replay stored; match #{ $match } is { $state }

## Refused input (the code puts ❌ in front)
invalid-replay-reused = this replay was already used for a match; upload the replay of this game
invalid-unknown-season = no season { $season }; the seasons are { $known }
invalid-same-player = a head-to-head needs two different players
invalid-unknown-region = "{ $region }" is not a region of this ladder; choose from { $choices }
invalid-expired-buttons = these leaderboard buttons have expired; run /leaderboard again
invalid-notifications-off = notifications are switched off on this ladder
invalid-ping-gap = the gap between pings must be { $min } to { $max } minutes
invalid-quiet-hours = quiet hours look like 22-07 or 22:30-07:00 (or off), not "{ $given }"
invalid-quiet-hours-empty = quiet hours from and to are the same time: "{ $given }"
invalid-time-zone = "{ $given }" is not a time zone; use a name like Europe/Berlin or Asia/Seoul
invalid-near-rating = near_rating is at most { $max } points (0: anyone)
invalid-no-replay = match #{ $match } has no verified replay
invalid-rating = { $value } is not a usable rating
invalid-not-in-queue = player { $player } is not in the queue
invalid-no-season-name = name the next season
# One invalid setup field: its label (setup-*) and what is wrong.
setup-field-problem = { $field }: { $problem }
problem-name-length = "{ $name }" has { $chars } characters; an in-game name has 3 to 12
problem-name-letters = "{ $name }" contains "{ $found }"; an in-game name has letters only
problem-tag-no-hash = "{ $tag }" has no '#'; a BattleTag looks like Name#1234
problem-tag-name-length = the name part "{ $name }" has { $chars } characters; it has 1 to 12
problem-tag-name-chars = the name part "{ $name }" must be letters or digits and not start with a digit
problem-tag-digits = the number part "{ $digits }" must be 3 to 12 digits
problem-too-many-alt-names = { $given } given; at most { $max } alternative names
problem-alt-name-twice = "{ $name }" is listed twice (or is your in-game name); names must be distinct
problem-country = "{ $given }" is not an ISO 3166 country code (two letters, e.g. DE, KR, US; XX for none)
problem-region = "{ $given }" is not a region of this ladder; choose one of { $choices }
