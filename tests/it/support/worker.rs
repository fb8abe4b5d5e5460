//! One `ladderd worker` process spoken to directly, frame by frame, as the
//! pool would: the test listens, the worker connects, the test sends the
//! hello. Every step is bounded by [`WAIT`]: the accept polls a
//! non-blocking listener, reads and writes have socket timeouts, and the
//! exit is waited for with [`exit_of`].

use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Output};

use ladderd::replay::ipc::{self, SupervisorHello, WorkerHello, sync};

use super::wait::{WAIT, eventually_blocking, exit_of, output_of};

pub struct RawWorker {
    pub conn: UnixStream,
    /// The worker, or the process that started it (see [`RawWorker::start_with`]).
    pub child: Option<Child>,
    _dir: tempfile::TempDir,
}

/// A failed assertion must not leave the process behind.
impl Drop for RawWorker {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child
            && let Ok(None) = child.try_wait()
        {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The hello most tests send: current protocol, small frames, no limits.
pub fn hello() -> SupervisorHello {
    SupervisorHello {
        protocol: ipc::PROTOCOL_VERSION,
        max_frame_bytes: 1024,
        rlimit_as_bytes: 0,
        rlimit_cpu_s: 0,
        allow_test_requests: false,
    }
}

impl RawWorker {
    /// `ladderd worker --socket <path>`, connected (no hello sent yet).
    pub fn start() -> RawWorker {
        Self::start_with(|socket| {
            let mut c = Command::new(super::ladderd_bin());
            c.arg("worker").arg("--socket").arg(socket);
            c
        })
    }

    /// Runs the command `command(socket)` builds (which must lead to a worker
    /// connecting to `socket`) and accepts that worker's connection.
    pub fn start_with(command: impl FnOnce(&std::path::Path) -> Command) -> RawWorker {
        let dir = tempfile::tempdir().unwrap();
        let path: PathBuf = dir.path().join("w.sock");
        let listener = UnixListener::bind(&path).unwrap();
        listener.set_nonblocking(true).unwrap();
        let child = command(&path).spawn().expect("spawn the worker");
        let mut conn = None;
        eventually_blocking("the worker to connect", || match listener.accept() {
            Ok((stream, _)) => {
                conn = Some(stream);
                true
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => false,
            Err(e) => panic!("accept: {e}"),
        });
        let conn = conn.expect("accepted");
        conn.set_nonblocking(false).unwrap();
        conn.set_read_timeout(Some(WAIT)).unwrap();
        conn.set_write_timeout(Some(WAIT)).unwrap();
        RawWorker {
            conn,
            child: Some(child),
            _dir: dir,
        }
    }

    /// Sends `hello` and returns the worker's.
    pub fn handshake(&mut self, hello: &SupervisorHello) -> WorkerHello {
        self.send(&ipc::encode(hello).unwrap());
        ipc::decode(&self.receive()).unwrap()
    }

    /// Writes one frame.
    pub fn send(&mut self, payload: &[u8]) {
        sync::write_frame(&mut self.conn, payload).unwrap();
    }

    /// Reads one frame (a read timeout past [`WAIT`] fails the test).
    pub fn receive(&mut self) -> Vec<u8> {
        sync::read_frame(&mut self.conn, 4096).expect("a frame from the worker within WAIT")
    }

    /// Sends a request and decodes the reply.
    pub fn ask(&mut self, request: &ipc::Request) -> ipc::Reply {
        self.send(&ipc::encode(request).unwrap());
        ipc::decode(&self.receive()).unwrap()
    }

    /// The child's exit status (bounded).
    pub fn exit(&mut self) -> ExitStatus {
        exit_of("the worker", self.child.as_mut().expect("a child"))
    }

    /// The child's exit status and piped output (bounded).
    pub fn output(&mut self) -> Output {
        output_of("the worker", self.child.take().expect("a child"))
    }
}
