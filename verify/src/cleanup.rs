//! Leaving nothing behind: what a run creates outside itself (a cluster directory and its
//! server, a container, databases on an existing server) is registered here with the code
//! that removes it, and removed however the run ends.
//!
//! - Normally, by `Drop` (`Registration::finish`).
//! - On SIGINT, SIGTERM or SIGHUP, by the handler [`install_signal_handler`] installs: it
//!   waits for creations in flight (`pending`), removes everything registered, and then
//!   lets the signal end the process.
//! - When the process is killed outright, by a watcher: a shell in its own process group
//!   (a signal to the run's group does not reach it) that waits on a pipe this process
//!   holds open. When the process ends, however it ends, the pipe closes and the watcher
//!   runs its cleanup; after a normal cleanup it is told `done` and exits.
//! - Whatever still escapes (the watcher killed too) is found by later runs on this
//!   machine: everything is marked with the owning process (a marker file, the name of a
//!   database, a container label) and removed once that process is dead ([`owner_is_dead`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, Once, OnceLock};
use std::time::{Duration, Instant};

use sha2::Digest;

/// How long an interrupt waits for creations in flight before removing what is registered.
const PENDING_WAIT: Duration = Duration::from_secs(30);

struct Entry {
    cleanup: Box<dyn Fn() + Send>,
    watcher: Option<Watcher>,
}

static REGISTRY: Mutex<BTreeMap<u64, Entry>> = Mutex::new(BTreeMap::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
static PENDING: AtomicUsize = AtomicUsize::new(0);
static SHUTTING_DOWN: AtomicBool = AtomicBool::new(false);

fn registry() -> MutexGuard<'static, BTreeMap<u64, Entry>> {
    // A cleanup that panicked leaves the map intact: keep going.
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Something outside this process that this run created, with how to remove it.
/// Dropping it without [`finish`](Registration::finish) removes it too.
pub(crate) struct Registration {
    id: Option<u64>,
}

impl Registration {
    /// Registers `cleanup`, and when `watcher` is given, starts a watcher running that shell
    /// script (as `uid`, when given) should this process end without cleaning up.
    pub(crate) fn new(
        cleanup: impl Fn() + Send + 'static,
        watcher: Option<(&str, Option<u32>)>,
    ) -> std::io::Result<Registration> {
        let watcher = watcher
            .map(|(script, uid)| Watcher::spawn(script, uid))
            .transpose()?;
        let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
        registry().insert(
            id,
            Entry {
                cleanup: Box::new(cleanup),
                watcher,
            },
        );
        Ok(Registration { id: Some(id) })
    }

    /// Removes the resource now and forgets it. Holds the registry while it works, so an
    /// interrupt arriving meanwhile waits for it instead of ending the process half way.
    pub(crate) fn finish(mut self) {
        self.finish_in_place();
    }

    fn finish_in_place(&mut self) {
        let Some(id) = self.id.take() else { return };
        let mut registry = registry();
        if let Some(entry) = registry.remove(&id) {
            (entry.cleanup)();
            drop(entry.watcher);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.finish_in_place();
    }
}

/// Marks a creation in flight (a `CREATE DATABASE`, a container start): an interrupt
/// waits for it to end (and its result to be registered) before cleaning up. Once an
/// interrupt is being handled, it does not return: the handler ends the process.
pub(crate) fn pending() -> Pending {
    PENDING.fetch_add(1, Ordering::SeqCst);
    if SHUTTING_DOWN.load(Ordering::SeqCst) {
        PENDING.fetch_sub(1, Ordering::SeqCst);
        loop {
            std::thread::park();
        }
    }
    Pending(())
}

/// Returns at once, unless an interrupt is being handled: then it never returns (the
/// handler ends the process). For a caller about to report results that the cleanup may
/// have spoiled (queries failing because their server was stopped).
pub fn checkpoint() {
    if SHUTTING_DOWN.load(Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
}

/// See [`pending`].
pub(crate) struct Pending(());

impl Drop for Pending {
    fn drop(&mut self) {
        PENDING.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Removes everything registered, after waiting (up to 30 s) for creations in flight.
/// Registration and [`pending`] block from then on; the caller is expected to end the
/// process while holding the returned guard.
fn shut_down() -> MutexGuard<'static, BTreeMap<u64, Entry>> {
    SHUTTING_DOWN.store(true, Ordering::SeqCst);
    let start = Instant::now();
    while PENDING.load(Ordering::SeqCst) > 0 && start.elapsed() < PENDING_WAIT {
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut registry = registry();
    for (_, entry) in std::mem::take(&mut *registry) {
        (entry.cleanup)();
        drop(entry.watcher);
    }
    registry
}

/// Installs (once) a handler for SIGINT, SIGTERM and SIGHUP that removes what this process
/// registered and then ends it with that signal, as if it had not been caught; with
/// `announce` (the caller knows stderr is a terminal) it says so first. For programs such
/// as the CLI; a library user that handles signals itself can leave it out (watchers and
/// later runs still clean up).
pub fn install_signal_handler(announce: bool) -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static INSTALLED: Once = Once::new();
    let mut result = Ok(());
    INSTALLED.call_once(|| {
        let mut signals = match signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) {
            Ok(s) => s,
            Err(e) => {
                result = Err(e);
                return;
            }
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                if announce {
                    eprintln!("\ninterrupted: removing what this run created …");
                }
                let _held = shut_down();
                let _ = signal_hook::low_level::emulate_default_handler(signal);
                std::process::exit(128 + signal);
            }
        });
    });
    result
}

/// A shell, in its own process group, that waits for this process to end (its stdin is a
/// pipe only this process holds) and then runs a cleanup script, unless it was told `done`.
struct Watcher {
    stdin: Option<ChildStdin>,
    child: Child,
}

impl Watcher {
    fn spawn(script: &str, uid: Option<u32>) -> std::io::Result<Watcher> {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new("sh");
        cmd.arg("-c")
            .arg(format!(
                "trap '' INT HUP; read -r line; [ \"$line\" = done ] && exit 0; {script}"
            ))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            // Out of the run's process group: Ctrl-C and `kill -INT -PGID` miss it.
            .process_group(0);
        if let Some(uid) = uid {
            cmd.uid(uid).gid(uid).current_dir("/");
        }
        let mut child = cmd.spawn()?;
        let stdin = child.stdin.take();
        Ok(Watcher { stdin, child })
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        if let Some(mut stdin) = self.stdin.take() {
            let _ = stdin.write_all(b"done\n");
        }
        let _ = self.child.wait();
    }
}

/// Whether process `pid` exists on this machine (`kill(pid, 0)`; a process of another
/// user counts as existing). An invalid pid counts as existing, so that nothing is
/// removed on its account.
pub fn process_exists(pid: u32) -> bool {
    let Some(pid) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return true;
    };
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

/// A short, stable tag for this machine (8 hex digits of a SHA-256 of its host name), so
/// that a process id in a mark is only judged on the machine it belongs to.
pub fn host_tag() -> &'static str {
    static TAG: OnceLock<String> = OnceLock::new();
    TAG.get_or_init(|| {
        let uname = rustix::system::uname();
        let digest = sha2::Sha256::digest(uname.nodename().to_bytes());
        digest.iter().take(4).map(|b| format!("{b:02x}")).collect()
    })
}

