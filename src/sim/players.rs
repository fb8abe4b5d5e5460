//! Virtual players.
