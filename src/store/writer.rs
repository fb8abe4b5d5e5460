//! The writer: one thread owns the read-write connection; everyone else talks
//! to it through [`StoreWriter`], a cloneable channel handle (the actor shape
//! of tokio-rusqlite and twilight's rate limiter).
//!
//! Group commit: the thread blocks for the first request, then takes every
//! request already waiting (up to `commit_max_batch`, optionally after
//! `commit_window_us`) into ONE transaction. A request whose rows are refused
//! is refused, and so is every request after it (the batch is retried with a
//! savepoint per request, so the requests before it commit). After COMMIT
//! returns, and only then, each request is acknowledged. While one commit is
//! being fsynced, new requests queue up and form the next batch: the busier
//! the ladder, the more each fsync is shared.
//!
//! Fail-stop: the first refused request or failed commit *poisons* the
//! writer. Every later request — already queued, or submitted after, or left
//! for `Store::close` — is refused with [`StoreError::Poisoned`] and nothing
//! of it is written. Why: callers (the ladder loop) build each request from
//! in-memory state that assumed every earlier request committed; a later
//! whole-row upsert would carry the failed request's changes to disk behind
//! everyone's back. After a poisoning the only way forward is a restart
//! from the database, which the ladder loop asks for.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};
use tokio::sync::{mpsc, oneshot};

use super::rows::Write;
use super::{StoreError, sql};
use crate::config::StoreConfig;
use crate::ops::latency::LatencyWindow;

/// Requests waiting for the writer beyond this make submitters wait (backpressure).
const QUEUE_CAPACITY: usize = 65_536;

/// What an acknowledged write learns about its commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommitInfo {
    /// 1 for the writer's first commit, counting up.
    pub commit_seq: u64,
    /// How many requests shared the transaction.
    pub batch_requests: usize,
}

/// Counters for health and metrics; read with [`StoreWriter::stats`].
/// The same figures also go to the `metrics` registry as they happen.
pub struct WriterStats {
    pub commits: AtomicU64,
    pub requests: AtomicU64,
    pub rows: AtomicU64,
    pub refused_requests: AtomicU64,
    pub failed_commits: AtomicU64,
    /// Requests submitted and not yet acknowledged.
    pub pending: AtomicU64,
    /// Sum of commit durations (begin to COMMIT returned), microseconds.
    pub commit_micros: AtomicU64,
    /// Commit durations over the last five minutes, for p50/p99.
    pub commit_latency: LatencyWindow,
}

impl Default for WriterStats {
    fn default() -> Self {
        WriterStats {
            commits: AtomicU64::new(0),
            requests: AtomicU64::new(0),
            rows: AtomicU64::new(0),
            refused_requests: AtomicU64::new(0),
            failed_commits: AtomicU64::new(0),
            pending: AtomicU64::new(0),
            commit_micros: AtomicU64::new(0),
            commit_latency: LatencyWindow::new(Duration::from_secs(300), 65_536),
        }
    }
}

type Ack = oneshot::Sender<Result<CommitInfo, StoreError>>;

/// A request in the writer's queue; [`committed`](Self::committed) resolves
/// once its transaction has committed (or the request was refused).
#[must_use = "a write is only known to be durable once `committed` returns Ok"]
pub struct PendingCommit(oneshot::Receiver<Result<CommitInfo, StoreError>>);

impl PendingCommit {
    pub async fn committed(self) -> Result<CommitInfo, StoreError> {
        self.0.await.map_err(|_| StoreError::WriterGone)?
    }
}

enum Msg {
    Write { writes: Vec<Write>, ack: Ack },
    Close,
}

/// The cloneable handle to the writer thread.
#[derive(Clone)]
pub struct StoreWriter {
    tx: mpsc::Sender<Msg>,
    stats: Arc<WriterStats>,
    closing: Arc<AtomicBool>,
}

impl StoreWriter {
    /// Submits `writes` and waits until they are committed (or refused).
    /// Returning `Ok` means the rows are in the database file.
    pub async fn submit(&self, writes: Vec<Write>) -> Result<CommitInfo, StoreError> {
        self.enqueue(writes).await?.committed().await
    }

    /// Queues `writes` (waiting only for room in the queue) and returns the
    /// commit to await. Requests commit in the order they were enqueued, so a
    /// caller can enqueue many and await them in order: that is how the
    /// ladder loop lets group commit batch one command's rows with the next.
    pub async fn enqueue(&self, writes: Vec<Write>) -> Result<PendingCommit, StoreError> {
        let (ack, done) = oneshot::channel();
        self.stats.pending.fetch_add(1, Ordering::Relaxed);
        if self.tx.send(Msg::Write { writes, ack }).await.is_err() {
            self.stats.pending.fetch_sub(1, Ordering::Relaxed);
            return Err(StoreError::WriterGone);
        }
        Ok(PendingCommit(done))
    }

