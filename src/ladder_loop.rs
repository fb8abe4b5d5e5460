//! The imperative shell around the ladder core: one task owns the [`Ladder`],
//! applies commands and ticks in arrival order, and hands the effects'
//! rows to the store writer; a second task (the acker) waits for each commit,
//! in order, and only then releases the effects' messages.
//!
//! Why two tasks: the loop enqueues command N's rows and goes on to command
//! N+1 at once, so while one commit is being written the next commands'
//! rows queue up and share the next commit (group commit), instead of every
//! command waiting a full commit before the next is even applied. The acker
//! keeps the promise: a message that says something happened is released only
//! after the commit holding it — and so is every message after it, including
//! replies that wrote nothing (a queue view must not show a join that is not
//! yet committed).
//!
//! If a commit fails (disk full, I/O error, a refused row — a bug), memory and
//! database disagree: that is the end of this process's story. The writer
//! poisons itself (nothing enqueued after the failure commits, not even at
//! `Store::close`), the acker answers the failed command and every command
//! behind it "nothing was saved" (true: the writer refused their rows), the
//! shutdown token is cancelled at once so the Discord layer stops taking
//! interactions, and the loop ends with [`LoopFailure`] so the supervisor
//! exits non-zero and systemd restarts it from the database.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::clock::Clock;
use crate::config::LadderConfig;
use crate::ladder::{Actor, Command, Effects, Ladder, Message, ReconfigureError};
use crate::store::{PendingCommit, StoreWriter};

/// Requests waiting for the loop beyond this make senders wait.
const QUEUE: usize = 4096;

/// Why a command got no answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoopError {
    #[error("ladderd is restarting; nothing was done — try again in a minute")]
    Stopped,
    #[error("the ladder could not save this; nothing was changed — try again in a minute")]
    NotSaved,
}

