//! SIGTERM while players are signing up (issue #7's proof): the real
//! `ladderd run` binary against the simulator, many virtual users accepting
//! the terms, submitting the setup modal and joining the queue, and SIGTERM
//! in the middle of it. ladderd must exit 0 within its grace period; every
//! interaction ladderd received is answered exactly once (a success, or
//! "restarting"), and the database holds exactly what the success replies
//! said: nothing acknowledged is lost, nothing is applied without telling.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ladderd::sim::{Interact, ModalField, SimConfig, Simulator};
use tokio_util::sync::CancellationToken;

use crate::support::e2e::{BootOptions, config_text};
use crate::support::process::Ladderd;
use crate::support::wait::{WAIT, bounded, try_eventually, within};

/// Users signing up; they start a few milliseconds apart so the activity
/// spans the signal.
const USERS: usize = 120;
/// SIGTERM once this many replies said something succeeded.
const TERM_AFTER_SUCCESSES: usize = 90;
/// `[ops] shutdown_grace_s` in the test config.
const GRACE_S: u64 = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Step {
    Terms,
    Setup,
    Queue,
}

#[derive(Debug)]
struct Sent {
    user: u64,
    step: Step,
    token: String,
    /// Order of `interact` returning, against the SIGTERM cut-off.
    seq: u64,
}

fn success(reply: &str) -> bool {
    !reply.starts_with('❌') && !reply.starts_with('⏳')
}

fn letters(i: usize) -> String {
    let (a, b) = (i / 26 % 26, i % 26);
    format!(
        "Sig{}{}",
        (b'a' + a as u8) as char,
        (b'a' + b as u8) as char
    )
}

