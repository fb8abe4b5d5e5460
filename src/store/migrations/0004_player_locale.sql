-- Migration 4: each player's language. NEVER EDIT THIS FILE once landed.
--
-- * player_reach gains 'locale': the Discord locale code (one ladderd ships,
--   e.g. 'ko') the player's last interaction reported, so the cards and DMs
--   that answer no interaction keep their language across a restart.
--   Written by the Discord layer with the rest of the row; NULL: none seen
--   (English).

ALTER TABLE player_reach ADD COLUMN locale TEXT CHECK (locale IS NULL OR length(locale) <= 16);