/// Why the loop ended on its own.
#[derive(Debug, thiserror::Error)]
pub enum LoopFailure {
    #[error("a commit failed; stopping so the ladder restarts from the database: {0}")]
    Commit(#[source] crate::store::StoreError),
    #[error("the store writer refused new work: {0}")]
    Enqueue(#[source] crate::store::StoreError),
    #[error("the ladder loop's acker task failed: {0}")]
    Acker(#[source] tokio::task::JoinError),
}

enum Request {
    /// Boxed: a command is large and ticks are frequent.
    Command(Box<CommandRequest>),
    /// With a sender: told once the tick's messages are handed on.
    Tick(Option<oneshot::Sender<Result<(), LoopError>>>),
    /// A configuration reload, applied in order with the commands.
    Reconfigure(Box<ReconfigureRequest>),
    /// The Discord layer delivered an outbox row (see `ladder::outbox`).
    Delivered {
        outbox: u64,
        message_id: Option<u64>,
    },
    /// A row the Discord layer keeps for itself (how it reaches a player),
    /// committed in order with the ladder's own; the core never sees it.
    Remember(Box<crate::store::rows::Write>),
    /// Whether a replay already proves a match (the upload's check).
    ReplayUsed {
        sha: crate::replay::Sha256,
        reply: oneshot::Sender<bool>,
    },
}

struct ReconfigureRequest {
    config: LadderConfig,
    reply: oneshot::Sender<Result<Reconfiguring, ReconfigureError>>,
}

/// An accepted reconfiguration: the keys that changed and the ticket for
/// its commit.
struct Reconfiguring {
    changed: Vec<&'static str>,
    committed: oneshot::Receiver<Result<(), LoopError>>,
}

struct CommandRequest {
    actor: Actor,
    command: Command,
    reply: oneshot::Sender<Result<Vec<Message>, LoopError>>,
}

/// The cloneable handle the Discord layer (and tests) use.
#[derive(Clone)]
pub struct LadderHandle {
    tx: mpsc::Sender<Request>,
    outbox: Arc<OutboxGauge>,
    presence: Arc<PresenceGauge>,
}

/// What the outbox still owes: rows written and not yet settled (delivered
/// or superseded), and when the oldest was written (ladder time), for the
/// health report and metrics. Counted as rows are enqueued with the writer.
#[derive(Debug, Default)]
pub struct OutboxGauge {
    owed: std::sync::Mutex<std::collections::BTreeMap<u64, crate::store::rows::UnixMillis>>,
}

impl OutboxGauge {
    /// (rows owed, when the oldest was written).
    pub fn figures(&self) -> (usize, Option<crate::store::rows::UnixMillis>) {
        let owed = self.owed.lock().unwrap_or_else(|p| p.into_inner());
        (owed.len(), owed.values().min().copied())
    }

    fn track(&self, writes: &[crate::store::rows::Write]) {
        use crate::store::rows::Write;
        let mut owed = self.owed.lock().unwrap_or_else(|p| p.into_inner());
        for w in writes {
            match w {
                Write::Outbox(row) => {
                    owed.insert(row.id, row.created_at);
                }
                Write::OutboxSettled { id, .. } => {
                    owed.remove(id);
                }
                _ => {}
            }
        }
    }
}

/// What presence costs (#15): "someone is searching" pings sent (all, and
/// in the last hour: the figure that shows whether they became spam) and
/// players removed from the queue by expiry. Counted from the messages the
/// ladder emits, since the start.
#[derive(Debug, Default)]
pub struct PresenceGauge {
    pings: std::sync::Mutex<std::collections::VecDeque<std::time::Instant>>,
    pings_total: std::sync::atomic::AtomicU64,
    queue_expired: std::sync::atomic::AtomicU64,
}

impl PresenceGauge {
    const HOUR: std::time::Duration = std::time::Duration::from_secs(3_600);

    /// (pings in the last hour, pings since the start, players removed by
    /// queue expiry since the start).
    pub fn figures(&self) -> (u64, u64, u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let mut pings = self.pings.lock().unwrap_or_else(|p| p.into_inner());
        Self::forget_old(&mut pings, std::time::Instant::now());
        (
            pings.len() as u64,
            self.pings_total.load(Relaxed),
            self.queue_expired.load(Relaxed),
        )
    }

    fn forget_old(
        pings: &mut std::collections::VecDeque<std::time::Instant>,
        now: std::time::Instant,
    ) {
        while pings
            .front()
            .is_some_and(|at| now.duration_since(*at) > Self::HOUR)
        {
            pings.pop_front();
        }
    }

    fn track(&self, messages: &[crate::ladder::Message]) {
        use crate::ladder::Notice;
        use std::sync::atomic::Ordering::Relaxed;
        let now = std::time::Instant::now();
        for m in messages {
            match m.body {
                Notice::SomeoneSearching { .. } => {
                    self.pings_total.fetch_add(1, Relaxed);
                    let mut pings = self.pings.lock().unwrap_or_else(|p| p.into_inner());
                    pings.push_back(now);
                    Self::forget_old(&mut pings, now);
                }
                Notice::QueueExpired => {
                    self.queue_expired.fetch_add(1, Relaxed);
                }
                _ => {}
            }
        }
    }
}

impl LadderHandle {
    /// Pings sent and queue expiries (see [`PresenceGauge`]).
    pub fn presence(&self) -> &Arc<PresenceGauge> {
        &self.presence
    }

    /// What the outbox still owes (see [`OutboxGauge`]).
    pub fn outbox(&self) -> &Arc<OutboxGauge> {
        &self.outbox
    }

    /// Applies `command` for `actor`; resolves after its rows are committed
    /// with every message it produced (the router sends the `Actor` ones as
    /// the interaction reply and the rest through the outbound scheduler).
    pub async fn command(&self, actor: Actor, command: Command) -> Result<Vec<Message>, LoopError> {
        self.submit(actor, command).await?.answer().await
    }

    /// Queues `command` and returns at once with the ticket for its answer.
    /// Commands are applied in the order they were submitted: the gateway
    /// loop submits in event order and awaits answers elsewhere, so one
    /// user's quick succession of clicks is applied in the order they made it.
    pub async fn submit(&self, actor: Actor, command: Command) -> Result<Answer, LoopError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::Command(Box::new(CommandRequest {
                actor,
                command,
                reply,
            })))
            .await
            .map_err(|_| LoopError::Stopped)?;
        Ok(Answer(rx))
    }

    /// Runs the time-driven work (waves, reminders, timeouts) now, besides
    /// the regular ticks. The demo and tests use it after moving a manual clock.
    pub async fn tick(&self) -> Result<(), LoopError> {
        self.tx
            .send(Request::Tick(None))
            .await
            .map_err(|_| LoopError::Stopped)
    }

    /// Like [`tick`](Self::tick), but resolves only once the tick's rows are
    /// committed and its messages handed on for delivery: the demo's driver
    /// waits on it before it looks at what players were sent.
    pub async fn tick_and_wait(&self) -> Result<(), LoopError> {
        let (done, rx) = oneshot::channel();
        self.tx
            .send(Request::Tick(Some(done)))
            .await
            .map_err(|_| LoopError::Stopped)?;
        rx.await.map_err(|_| LoopError::Stopped)?
    }
}

impl LadderHandle {
    /// Records that outbox row `outbox` reached Discord (as message
    /// `message_id`, when known). Fire and forget: a mark lost in a crash
    /// costs a resend, which Discord drops by its nonce.
    pub async fn delivered(&self, outbox: u64, message_id: Option<u64>) -> Result<(), LoopError> {
        self.tx
            .send(Request::Delivered { outbox, message_id })
            .await
            .map_err(|_| LoopError::Stopped)
    }

