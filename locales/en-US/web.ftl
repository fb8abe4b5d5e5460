# The web site's text, English (United States): the reference locale. Every
# other locale has exactly these ids with the same variables
# (src/discord/l10n_tests.rs). Ids start with `web-`; match states come from
# ladderd.ftl (`state-*`). Numbers are formatted the locale's way.

## Every page
web-site-title = Ladder
web-nav-leaderboard = Leaderboard
web-nav-seasons = Seasons
web-nav-activity = Activity
web-language = Language
web-api-note = The same data as JSON:
web-no-js = Read-only; no JavaScript, no cookies.
web-not-found = Not found
web-bad-request = Bad request

## Leaderboard
web-leaderboard = Leaderboard
web-ended = ended
web-filters = Filters
web-apply = Apply
web-best-race-only = best race only
web-page-of = Page { $page } of { $pages } ({ $total ->
    [one] { $total } entry
   *[other] { $total } entries
})
web-previous = ◀ Previous
web-next = Next ▶
web-provisional = provisional

## Table headings
web-col-pos = #
web-col-player = Player
web-col-country = Country
web-col-region = Region
web-col-race = Race
web-col-rating = Rating
web-col-rank = Rank
web-col-record = W-L-D
web-col-season = Season
web-col-started = Started
web-col-ended = Ended
web-col-rated = Rated player-races
web-col-match = Match
web-col-date = Date
web-col-opponent = Opponent
web-col-map = Map
web-col-result = Result
web-col-change = Rating change

## Player page
web-ratings = Ratings
web-no-ratings = No rated games this season.
web-rating-history = Rating history
web-head-to-head = Head-to-head
web-recent-matches = Recent matches
web-no-matches = No matches yet.
web-win = win
web-loss = loss
web-draw = draw

## Match page
web-match-title = Match #{ $match }
web-state = State
web-replay = Replay
web-replay-verified = verified replay
web-build = build { $build }
web-download-replay = Download the replay
web-no-replay = No verified replay.

## Seasons and activity
web-current = current
web-activity = Activity
web-activity-note = Matches found by hour of the week (UTC) and games completed per day.

## Charts (short: they are drawn into a picture)
web-chart-rating = Rating by race
web-chart-hours = Matches found by hour of the week (UTC)
web-chart-days = Games per day
web-mon = Mon
web-tue = Tue
web-wed = Wed
web-thu = Thu
web-fri = Fri
web-sat = Sat
web-sun = Sun
