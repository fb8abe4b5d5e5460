//! What one virtual player saw, as an HTML page a person can open and judge:
//! their DMs, the lobby and threads they can read, and the ephemeral
//! replies only they saw, in the order Discord created them, with
//! timestamps, bold text and buttons drawn roughly as Discord draws them.
//! A message never delivered is not there, as the player never saw it. An
//! edited message (the lobby's status) shows as it is at the end.

use twilight_model::channel::message::Component;
use twilight_model::channel::message::component::ButtonStyle;

use super::{Place, Simulator};

/// The page for `user`.
pub fn html(sim: &Simulator, user: u64) -> String {
    let name = sim.user_name(user).unwrap_or_else(|| user.to_string());
    let bot = sim.ids().bot_user;
    let mut out = String::new();
    out.push_str("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n");
    out.push_str(&format!(
        "<title>What {} saw — ladderd demo</title>\n",
        escape(&name)
    ));
    out.push_str(STYLE);
    out.push_str("</head><body>\n");
    out.push_str(&format!(
        "<h1>What <b>{}</b> saw</h1>\n<p class=\"note\">Every message the simulated Discord showed this player, oldest first. \
         <span class=\"tag dm\">DM</span> direct messages, <span class=\"tag lobby\">#lobby</span> the lobby channel, \
         <span class=\"tag eph\">only you</span> ephemeral replies only they saw. Messages ladderd could not deliver are not here.</p>\n",
        escape(&name)
    ));
    for seen in sim.seen_by(user) {
        let m = &seen.message;
        let (tag, class) = match seen.place {
            Place::Dm => ("DM".to_owned(), "dm"),
            Place::Lobby => ("#lobby".to_owned(), "lobby"),
            Place::Thread(t) => (format!("thread {t}"), "thread"),
            Place::Ephemeral => ("only you".to_owned(), "eph"),
        };
        let author = if m.author.id.get() == bot {
            "ladderd".to_owned()
        } else {
            m.author.name.clone()
        };
        let when = m.timestamp.iso_8601().to_string();
        out.push_str(&format!(
            "<div class=\"msg {class}\"><div class=\"head\"><span class=\"tag {class}\">{}</span> \
             <b>{}</b> <time>{}</time></div>\n<div class=\"body\">{}</div>\n",
            escape(&tag),
            escape(&author),
            escape(&when),
            markdown(&m.content)
        ));
        let buttons = buttons(&m.components);
        if !buttons.is_empty() {
            out.push_str("<div class=\"buttons\">");
            out.push_str(&buttons);
            out.push_str("</div>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</body></html>\n");
    out
}

fn buttons(components: &[Component]) -> String {
    let mut out = String::new();
    for row in components {
        let Component::ActionRow(row) = row else {
            continue;
        };
        for c in &row.components {
            match c {
                Component::Button(b) => {
                    let class = match b.style {
                        ButtonStyle::Primary => "primary",
                        ButtonStyle::Success => "success",
                        ButtonStyle::Danger => "danger",
                        _ => "secondary",
                    };
                    out.push_str(&format!(
                        "<span class=\"button {class}\">{}</span>",
                        escape(b.label.as_deref().unwrap_or("·"))
                    ));
                }
                Component::SelectMenu(s) => out.push_str(&format!(
                    "<span class=\"select\">{} ▾</span>",
                    escape(s.placeholder.as_deref().unwrap_or("Choose…"))
                )),
                _ => {}
            }
        }
    }
    out
}

/// Discord's markdown as far as ladderd uses it: `**bold**`, line breaks,
/// `<t:…:R>` timestamps shown as they are.
fn markdown(text: &str) -> String {
    let escaped = escape(text);
    let mut out = String::new();
    for (i, part) in escaped.split("**").enumerate() {
        if i % 2 == 1 {
            out.push_str("<b>");
            out.push_str(part);
            out.push_str("</b>");
        } else {
            out.push_str(part);
        }
    }
    out.replace('\n', "<br>\n")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const STYLE: &str = "<style>
body { background: #313338; color: #dbdee1; font: 15px/1.4 system-ui, sans-serif; max-width: 52rem; margin: 2rem auto; }
h1 { font-size: 1.3rem; } .note { color: #949ba4; }
.msg { padding: .5rem .8rem; margin: .4rem 0; border-radius: 6px; background: #2b2d31; }
.msg.eph { border-left: 3px solid #5865f2; } .msg.dm { border-left: 3px solid #23a55a; }
.head time { color: #949ba4; font-size: .8rem; margin-left: .4rem; }
.tag { font-size: .75rem; padding: 0 .35rem; border-radius: 3px; background: #4e5058; }
.tag.dm { background: #23a55a; } .tag.eph { background: #5865f2; }
.body { margin-top: .25rem; }
.buttons { margin-top: .4rem; }
.button, .select { display: inline-block; padding: .2rem .8rem; margin-right: .4rem; border-radius: 3px; background: #4e5058; color: #fff; font-size: .9rem; }
.button.primary { background: #5865f2; } .button.success { background: #248046; } .button.danger { background: #da373c; }
.select { background: #1e1f22; border: 1px solid #4e5058; }
</style>
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_bold_is_drawn() {
        assert_eq!(
            markdown("**Match found** <b>x</b> & co\nnext"),
            "<b>Match found</b> &lt;b&gt;x&lt;/b&gt; &amp; co<br>\nnext"
        );
    }
}
