//! `ladderd worker --socket PATH`: one replay-parser process. Started by the
//! pool by re-executing the ladderd binary, never forked from the supervisor.
//! It connects to the supervisor's socket, exchanges hellos, applies its
//! resource limits, then answers requests one at a time until the socket
//! closes. No tokio here: one blocking loop is all a worker needs.

use std::path::Path;

use interprocess::local_socket::{GenericFilePath, Stream, prelude::*};

use super::ipc::{
    self, FrameError, PROTOCOL_VERSION, Reply, Request, SupervisorHello, WireError, WorkerHello,
    sync::{read_frame, write_frame},
};
use super::{ParseLevel, ReplayError, parse_bytes};

#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    #[error("cannot connect to the supervisor at {path}: {source}")]
    Connect {
        path: String,
        source: std::io::Error,
    },
    #[error("supervisor protocol {theirs}, this worker speaks {PROTOCOL_VERSION}")]
    ProtocolMismatch { theirs: u32 },
    #[error("cannot apply resource limit {what}: {source}")]
    Rlimit {
        what: &'static str,
        source: nix::Error,
    },
    #[error("cannot sandbox the worker: {0}")]
    Sandbox(#[from] crate::ops::sandbox::SandboxError),
    #[error(transparent)]
    Frame(#[from] FrameError),
}

/// The exit code of a worker that could not apply its rlimits or seccomp
/// filter (`EX_OSERR`): the pool reports it as [`super::pool::WorkerFailure::Sandbox`].
pub const EXIT_SANDBOX: u8 = 71;

impl WorkerError {
    /// Whether the worker failed to sandbox itself (the host refused).
    pub fn is_sandbox(&self) -> bool {
        matches!(self, WorkerError::Sandbox(_) | WorkerError::Rlimit { .. })
    }
}

/// Closes every descriptor above stderr. ladderd opens all of its own files
/// close-on-exec, but whatever started ladderd may have left descriptors
/// open without it (a shell, a CI runner); a worker keeps none of them.
/// Runs before the worker opens anything (its socket comes next).
fn close_inherited_fds() {
    let Ok(dir) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    let fds: Vec<i32> = dir
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse().ok())
        .filter(|fd| *fd > 2)
        .collect();
    // The directory's own descriptor is in the list and already closed
    // (EBADF, ignored).
    for fd in fds {
        let _ = nix::unistd::close(fd);
    }
}

/// The hello itself must be small; the real limit comes inside it.
const HELLO_MAX_BYTES: u32 = 4096;