    /// Stores a row the Discord layer keeps for itself (see
    /// `discord::delivery`). Fire and forget, like `delivered`: losing it in
    /// a crash costs one more request to Discord after the restart.
    pub async fn remember(&self, write: crate::store::rows::Write) -> Result<(), LoopError> {
        self.tx
            .send(Request::Remember(Box::new(write)))
            .await
            .map_err(|_| LoopError::Stopped)
    }

    /// Whether a verified replay with this sha256 already proves a match.
    /// Read from the ladder's state as applied so far, commits pending
    /// included: the ladder refuses a reuse itself anyway, this only lets
    /// the upload's verdict name it.
    pub async fn replay_used(&self, sha: crate::replay::Sha256) -> Result<bool, LoopError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::ReplayUsed { sha, reply })
            .await
            .map_err(|_| LoopError::Stopped)?;
        rx.await.map_err(|_| LoopError::Stopped)
    }

    /// Applies the `[ladder]` part of a reloaded configuration, in order with
    /// the commands (see `Ladder::reconfigure`). Resolves after the commit of
    /// its rows with the keys that changed; `Ok(Err(_))`: refused, nothing
    /// changed.
    pub async fn reconfigure(
        &self,
        config: LadderConfig,
    ) -> Result<Result<Vec<&'static str>, ReconfigureError>, LoopError> {
        let (reply, rx) = oneshot::channel();
        self.tx
            .send(Request::Reconfigure(Box::new(ReconfigureRequest {
                config,
                reply,
            })))
            .await
            .map_err(|_| LoopError::Stopped)?;
        match rx.await.map_err(|_| LoopError::Stopped)? {
            Err(refused) => Ok(Err(refused)),
            Ok(done) => {
                done.committed.await.map_err(|_| LoopError::Stopped)??;
                Ok(Ok(done.changed))
            }
        }
    }
}

/// The answer to a submitted command, released after its commit.
pub struct Answer(oneshot::Receiver<Result<Vec<Message>, LoopError>>);

impl Answer {
    pub async fn answer(self) -> Result<Vec<Message>, LoopError> {
        self.0.await.map_err(|_| LoopError::Stopped)?
    }
}

/// What the acker releases that nobody waits for: tick effects (match found,
/// reminders …) and the non-reply messages of commands are also sent here.
pub type Outgoing = mpsc::UnboundedSender<Message>;

struct Acked {
    commit: Option<PendingCommit>,
    /// The rows the web site's copy of the ladder follows (see
    /// `ladder::site`), handed on once committed.
    shown: Vec<crate::store::rows::Write>,
    messages: Vec<Message>,
    reply: Option<Reply>,
}

/// Who waits for a commit.
enum Reply {
    /// A command: its messages come back with the answer.
    Command(oneshot::Sender<Result<Vec<Message>, LoopError>>),
    /// A reconfiguration: its messages go out like a tick's, then it is told.
    Done(oneshot::Sender<Result<(), LoopError>>),
}

/// Starts the loop and its acker. `start_effects` are the effects of
/// rebuilding the ladder (season row, players set idle …), committed first.
/// No tick runs before `deliverable` is cancelled (Discord is connected, or
/// there is no Discord): deadlines do not expire and waves do not run while
/// nobody can be told; the first tick (or command) resumes the ladder
/// (`Ladder::resume`: downtime credited, the outbox re-issued).
/// Both tasks end when `shutdown` is cancelled and everything enqueued has
/// been acknowledged; the returned handle's result says whether a commit
/// failed — and a failed commit cancels `shutdown` itself.
#[allow(clippy::too_many_arguments)]
pub fn spawn(
    ladder: Ladder,
    start_effects: Effects,
    writer: StoreWriter,
    clock: Arc<dyn Clock>,
    tick_every: Duration,
    outgoing: Outgoing,
    deliverable: CancellationToken,
    shutdown: CancellationToken,
) -> (
    LadderHandle,
    tokio::task::JoinHandle<Result<(), LoopFailure>>,
) {
    spawn_with_feed(
        ladder,
        start_effects,
        writer,
        clock,
        tick_every,
        outgoing,
        deliverable,
        shutdown,
        None,
    )
}