    /// [`submit`](Self::submit) for threads outside the runtime. Panics if
    /// called from async code (tokio's rule for blocking sends).
    pub fn submit_blocking(&self, writes: Vec<Write>) -> Result<CommitInfo, StoreError> {
        let (ack, done) = oneshot::channel();
        self.stats.pending.fetch_add(1, Ordering::Relaxed);
        if self.tx.blocking_send(Msg::Write { writes, ack }).is_err() {
            self.stats.pending.fetch_sub(1, Ordering::Relaxed);
            return Err(StoreError::WriterGone);
        }
        done.blocking_recv().map_err(|_| StoreError::WriterGone)?
    }

    pub fn stats(&self) -> &WriterStats {
        &self.stats
    }

    /// Asks the writer to commit what is queued and stop. Does not block:
    /// the flag is seen after the current commit even if the queue is full,
    /// and the message wakes a writer waiting on an empty queue.
    pub(super) fn request_close(&self) {
        self.closing.store(true, Ordering::SeqCst);
        // Full: the writer is busy and will see the flag. Closed: already gone.
        let _ = self.tx.try_send(Msg::Close);
    }
}

pub(super) fn spawn(
    conn: Connection,
    config: &StoreConfig,
) -> Result<(StoreWriter, std::thread::JoinHandle<()>), StoreError> {
    let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
    let stats = Arc::new(WriterStats::default());
    let closing = Arc::new(AtomicBool::new(false));
    let mut writer = Writer {
        conn,
        path: config.path.clone(),
        rx,
        max_batch: config.commit_max_batch.max(1),
        window: Duration::from_micros(config.commit_window_us),
        stats: stats.clone(),
        closing: closing.clone(),
        commit_seq: 0,
        poisoned: None,
    };
    let thread = std::thread::Builder::new()
        .name("ladderd-store".into())
        .spawn(move || writer.run())
        .map_err(|source| StoreError::Io {
            path: config.path.clone(),
            op: "start the writer thread",
            source,
        })?;
    Ok((StoreWriter { tx, stats, closing }, thread))
}

struct Writer {
    conn: Connection,
    path: PathBuf,
    rx: mpsc::Receiver<Msg>,
    max_batch: usize,
    window: Duration,
    stats: Arc<WriterStats>,
    closing: Arc<AtomicBool>,
    commit_seq: u64,
    /// Why the writer refuses everything: the first failure.
    poisoned: Option<String>,
}

/// What happened to one request of a committed batch.
enum Outcome {
    Committed,
    Refused(sql::RowError),
    /// Not attempted: an earlier request of the batch was refused.
    After,
}

struct Request {
    writes: Vec<Write>,
    ack: Ack,
}

impl Writer {
    fn run(&mut self) {
        let mut batch: Vec<Request> = Vec::new();
        let mut closing = false;
        while !closing {
            match self.rx.blocking_recv() {
                Some(Msg::Write { writes, ack }) => batch.push(Request { writes, ack }),
                Some(Msg::Close) | None => break,
            }
            closing = self.drain(&mut batch);
            if !closing && !self.window.is_zero() && batch.len() < self.max_batch {
                std::thread::sleep(self.window);
                closing = self.drain(&mut batch);
            }
            self.commit(&mut batch);
            closing |= self.closing.load(Ordering::SeqCst);
        }
        // Refuse new requests, then commit everything submitted before the close.
        self.rx.close();
        loop {
            while batch.len() < self.max_batch {
                match self.rx.try_recv() {
                    Ok(Msg::Write { writes, ack }) => batch.push(Request { writes, ack }),
                    Ok(Msg::Close) => {}
                    Err(_) => break,
                }
            }
            if batch.is_empty() {
                break;
            }
            self.commit(&mut batch);
        }
        tracing::debug!(path = %self.path.display(), commits = self.commit_seq, "store writer stopped");
    }

    /// Moves waiting requests into `batch`; true when a close was asked for.
    fn drain(&mut self, batch: &mut Vec<Request>) -> bool {
        while batch.len() < self.max_batch {
            match self.rx.try_recv() {
                Ok(Msg::Write { writes, ack }) => batch.push(Request { writes, ack }),
                Ok(Msg::Close) => return true,
                Err(_) => break,
            }
        }
        false
    }

