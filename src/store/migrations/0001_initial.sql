-- Migration 1: the ladder's first schema. NEVER EDIT THIS FILE once landed:
-- add a new numbered migration instead (databases in the field ran this one).
--
-- Conventions: times are INTEGER milliseconds since the Unix epoch (UTC);
-- Discord ids are INTEGER (snowflakes fit in a signed 64-bit integer);
-- enumerations are TEXT with a CHECK so a bad value is refused at commit.

CREATE TABLE players (
    discord_id          INTEGER PRIMARY KEY,
    discord_name        TEXT    NOT NULL,
    ingame_name         TEXT,
    battletag           TEXT,
    country             TEXT,                 -- ISO 3166-1 alpha-2
    region              TEXT,                 -- residential region, from config
    tos_accepted_at     INTEGER,
    setup_at            INTEGER,
    state               TEXT    NOT NULL DEFAULT 'idle'
                        CHECK (state IN ('idle', 'queueing', 'in_match')),
    aborts_left         INTEGER NOT NULL DEFAULT 3 CHECK (aborts_left >= 0),
    aborts_month        TEXT,                 -- 'YYYY-MM' the allowance was last reset for
    banned              INTEGER NOT NULL DEFAULT 0 CHECK (banned IN (0, 1)),
    ban_reason          TEXT,
    is_admin            INTEGER NOT NULL DEFAULT 0 CHECK (is_admin IN (0, 1)),
    queue_cooldown_until INTEGER,
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL
) STRICT;

-- Up to three alternative in-game names per player, all distinct.
CREATE TABLE player_alt_names (
    player_id   INTEGER NOT NULL REFERENCES players (discord_id) ON DELETE CASCADE,
    position    INTEGER NOT NULL CHECK (position BETWEEN 1 AND 3),
    name        TEXT    NOT NULL,
    PRIMARY KEY (player_id, position)
) STRICT;

-- What a player last queued with, remembered for next time.
CREATE TABLE queue_preferences (
    player_id   INTEGER PRIMARY KEY REFERENCES players (discord_id) ON DELETE CASCADE,
    races       TEXT    NOT NULL,            -- JSON array of race ids from config
    vetoes      TEXT    NOT NULL,            -- JSON array of map names
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE seasons (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL,
    started_at  INTEGER NOT NULL,
    ended_at    INTEGER,
    map_pool    TEXT    NOT NULL              -- JSON array of map names
) STRICT;

-- Ratings per (season, player, race). A season's rows are its archive; the
-- next season starts with soft-reset copies.
CREATE TABLE ratings (
    season_id   INTEGER NOT NULL REFERENCES seasons (id),
    player_id   INTEGER NOT NULL REFERENCES players (discord_id) ON DELETE CASCADE,
    race        TEXT    NOT NULL,
    rating      REAL    NOT NULL,
    deviation   REAL    NOT NULL,            -- Glicko-2 RD; 0 for Elo
    volatility  REAL    NOT NULL,            -- Glicko-2 sigma; 0 for Elo
    games       INTEGER NOT NULL DEFAULT 0,
    wins        INTEGER NOT NULL DEFAULT 0,
    losses      INTEGER NOT NULL DEFAULT 0,
    draws       INTEGER NOT NULL DEFAULT 0,
    last_played_at INTEGER,
    PRIMARY KEY (season_id, player_id, race)
) STRICT;

CREATE TABLE matches (
    id              INTEGER PRIMARY KEY,
    season_id       INTEGER NOT NULL REFERENCES seasons (id),
    player1_id      INTEGER NOT NULL REFERENCES players (discord_id),
    player2_id      INTEGER NOT NULL REFERENCES players (discord_id),
    race1           TEXT    NOT NULL,
    race2           TEXT    NOT NULL,
    -- Ratings before the match, so resolving it (again) is a pure recomputation.
    rating1_before  REAL    NOT NULL,
    deviation1_before REAL  NOT NULL,
    volatility1_before REAL NOT NULL,
    rating2_before  REAL    NOT NULL,
    deviation2_before REAL  NOT NULL,
    volatility2_before REAL NOT NULL,
    map             TEXT    NOT NULL,
    server          TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN
                    ('found', 'in_progress', 'completed', 'conflict',
                     'aborted', 'abandoned', 'invalidated')),
    created_at      INTEGER NOT NULL,
    confirmed1_at   INTEGER,
    confirmed2_at   INTEGER,
    started_at      INTEGER,
    report1         TEXT    CHECK (report1 IN ('win', 'loss', 'draw')),
    report2         TEXT    CHECK (report2 IN ('win', 'loss', 'draw')),
    reported1_at    INTEGER,
    reported2_at    INTEGER,
    result          TEXT    CHECK (result IN ('player1', 'player2', 'draw')),
    result_source   TEXT    CHECK (result_source IN ('reports', 'replay', 'admin')),
    finished_at     INTEGER,
    rating1_change  REAL,
    rating2_change  REAL,
    ended_by        INTEGER,                 -- who aborted or did not confirm
    flagged_at      INTEGER,                 -- unreported too long: flagged for admins
    thread_id       INTEGER,                 -- the Discord thread carrying the match card
    CHECK (player1_id <> player2_id)
) STRICT;
CREATE INDEX matches_player1 ON matches (player1_id, created_at);
CREATE INDEX matches_player2 ON matches (player2_id, created_at);
CREATE INDEX matches_open ON matches (state) WHERE state IN ('found', 'in_progress', 'conflict');

CREATE TABLE replays (
    id              INTEGER PRIMARY KEY,
    sha256          TEXT    NOT NULL CHECK (length(sha256) = 64),
    match_id        INTEGER REFERENCES matches (id),
    uploader_id     INTEGER NOT NULL REFERENCES players (discord_id),
    uploaded_at     INTEGER NOT NULL,
    bytes           INTEGER NOT NULL,
    build           INTEGER,
    map_name        TEXT,
    game_started_at INTEGER,
    game_length_s   INTEGER,
    summary         TEXT,                    -- JSON of the parsed summary fields
    winner_slot     INTEGER CHECK (winner_slot IN (1, 2)),
    verdict         TEXT    NOT NULL CHECK (verdict IN ('verified', 'rejected', 'error')),
    verdict_detail  TEXT    NOT NULL
) STRICT;
-- A replay proves at most one match.
CREATE UNIQUE INDEX replays_verified_once ON replays (sha256) WHERE verdict = 'verified';
CREATE INDEX replays_match ON replays (match_id);

CREATE TABLE admin_actions (
    id              INTEGER PRIMARY KEY,
    admin_id        INTEGER NOT NULL,
    action          TEXT    NOT NULL,
    target_player_id INTEGER,
    target_match_id INTEGER,
    reason          TEXT    NOT NULL,
    details         TEXT,                    -- JSON: what exactly changed
    at              INTEGER NOT NULL
) STRICT;
CREATE INDEX admin_actions_at ON admin_actions (at);

-- Every command a player or admin issued and what came of it.
CREATE TABLE audit (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    actor_id    INTEGER NOT NULL,
    command     TEXT    NOT NULL,
    target      TEXT,
    outcome     TEXT    NOT NULL,
    details     TEXT                         -- JSON, e.g. old and new setup
) STRICT;
CREATE INDEX audit_actor ON audit (actor_id, at);
