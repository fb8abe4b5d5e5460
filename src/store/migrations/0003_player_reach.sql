-- Migration 3: how Discord lets ladderd reach each player. NEVER EDIT THIS
-- FILE once landed.
--
-- * player_reach: what Discord gave ladderd and must not be asked for again
--   after a restart (opening a DM channel counts against Discord's DM
--   anti-spam, answered 403 40003): the player's DM channel, whether their
--   DMs are closed (403 50007 on a DM), and when they were told how to open
--   them. Written by the Discord layer (src/discord/delivery.rs) through the
--   ladder loop's writer; the ladder core never reads it.
-- * ladder_meta gains 'lobby_status_message': the lobby's live status
--   message, edited in place rather than posted anew.

CREATE TABLE player_reach (
    player_id       INTEGER PRIMARY KEY,
    dm_channel_id   INTEGER,                 -- NULL: not opened yet
    dms_closed      INTEGER NOT NULL DEFAULT 0 CHECK (dms_closed IN (0, 1)),
    hinted_at       INTEGER,                 -- told how to open DMs (once)
    updated_at      INTEGER NOT NULL
) STRICT;