    fn commit(&mut self, batch: &mut Vec<Request>) {
        let n = batch.len();
        if let Some(cause) = &self.poisoned {
            let pending = self.stats.pending.fetch_sub(n as u64, Ordering::Relaxed) - n as u64;
            metrics::gauge!("ladderd_store_pending_requests").set(pending as f64);
            self.stats
                .refused_requests
                .fetch_add(n as u64, Ordering::Relaxed);
            for req in batch.drain(..) {
                let _ = req.ack.send(Err(StoreError::Poisoned {
                    path: self.path.clone(),
                    cause: cause.clone(),
                }));
            }
            return;
        }
        let started = std::time::Instant::now();
        let outcome = self.transaction(batch);
        let took = started.elapsed();
        let micros = took.as_micros() as u64;
        let pending = self.stats.pending.fetch_sub(n as u64, Ordering::Relaxed) - n as u64;
        metrics::gauge!("ladderd_store_pending_requests").set(pending as f64);
        match outcome {
            Ok(results) => {
                self.commit_seq += 1;
                self.stats.commits.fetch_add(1, Ordering::Relaxed);
                self.stats
                    .commit_micros
                    .fetch_add(micros, Ordering::Relaxed);
                self.stats.requests.fetch_add(n as u64, Ordering::Relaxed);
                self.stats.commit_latency.record(started + took, took);
                metrics::counter!("ladderd_store_commits_total").increment(1);
                metrics::counter!("ladderd_store_requests_total").increment(n as u64);
                metrics::histogram!("ladderd_store_commit_duration_seconds")
                    .record(took.as_secs_f64());
                metrics::histogram!("ladderd_store_batch_requests").record(n as f64);
                let info = CommitInfo {
                    commit_seq: self.commit_seq,
                    batch_requests: n,
                };
                for (req, result) in batch.drain(..).zip(results) {
                    let reply = match result {
                        Outcome::Committed => {
                            self.stats
                                .rows
                                .fetch_add(req.writes.len() as u64, Ordering::Relaxed);
                            Ok(info)
                        }
                        Outcome::Refused(source) => {
                            self.stats.refused_requests.fetch_add(1, Ordering::Relaxed);
                            metrics::counter!("ladderd_store_refused_requests_total").increment(1);
                            let cause = format!("a row was refused: {source}");
                            tracing::error!(path = %self.path.display(), %cause, "store request refused; the writer refuses everything after it");
                            self.poisoned.get_or_insert(cause);
                            Err(StoreError::Row {
                                path: self.path.clone(),
                                source,
                            })
                        }
                        Outcome::After => {
                            self.stats.refused_requests.fetch_add(1, Ordering::Relaxed);
                            metrics::counter!("ladderd_store_refused_requests_total").increment(1);
                            Err(StoreError::Poisoned {
                                path: self.path.clone(),
                                cause: self.poisoned.clone().unwrap_or_default(),
                            })
                        }
                    };
                    // The submitter may have stopped waiting; the rows are committed regardless.
                    let _ = req.ack.send(reply);
                }
            }
            Err(e) => {
                self.stats.failed_commits.fetch_add(1, Ordering::Relaxed);
                metrics::counter!("ladderd_store_failed_commits_total").increment(1);
                let message = e.to_string();
                tracing::error!(path = %self.path.display(), error = %message, requests = n, "store commit failed; the writer refuses everything after it");
                self.poisoned = Some(format!("a commit failed: {message}"));
                for req in batch.drain(..) {
                    let _ = req.ack.send(Err(StoreError::CommitFailed {
                        path: self.path.clone(),
                        message: message.clone(),
                    }));
                }
            }
        }
    }

    /// One IMMEDIATE transaction holding every request of the batch. The outer
    /// error means nothing was committed.
    ///
    /// Optimistic: the requests run back to back with no savepoints (two
    /// statements per request saved on the hot path). Only if a row is
    /// refused is the transaction rolled back and the batch run again with a
    /// savepoint per request: the requests before the refused one commit,
    /// it and every one after it are refused.
    fn transaction(&mut self, batch: &[Request]) -> Result<Vec<Outcome>, rusqlite::Error> {
        {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let all = batch
                .iter()
                .try_for_each(|req| req.writes.iter().try_for_each(|w| sql::apply(&tx, w)));
            match all {
                Ok(()) => {
                    tx.commit()?;
                    return Ok(batch.iter().map(|_| Outcome::Committed).collect());
                }
                // A failing statement may have been the commit-relevant one (e.g.
                // SQLITE_FULL); those surface again below where they belong.
                Err(_) => tx.rollback()?,
            }
        }
        let mut tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut results = Vec::with_capacity(batch.len());
        for req in batch {
            if !results.iter().all(|r| matches!(r, Outcome::Committed)) {
                results.push(Outcome::After);
                continue;
            }
            let sp = tx.savepoint()?;
            match req.writes.iter().try_for_each(|w| sql::apply(&sp, w)) {
                Ok(()) => {
                    sp.commit()?;
                    results.push(Outcome::Committed);
                }
                Err(e) => {
                    // Dropping the savepoint rolls back this request's rows only.
                    drop(sp);
                    results.push(Outcome::Refused(e));
                }
            }
        }
        tx.commit()?;
        Ok(results)
    }
}
