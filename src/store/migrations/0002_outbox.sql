-- Migration 2: crash consistency. NEVER EDIT THIS FILE once landed.
--
-- * outbox: every message a player or admin must receive because of a state
--   change, written in the same transaction as the change. The Discord layer
--   delivers from it and marks each row; a restart delivers the rows still
--   pending (see src/ladder/outbox.rs for the policy per kind).
-- * matches.confirm_by: the confirm deadline promised on the card, so a
--   reload of confirm_window_s or a restart never moves it (NULL on matches
--   made before this migration: created_at + the configured window).
-- * ladder_meta: single values the ladder keeps across restarts; today the
--   heartbeat ('alive_at'), from which a restart measures its downtime.
-- * retired_maps: maps a reload removed while open matches still play on them.

ALTER TABLE matches ADD COLUMN confirm_by INTEGER;

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,     -- assigned by the ladder core
    created_at      INTEGER NOT NULL,
    audience        TEXT    NOT NULL CHECK (audience IN ('player', 'lobby', 'match', 'admin_log')),
    target          INTEGER,                 -- the player or match; NULL for lobby, admin log
    body            TEXT    NOT NULL,        -- JSON: what to say (src/ladder/outbox.rs)
    delivered_at    INTEGER,                 -- NULL: still to deliver
    delivery        TEXT    CHECK (delivery IN ('sent', 'superseded')),
    message_id      INTEGER,                 -- the Discord message, when sent
    CHECK ((delivered_at IS NULL) = (delivery IS NULL))
) STRICT;
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_at IS NULL;

CREATE TABLE ladder_meta (
    key     TEXT    PRIMARY KEY,
    value   INTEGER NOT NULL
) STRICT;

CREATE TABLE retired_maps (
    name    TEXT    PRIMARY KEY,
    info    TEXT    NOT NULL                 -- JSON of the map's configuration
) STRICT;
