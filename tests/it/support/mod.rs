//! Shared helpers for the integration tests: bounded waits ([`wait`]), the
//! simulator + supervisor fixture ([`e2e`]), `ladderd run` as a watched
//! child ([`process`]) and one raw replay worker ([`worker`]).

use std::path::PathBuf;

/// The `ladderd` binary built for this test run.
pub fn ladderd_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_ladderd"))
}

/// The repository root (where `Cargo.toml` and `ladderd.example.toml` live).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `tool` is on PATH. Under `CI=true` a missing tool fails the test
/// (CI must install what it needs); elsewhere the test reports it skipped.
pub fn require_tool(tool: &str) -> bool {
    let found = std::env::var_os("PATH")
        .map(|paths| std::env::split_paths(&paths).any(|dir| dir.join(tool).is_file()))
        .unwrap_or(false);
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{tool} is not installed, and CI=true requires it"
        );
        eprintln!("SKIPPED: {tool} is not installed");
    }
    found
}
#[cfg(feature = "sim")]
pub mod e2e;
pub mod mpq;
pub mod process;
#[cfg(feature = "sim")]
pub mod sim;
pub mod wait;
pub mod worker;

/// `GET path` on `addr` over a fresh loopback connection (`Connection:
/// close`): the whole response, status line and headers included (bounded).
pub async fn http_get(addr: std::net::SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    wait::within(&format!("GET {path}"), async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    })
    .await
}