/// Where committed rows go for the web site's copy of the ladder. Never
/// waited on: when it is full the rows are dropped and the site told to
/// reload from the database (`Feed::lagged`).
#[derive(Clone)]
pub struct Feed {
    pub rows: mpsc::Sender<Vec<crate::store::rows::Write>>,
    pub lagged: Arc<std::sync::atomic::AtomicBool>,
}

/// [`spawn`], handing each commit's rows that the site shows to `feed`.
#[allow(clippy::too_many_arguments)]
pub fn spawn_with_feed(
    ladder: Ladder,
    start_effects: Effects,
    writer: StoreWriter,
    clock: Arc<dyn Clock>,
    tick_every: Duration,
    outgoing: Outgoing,
    deliverable: CancellationToken,
    shutdown: CancellationToken,
    feed: Option<Feed>,
) -> (
    LadderHandle,
    tokio::task::JoinHandle<Result<(), LoopFailure>>,
) {
    let (tx, rx) = mpsc::channel(QUEUE);
    let (ack_tx, ack_rx) = mpsc::unbounded_channel();
    let failed = CancellationToken::new();
    let outbox = Arc::new(OutboxGauge::default());
    outbox.track(
        &ladder
            .pending_outbox()
            .iter()
            .cloned()
            .map(crate::store::rows::Write::Outbox)
            .collect::<Vec<_>>(),
    );
    let follow = feed.is_some();
    let acker = tokio::spawn(acker(
        ack_rx,
        outgoing,
        feed,
        failed.clone(),
        shutdown.clone(),
    ));
    let presence = Arc::new(PresenceGauge::default());
    let gauges = (outbox.clone(), presence.clone());
    let main = tokio::spawn(async move {
        let result = run(
            ladder,
            gauges,
            start_effects,
            writer,
            clock,
            tick_every,
            rx,
            ack_tx,
            Gates {
                deliverable,
                shutdown,
                failed,
            },
            follow,
        )
        .await;
        let acked = acker.await.map_err(LoopFailure::Acker)?;
        // The commit failure is the cause; a refused enqueue follows from it.
        acked.and(result)
    });
    (
        LadderHandle {
            tx,
            outbox,
            presence,
        },
        main,
    )
}

/// When the loop may tick and when it must stop.
struct Gates {
    deliverable: CancellationToken,
    shutdown: CancellationToken,
    failed: CancellationToken,
}