/// Runs the worker until the supervisor closes the socket (`Ok`) or the protocol breaks.
pub fn run(socket: &Path) -> Result<(), WorkerError> {
    // Die with the supervisor even if it is SIGKILLed and cannot close the
    // socket. Linux sends this when the *thread* that spawned us exits: the
    // pool spawns from tokio worker threads, which live as long as the
    // runtime; never spawn workers from `spawn_blocking` (those threads idle out).
    let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
    super::quiet_panics();
    close_inherited_fds();

    let connect_err = |source| WorkerError::Connect {
        path: socket.display().to_string(),
        source,
    };
    let name = socket
        .to_fs_name::<GenericFilePath>()
        .map_err(connect_err)?;
    let mut conn = Stream::connect(name).map_err(connect_err)?;

    let hello: SupervisorHello = ipc::decode(&read_frame(&mut conn, HELLO_MAX_BYTES)?)?;
    write_frame(
        &mut conn,
        &ipc::encode(&WorkerHello {
            protocol: PROTOCOL_VERSION,
            pid: std::process::id(),
        })?,
    )?;
    if hello.protocol != PROTOCOL_VERSION {
        return Err(WorkerError::ProtocolMismatch {
            theirs: hello.protocol,
        });
    }
    apply_limits(&hello)?;
    // The connection is open: from here the worker needs no new sockets, no
    // exec, no fork. Irreversible, and before the first untrusted byte.
    crate::ops::sandbox::restrict_worker()?;

    loop {
        let frame = match read_frame(&mut conn, hello.max_frame_bytes) {
            Ok(f) => f,
            Err(FrameError::Eof) => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        if hello.rlimit_cpu_s > 0 {
            cpu_budget(hello.rlimit_cpu_s)?;
        }
        let reply = match ipc::decode::<Request>(&frame) {
            Err(e) => Reply::Malformed {
                detail: e.to_string(),
            },
            Ok(Request::TestGarbage { .. }) if hello.allow_test_requests => {
                write_frame(&mut conn, &[0xff; 7])?;
                continue;
            }
            Ok(req) => handle(req, &hello),
        };
        write_frame(&mut conn, &ipc::encode(&reply)?)?;
    }
}

fn handle(req: Request, hello: &SupervisorHello) -> Reply {
    match req {
        Request::Ping { nonce } => Reply::Pong { nonce },
        Request::Parse { job, full, bytes } => {
            let level = if full {
                ParseLevel::Full
            } else {
                ParseLevel::Verification
            };
            match parse_bytes(&bytes, level, u64::from(hello.max_frame_bytes)) {
                Ok(s) => Reply::Parsed {
                    job,
                    summary: Box::new((&s).into()),
                },
                Err(e) => Reply::Failed {
                    job,
                    error: WireError::from(&e),
                },
            }
        }
        Request::TestHang { job } | Request::TestAbort { job } | Request::TestGarbage { job }
            if !hello.allow_test_requests =>
        {
            Reply::Failed {
                job,
                error: WireError::from(&ReplayError::Unavailable(
                    "test requests are disabled".into(),
                )),
            }
        }
        Request::TestHang { .. } => loop {
            std::thread::sleep(std::time::Duration::from_secs(3600));
        },
        Request::TestAbort { .. } => std::process::abort(),
        // Answered in `run`, which owns the connection.
        Request::TestGarbage { job } => Reply::Failed {
            job,
            error: WireError::Unavailable("unreachable".into()),
        },
    }
}

/// RLIMIT_CPU counts the process's whole life, so the soft limit is moved to
/// "CPU used so far + budget" before every job: each job gets the budget, and
/// a worker that has parsed for hours is not killed for it. Past the soft
/// limit the kernel sends SIGXCPU, which ends the worker; the hard limit is
/// left alone (an unprivileged process could never raise it again).
fn cpu_budget(budget_s: u64) -> Result<(), WorkerError> {
    use nix::sys::resource::{Resource, UsageWho, getrlimit, getrusage, setrlimit};
    let err = |source| WorkerError::Rlimit {
        what: "RLIMIT_CPU",
        source,
    };
    let usage = getrusage(UsageWho::RUSAGE_SELF).map_err(err)?;
    let used = (usage.user_time().tv_sec() + usage.system_time().tv_sec() + 1).max(0) as u64;
    let (_, hard) = getrlimit(Resource::RLIMIT_CPU).map_err(err)?;
    setrlimit(Resource::RLIMIT_CPU, (used + budget_s).min(hard), hard).map_err(err)
}

/// Address space and CPU time, set before the first job so a hostile replay
/// meets them. glibc's setrlimit is the prlimit64 syscall, which the systemd
/// unit's `@resources` deny list does not cover.
fn apply_limits(hello: &SupervisorHello) -> Result<(), WorkerError> {
    use nix::sys::resource::{Resource, setrlimit};
    if hello.rlimit_as_bytes > 0 {
        setrlimit(
            Resource::RLIMIT_AS,
            hello.rlimit_as_bytes,
            hello.rlimit_as_bytes,
        )
        .map_err(|source| WorkerError::Rlimit {
            what: "RLIMIT_AS",
            source,
        })?;
    }
    if hello.rlimit_cpu_s > 0 {
        cpu_budget(hello.rlimit_cpu_s)?;
    }
    Ok(())
}
