//! Interrupting `schemakit verify` leaves nothing behind. SIGINT to its process group (what
//! Ctrl-C sends) at several moments, from before initdb to the middle of the checks: no
//! cluster directory, no server process, no database on an existing server, no container
//! of that run remains once it has exited. Killed outright (SIGKILL to the group) during
//! initdb or with its server up, its watcher removes the same.

use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use verify::Server;

/// When to interrupt, in milliseconds after the start.
const MOMENTS: [u64; 6] = [50, 200, 500, 1000, 2000, 3000];

/// SIGINT's number, as the exit status of a process it ended reports it.
const SIGINT: i32 = 2;

fn spawn_verify(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_schemakit"))
        .args(["verify", "--system", "cira"])
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        // Its own process group, as a shell gives a foreground job: the group is what
        // Ctrl-C signals, and this test is not in it.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run schemakit: {e}"))
}

/// Sends `signal` to the process group led by `pid`.
fn signal_group(pid: u32, signal: &str) {
    let status = Command::new("kill")
        .args(["-s", signal, "--", &format!("-{pid}")])
        .status()
        .unwrap_or_else(|e| panic!("cannot run kill: {e}"));
    assert!(status.success(), "kill -s {signal} -{pid}: {status}");
}

/// Waits for the child to exit (it must, within a minute) and returns its output.
fn finish(mut child: Child) -> Output {
    let start = Instant::now();
    while child.try_wait().ok().flatten().is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            signal_group(child.id(), "KILL");
            panic!("schemakit did not exit within 60 s of the interrupt");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("cannot read schemakit's output: {e}"))
}

fn interrupted(status: ExitStatus) -> bool {
    status.signal() == Some(SIGINT) || status.code() == Some(128 + SIGINT)
}

/// What a run of process `pid` left on this machine: cluster directories and processes
/// using them (servers, initdb, watchers).
fn local_leftovers(pid: u32) -> Vec<String> {
    let prefix = format!("schemakit-pg-{pid}-");
    let mut left: Vec<String> = std::fs::read_dir(std::env::temp_dir())
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| format!("directory {}", e.path().display()))
        .collect();
    let ps = Command::new("ps")
        .args(["-A", "-o", "pid=,args="])
        .output()
        .unwrap_or_else(|e| panic!("cannot run ps: {e}"));
    left.extend(
        String::from_utf8_lossy(&ps.stdout)
            .lines()
            .filter(|l| l.contains(&prefix))
            .map(|l| format!("process {}", l.trim())),
    );
    left
}

/// Interrupts runs with `args` at each of [`MOMENTS`] and checks that nothing of them is
/// left, locally and by `remote_leftovers`.
fn interrupt_at_every_moment(args: &[&str], remote_leftovers: impl Fn(u32) -> Vec<String>) {
    let mut interrupted_runs = 0;
    for ms in MOMENTS {
        let child = spawn_verify(args);
        let pid = child.id();
        std::thread::sleep(Duration::from_millis(ms));
        signal_group(pid, "INT");
        let out = finish(child);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            interrupted(out.status) || out.status.success(),
            "interrupted after {ms} ms: {}\n{stderr}",
            out.status
        );
        if interrupted(out.status) {
            interrupted_runs += 1;
        }
        let mut left = local_leftovers(pid);
        left.extend(remote_leftovers(pid));
        assert!(
            left.is_empty(),
            "interrupted after {ms} ms ({}), left behind:\n{}\n{stderr}",
            out.status,
            left.join("\n")
        );
    }
    assert!(interrupted_runs > 0, "no run was interrupted");
}

#[test]
fn an_interrupted_local_run_leaves_no_cluster_and_no_server() {
    interrupt_at_every_moment(&["--provider", "local"], |_| Vec::new());
}

/// The server the URL runs use: a local cluster of this test process.
fn url_server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        Server::local(None).unwrap_or_else(|e| panic!("local binaries are required: {e}"))
    })
}

#[test]
fn an_interrupted_url_run_leaves_no_database() {
    let server = url_server();
    let dir = match server.config().get_hosts() {
        [postgres::config::Host::Unix(dir)] => dir.clone(),
        hosts => panic!("{hosts:?}"),
    };
    let url = format!("host='{}' user=postgres dbname=postgres", dir.display());
    let databases_of = |pid: u32| -> Vec<String> {
        let mut admin = server.connect("postgres").unwrap_or_else(|e| panic!("{e}"));
        admin
            .query(
                "SELECT datname FROM pg_database WHERE datname LIKE 'schemakit\\_%'",
                &[],
            )
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|row| row.get::<_, String>(0))
            // schemakit_<host>_<pid>_<millis>_<n>
            .filter(|name| name.split('_').nth(2) == Some(pid.to_string().as_str()))
            .map(|name| format!("database {name}"))
            .collect()
    };
    interrupt_at_every_moment(&["--provider", "url", "--database-url", &url], databases_of);
}

/// Docker is part of the test environment (scripts/postgres-runtime.sh); without it this
/// test fails and says why.
#[test]
fn an_interrupted_docker_run_leaves_no_container() {
    let image = "schemakit/postgres:15";
    let ok = Command::new("docker")
        .args(["image", "inspect", image])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "Docker and the image {image} are required (run scripts/postgres-runtime.sh)"
    );
    let containers_of = |pid: u32| -> Vec<String> {
        let out = Command::new("docker")
            .args(["ps", "-aq", "--filter"])
            .arg(format!(
                "label=schemakit.owner={}/{pid}",
                verify::cleanup::host_tag()
            ))
            .output()
            .unwrap_or_else(|e| panic!("cannot run docker: {e}"));
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(|id| format!("container {id}"))
            .collect()
    };
    interrupt_at_every_moment(&["--provider", "docker", "--image", image], containers_of);
}

/// Waits (up to 30 s) for the watcher of a killed run to remove what it left.
fn wait_for_watcher(pid: u32) -> Vec<String> {
    let start = Instant::now();
    loop {
        let left = local_leftovers(pid);
        if left.is_empty() || start.elapsed() > Duration::from_secs(30) {
            return left;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits (up to 30 s) until `ready` holds for the run of `pid`'s first cluster directory.
fn wait_until(pid: u32, what: &str, ready: impl Fn(&std::path::Path) -> bool) {
    let dir = std::env::temp_dir().join(format!("schemakit-pg-{pid}-0"));
    let start = Instant::now();
    while !ready(&dir) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "{what} never happened"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[test]
fn a_run_killed_during_initdb_or_with_its_server_up_leaves_nothing_once_its_watcher_ran() {
    type Moment = fn(&std::path::Path) -> bool;
    let moments: [(&str, Moment); 2] = [
        ("initdb", |dir| dir.join("data").exists()),
        ("server up", |dir| dir.join(".s.PGSQL.5432").exists()),
    ];
    for (what, ready) in moments {
        let child = spawn_verify(&["--provider", "local"]);
        let pid = child.id();
        wait_until(pid, what, ready);
        signal_group(pid, "KILL");
        let out = finish(child);
        assert_eq!(out.status.signal(), Some(9), "{what}");
        let left = wait_for_watcher(pid);
        assert!(
            left.is_empty(),
            "killed at {what}, left behind:\n{}",
            left.join("\n")
        );
    }
}
