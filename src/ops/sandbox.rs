//! What a replay worker gives up before it reads an untrusted file: a
//! seccomp filter (through `seccompiler`, the rust-vmm crate Firecracker
//! uses) that makes creating sockets, connecting, listening, executing
//! programs, forking and tracing fail with EPERM. The worker keeps the socket
//! to the supervisor it already has, its memory and its files: enough to
//! parse and answer, nothing to reach the network or spawn a shell with.
//!
//! A deny list, not an allow list: an allow list would have to track every
//! syscall that the allocator, s2protocol's decompressors and the standard
//! library might make on each kernel and libc, and a miss would kill every
//! parse; the deny list closes what an exploited parser would need to leave.
//! The systemd unit's own filter still applies on top.

use std::collections::BTreeMap;

use seccompiler::{BpfProgram, SeccompAction, SeccompFilter, TargetArch};

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("seccomp is not available for this architecture ({0})")]
    UnsupportedArch(&'static str),
    #[error("building the seccomp filter failed: {0}")]
    Build(#[from] seccompiler::BackendError),
    #[error("installing the seccomp filter failed: {0}")]
    Install(#[from] seccompiler::Error),
}

/// The syscalls a replay parser never needs.
const DENIED: &[libc::c_long] = &[
    libc::SYS_socket,
    libc::SYS_socketpair,
    libc::SYS_connect,
    libc::SYS_bind,
    libc::SYS_listen,
    libc::SYS_accept,
    libc::SYS_accept4,
    libc::SYS_execve,
    libc::SYS_execveat,
    libc::SYS_fork,
    libc::SYS_vfork,
    libc::SYS_ptrace,
    libc::SYS_process_vm_readv,
    libc::SYS_process_vm_writev,
    libc::SYS_kill,
    libc::SYS_tkill,
];

/// Installs the filter on every thread of this process. Irreversible: call it
/// in a worker, after its connection to the supervisor is open.
pub fn restrict_worker() -> Result<(), SandboxError> {
    let arch = TargetArch::try_from(std::env::consts::ARCH)
        .map_err(|_| SandboxError::UnsupportedArch(std::env::consts::ARCH))?;
    let rules: BTreeMap<i64, Vec<seccompiler::SeccompRule>> =
        DENIED.iter().map(|&nr| (nr, vec![])).collect();
    let filter = SeccompFilter::new(
        rules,
        SeccompAction::Allow,
        SeccompAction::Errno(libc::EPERM as u32),
        arch,
    )?;
    let program: BpfProgram = filter.try_into()?;
    seccompiler::apply_filter_all_threads(&program)?;
    Ok(())
}