#[allow(clippy::too_many_arguments)]
async fn run(
    mut ladder: Ladder,
    (outbox, presence): (Arc<OutboxGauge>, Arc<PresenceGauge>),
    start_effects: Effects,
    writer: StoreWriter,
    clock: Arc<dyn Clock>,
    tick_every: Duration,
    mut rx: mpsc::Receiver<Request>,
    ack_tx: mpsc::UnboundedSender<Acked>,
    gates: Gates,
    follow: bool,
) -> Result<(), LoopFailure> {
    let Gates {
        deliverable,
        shutdown,
        failed,
    } = gates;
    let persist = |fx: Effects, reply| {
        let writer = writer.clone();
        let ack_tx = ack_tx.clone();
        outbox.track(&fx.writes);
        presence.track(&fx.messages);
        // A few rows per command: cloned only when a site follows them.
        let shown: Vec<crate::store::rows::Write> = if follow {
            fx.writes
                .iter()
                .filter(|w| Ladder::shown_on_site(w))
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        async move {
            let commit = if fx.writes.is_empty() {
                None
            } else {
                Some(
                    writer
                        .enqueue(fx.writes)
                        .await
                        .map_err(LoopFailure::Enqueue)?,
                )
            };
            // The acker ends only after the loop drops its sender.
            let _ = ack_tx.send(Acked {
                commit,
                shown,
                messages: fx.messages,
                reply,
            });
            Ok::<(), LoopFailure>(())
        }
    };
    persist(start_effects, None).await?;
    let mut ticker = tokio::time::interval(tick_every);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let request = tokio::select! {
            biased;
            _ = failed.cancelled() => break,
            _ = shutdown.cancelled() => break,
            request = rx.recv() => match request {
                Some(r) => r,
                None => break,
            },
            // Discord became reachable: resume at once, not a tick later.
            _ = deliverable.cancelled(), if !ladder.resumed() => Request::Tick(None),
            _ = ticker.tick(), if deliverable.is_cancelled() => Request::Tick(None),
        };
        match request {
            Request::Command(request) => {
                let CommandRequest {
                    actor,
                    command,
                    reply,
                } = *request;
                let fx = ladder.handle(clock.now(), actor, command);
                persist(fx, Some(Reply::Command(reply))).await?;
            }
            Request::Delivered { outbox, message_id } => {
                let fx = ladder.delivered(outbox, clock.now(), message_id);
                persist(fx, None).await?;
            }
            Request::Remember(write) => {
                let fx = crate::ladder::Effects {
                    writes: vec![*write],
                    messages: Vec::new(),
                };
                persist(fx, None).await?;
            }
            Request::ReplayUsed { sha, reply } => {
                let _ = reply.send(ladder.replay_used(&sha));
            }
            Request::Tick(done) if !deliverable.is_cancelled() => {
                // Asked for explicitly before Discord is up: nothing runs yet.
                if let Some(done) = done {
                    let _ = done.send(Ok(()));
                }
            }
            Request::Tick(done) => {
                let fx = ladder.tick(clock.now());
                if done.is_some() || !fx.writes.is_empty() || !fx.messages.is_empty() {
                    persist(fx, done.map(Reply::Done)).await?;
                }
            }
            Request::Reconfigure(request) => {
                let ReconfigureRequest { config, reply } = *request;
                match ladder.reconfigure(clock.now(), config) {
                    Err(refused) => {
                        let _ = reply.send(Err(refused));
                    }
                    Ok(done) => {
                        let (done_tx, committed) = oneshot::channel();
                        let _ = reply.send(Ok(Reconfiguring {
                            changed: done.changed,
                            committed,
                        }));
                        persist(done.effects, Some(Reply::Done(done_tx))).await?;
                    }
                }
            }
        }
    }
    // Anyone still waiting in the queue is told, not left hanging.
    rx.close();
    while let Ok(request) = rx.try_recv() {
        // A pending reconfiguration's sender is dropped: it reads `Stopped`.
        if let Request::Command(request) = request {
            let _ = request.reply.send(Err(LoopError::Stopped));
        }
    }
    // The acker reports the failed commit itself.
    Ok(())
}

async fn acker(
    mut rx: mpsc::UnboundedReceiver<Acked>,
    outgoing: Outgoing,
    feed: Option<Feed>,
    failed: CancellationToken,
    shutdown: CancellationToken,
) -> Result<(), LoopFailure> {
    let mut first_error: Option<crate::store::StoreError> = None;
    while let Some(acked) = rx.recv().await {
        let saved = match (acked.commit, &first_error) {
            // After one failure, nothing later is trusted to be saved either.
            (_, Some(_)) => false,
            (None, None) => true,
            (Some(commit), None) => match commit.committed().await {
                Ok(_) => true,
                Err(e) => {
                    tracing::error!(error = %e, "a ladder commit failed; ladderd stops and restarts from the database");
                    first_error = Some(e);
                    failed.cancel();
                    // The whole process stops now: nothing it does from here
                    // on could be saved.
                    shutdown.cancel();
                    false
                }
            },
        };
        if saved
            && !acked.shown.is_empty()
            && let Some(feed) = &feed
            && feed.rows.try_send(acked.shown).is_err()
        {
            feed.lagged
                .store(true, std::sync::atomic::Ordering::Release);
        }
        match (saved, acked.reply) {
            (true, Some(Reply::Command(reply))) => {
                let _ = reply.send(Ok(acked.messages));
            }
            (true, reply) => {
                for m in acked.messages {
                    let _ = outgoing.send(m);
                }
                if let Some(Reply::Done(done)) = reply {
                    let _ = done.send(Ok(()));
                }
            }
            (false, Some(Reply::Command(reply))) => {
                let _ = reply.send(Err(LoopError::NotSaved));
            }
            (false, Some(Reply::Done(done))) => {
                let _ = done.send(Err(LoopError::NotSaved));
            }
            (false, None) => {}
        }
    }
    first_error.map_or(Ok(()), |e| Err(LoopFailure::Commit(e)))
}
