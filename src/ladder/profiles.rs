//! Profile edits besides the full setup: the prefilled `/setup` form and
//! `/setcountry`.

use super::validate::{self, SetupForm};
use super::{Ack, Audience, Effects, Ladder, LadderError, Notice, PlayerId};
use crate::store::rows::{UnixMillis, Write};

impl Ladder {
    /// The actor's profile as a form; an unknown player gets an empty one
    /// (the submit then says what is missing, as before).
    pub(super) fn edit_setup(&self, id: PlayerId) -> Effects {
        let form = match self.players.get(&id) {
            Some(p) => SetupForm {
                ingame_name: p.ingame_name.clone().unwrap_or_default(),
                battletag: p.battletag.clone().unwrap_or_default(),
                alt_names: p.alt_names.clone(),
                country: p.country.clone().unwrap_or_default(),
                region: p.region.clone().unwrap_or_default(),
            },
            None => SetupForm {
                ingame_name: String::new(),
                battletag: String::new(),
                alt_names: Vec::new(),
                country: String::new(),
                region: String::new(),
            },
        };
        let mut fx = Effects::default();
        fx.tell(Audience::Actor, Notice::SetupForm(Box::new(form)));
        fx
    }

    pub(super) fn set_country(
        &mut self,
        now: UnixMillis,
        id: PlayerId,
        given: &str,
    ) -> Result<Effects, LadderError> {
        self.active_player(id)?;
        let country =
            validate::check_country(given).map_err(|e| LadderError::InvalidSetup(vec![e]))?;
        let p = self
            .players
            .get_mut(&id)
            .expect("active_player checked the player exists");
        let old = p.country.replace(country.clone());
        p.updated_at = now;
        let mut fx = Effects::default();
        fx.write(Write::Player(p.clone()));
        self.audit(
            &mut fx,
            now,
            id,
            "setcountry",
            "ok",
            Some(serde_json::json!({ "old": old, "new": country })),
        );
        let represented = (country != validate::NON_REPRESENTING).then(|| country.clone());
        fx.tell(Audience::Actor, Notice::Ack(Ack::CountrySaved(represented)));
        Ok(fx)
    }
}