/// Whether something marked with `host` and `pid` was left by a run of this machine that
/// has ended (never this process's own).
pub fn owner_is_dead(host: &str, pid: u32) -> bool {
    host == host_tag() && pid != std::process::id() && !process_exists(pid)
}

/// Whether this process runs as root.
pub(crate) fn running_as_root() -> bool {
    rustix::process::geteuid().is_root()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_process_exists_and_a_reaped_child_does_not() {
        assert!(process_exists(std::process::id()));
        let mut child = Command::new("true")
            .spawn()
            .unwrap_or_else(|e| panic!("{e}"));
        let pid = child.id();
        let _ = child.wait();
        assert!(!process_exists(pid));
        assert!(owner_is_dead(host_tag(), pid));
        assert!(!owner_is_dead("00000000x", pid), "another machine's mark");
        assert!(!owner_is_dead(host_tag(), std::process::id()));
    }

    #[test]
    fn a_watcher_runs_its_script_when_its_owner_goes_away_and_not_when_done() {
        let dir = std::env::temp_dir().join(format!("schemakit-watcher-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let done = dir.join("done");
        let gone = dir.join("gone");
        let w = Watcher::spawn(&format!("touch '{}'", done.display()), None)
            .unwrap_or_else(|e| panic!("{e}"));
        drop(w);
        assert!(!done.exists(), "told done, the watcher does nothing");
        // Closing the pipe is what this process's end looks like to the watcher.
        let mut w = Watcher::spawn(&format!("touch '{}'", gone.display()), None)
            .unwrap_or_else(|e| panic!("{e}"));
        drop(w.stdin.take());
        let _ = w.child.wait();
        assert!(gone.exists(), "the pipe closed: the watcher cleaned up");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
