-- Migration 5: fair confirms and presence (issue #15 items 1 and 3). NEVER
-- EDIT THIS FILE once landed.
--
-- * players gain lifetime counts of aborts and of lapses that counted (a
--   confirm window let run out after the card had reached the player in
--   time), and the times of their strikes (aborts and counted lapses) of the
--   last day, as a JSON list: the cooldown escalates with them.
-- * card_deliveries: when each player's match card was delivered (the
--   Discord layer reports it), so a lapse counts only when the card reached
--   the player in time. Kept for open matches; read back for those only.
-- * notify_prefs: who wants a ping when someone starts searching, how often
--   at most, not during their quiet hours (in their own time zone), and
--   optionally only for opponents near their rating.

ALTER TABLE players ADD COLUMN aborts_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE players ADD COLUMN lapses_total INTEGER NOT NULL DEFAULT 0;
ALTER TABLE players ADD COLUMN strikes TEXT NOT NULL DEFAULT '[]';

CREATE TABLE card_deliveries (
    match_id        INTEGER NOT NULL REFERENCES matches (id),
    player_id       INTEGER NOT NULL REFERENCES players (discord_id),
    delivered_at    INTEGER NOT NULL,
    PRIMARY KEY (match_id, player_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE notify_prefs (
    player_id       INTEGER PRIMARY KEY REFERENCES players (discord_id),
    enabled         INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    min_gap_ms      INTEGER NOT NULL CHECK (min_gap_ms > 0),
    quiet_from_min  INTEGER CHECK (quiet_from_min BETWEEN 0 AND 1439),
    quiet_to_min    INTEGER CHECK (quiet_to_min BETWEEN 0 AND 1439),
    time_zone       TEXT,                    -- IANA name; NULL: UTC
    near_rating     INTEGER CHECK (near_rating > 0),
    last_ping_at    INTEGER,
    updated_at      INTEGER NOT NULL,
    CHECK ((quiet_from_min IS NULL) = (quiet_to_min IS NULL))
) STRICT;