/// One user's sign-up, a step at a time, each after the previous one's
/// reply; stops at the first reply that is not a success, or when ladderd
/// has exited and the reply never came.
async fn sign_up(
    sim: Arc<Simulator>,
    i: usize,
    seq: Arc<AtomicU64>,
    sent: Arc<Mutex<Vec<Sent>>>,
    successes: Arc<AtomicU64>,
    exited: CancellationToken,
) {
    tokio::time::sleep(Duration::from_millis(5 * i as u64)).await;
    let lobby = sim.ids().lobby;
    let name = letters(i);
    let user = sim.add_user(&name);
    let field = |id: &str, v: &str| ModalField {
        custom_id: id.into(),
        value: v.into(),
    };
    let steps = [
        (
            Step::Terms,
            Interact::Button {
                custom_id: "tos:accept".into(),
                message: None,
            },
        ),
        (
            Step::Setup,
            Interact::Modal {
                custom_id: "setup".into(),
                fields: vec![
                    field("ingame_name", &name),
                    field("battletag", &format!("{name}#1234")),
                    field("alt_names", ""),
                    field("country", "DE"),
                    field("region", "EU"),
                ],
            },
        ),
        (
            Step::Queue,
            Interact::Slash {
                name: "queue".into(),
                options: vec![("race".into(), "T".into())],
            },
        ),
    ];
    for (step, what) in steps {
        if exited.is_cancelled() {
            return;
        }
        let d = sim.interact(user, lobby, &what).unwrap();
        let n = seq.fetch_add(1, Ordering::SeqCst);
        sent.lock().unwrap().push(Sent {
            user,
            step,
            token: d.token.clone(),
            seq: n,
        });
        let answered = |s: &Simulator| s.outcome(&d.token).is_some_and(|o| o.callbacks > 0);
        tokio::select! {
            _ = exited.cancelled() => {}
            _ = bounded(sim.wait_until(answered)) => {}
        }
        let reply = sim
            .outcome(&d.token)
            .and_then(|o| o.reply)
            .map(|m| m.content);
        match reply {
            Some(r) if success(&r) => {
                successes.fetch_add(1, Ordering::SeqCst);
            }
            _ => return,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_sign_ups_loses_no_acknowledged_work() {
    let sim = Arc::new(
        Simulator::start(SimConfig {
            // Discord gives 3 s; this test is about loss, not about latency
            // on a busy machine, so a late reply is still counted as a reply.
            callback_deadline: Duration::from_secs(120),
            ..SimConfig::default()
        })
        .await
        .unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ladder.db");
    let config = dir.path().join("ladderd.toml");
    let grace = format!("shutdown_grace_s = {GRACE_S}");
    let opts = BootOptions {
        ops: &grace,
        extra: "[log]\nlevel = \"info\"\n",
        ..BootOptions::default()
    };
    std::fs::write(&config, config_text(&sim, dir.path(), &opts, true)).unwrap();
    let mut child = Ladderd::run(&config, &sim.config().token, None);

    // Ready once the slash commands are registered (after the gateway's READY).
    let connected = bounded(sim.wait_until(|s| !s.commands().is_empty())).await;
    assert!(
        connected.is_some(),
        "ladderd did not connect:\n{}",
        child.stderr()
    );

    let seq = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(Mutex::new(Vec::new()));
    let successes = Arc::new(AtomicU64::new(0));
    let exited = CancellationToken::new();
    let mut users = tokio::task::JoinSet::new();
    for i in 0..USERS {
        users.spawn(sign_up(
            sim.clone(),
            i,
            seq.clone(),
            sent.clone(),
            successes.clone(),
            exited.clone(),
        ));
    }
    let signed_up =
        try_eventually(|| successes.load(Ordering::SeqCst) >= TERM_AFTER_SUCCESSES as u64).await;
    assert!(signed_up, "sign-ups stalled:\n{}", child.stderr());
    // Everything that returned from `interact` before this was dispatched
    // before the signal.
    let cutoff = seq.load(Ordering::SeqCst);
    child.signal(nix::sys::signal::Signal::SIGTERM);
    // Its own grace period bounds the stop, within the tests' one bound.
    assert!(Duration::from_secs(GRACE_S) < WAIT);
    let status = child.exit_status().await;
    exited.cancel();
    within("every user's task to end", async {
        while let Some(joined) = users.join_next().await {
            joined.unwrap();
        }
    })
    .await;
    let log_text = child.stderr();
    assert_eq!(status.code(), Some(0), "{log_text}");
    assert!(log_text.contains("stopped"), "{log_text}");
    // A clean stop: nothing given up, no delivery cut off by the grace
    // period, the replay pool shut down rather than left behind.
    assert!(!log_text.contains("ERROR"), "{log_text}");
    assert!(!log_text.contains("still shared"), "{log_text}");

    // Every interaction ladderd received was answered once; count the kinds.
    let sent = std::mem::take(&mut *sent.lock().unwrap());
    let mut told: HashMap<(u64, Step), bool> = HashMap::new();
    let (mut before, mut restarting, mut not_applied) = (0, 0, 0);
    let (mut unread, mut unread_before) = (0, 0);
    for s in &sent {
        let o = sim.outcome(&s.token).expect("dispatched");
        if s.seq < cutoff {
            before += 1;
        }
        if !o.written {
            // Queued in the simulator when ladderd closed the gateway: never
            // read, so never acknowledged (Discord would show "failed").
            unread += 1;
            if s.seq < cutoff {
                unread_before += 1;
            }
            assert_eq!(o.callbacks, 0, "{s:?}");
            continue;
        }
        assert_eq!(
            o.callbacks, 1,
            "{s:?} was received but not answered\n{log_text}"
        );
        let reply = o.reply.map(|m| m.content).unwrap_or_default();
        // "⏳ …restarting" from the bot once stopping; "❌ …restarting" from
        // the ladder loop for commands it had queued but not applied.
        if reply.starts_with('⏳') {
            restarting += 1;
        } else if reply.contains("restarting") {
            not_applied += 1;
        }
        told.insert((s.user, s.step), success(&reply));
    }
    // No callback was refused (a second answer, or one after the deadline).
    for (route, c) in sim.counters() {
        if route.contains("callback") {
            assert_eq!(c.client_errors, 0, "{route}: {c:?}");
        }
    }

    // The database (read-only, after the exit) holds exactly what players
    // were told succeeded.
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut rows: HashMap<u64, (bool, bool, bool)> = HashMap::new();
    let mut stmt = conn
        .prepare("SELECT discord_id, tos_accepted_at IS NOT NULL, setup_at IS NOT NULL, state FROM players")
        .unwrap();
    let mapped = stmt
        .query_map([], |r| {
            let state: String = r.get(3)?;
            Ok((
                r.get::<_, i64>(0)? as u64,
                (
                    r.get(1)?,
                    r.get(2)?,
                    state == "queueing" || state == "in_match",
                ),
            ))
        })
        .unwrap();
    for row in mapped {
        let (id, flags) = row.unwrap();
        rows.insert(id, flags);
    }
    let users_seen: std::collections::BTreeSet<u64> = sent.iter().map(|s| s.user).collect();
    let mut committed = 0;
    for user in &users_seen {
        let (terms, setup, queued) = rows.get(user).copied().unwrap_or_default();
        let said = |step| told.get(&(*user, step)).copied().unwrap_or(false);
        assert_eq!(terms, said(Step::Terms), "user {user}: terms in db {terms}");
        assert_eq!(setup, said(Step::Setup), "user {user}: setup in db {setup}");
        assert_eq!(
            queued,
            said(Step::Queue),
            "user {user}: queued in db {queued}"
        );
        committed += usize::from(terms) + usize::from(setup) + usize::from(queued);
    }
    assert!(committed >= TERM_AFTER_SUCCESSES, "{committed}");
    eprintln!(
        "SIGTERM during sign-ups: {} interactions ({before} before the signal), {committed} \
         acknowledged and committed, {restarting} arriving while stopping answered \"restarting\", {not_applied} queued but \
         not applied answered so, {unread} never read ({unread_before} of them \
         dispatched before the signal); exit 0",
        sent.len()
    );
    drop(stmt);
    drop(conn);
    if let Ok(sim) = Arc::try_unwrap(sim) {
        sim.shutdown().await;
    }
}
