//! Getting a Postgres: an existing server by URL, an ephemeral cluster from local
//! binaries, or (see `docker`) a container. One server per run; each check gets its own
//! throwaway database, dropped when the server is.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::{Client, Config, NoTls};

use crate::Error;
use crate::cleanup::{self, Registration};

/// How a server was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProviderKind {
    /// `--database-url` / `DATABASE_URL`.
    Url,
    /// A container started with testcontainers.
    Docker,
    /// An ephemeral cluster from local binaries.
    Local,
}

impl ProviderKind {
    /// The name used on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            ProviderKind::Url => "url",
            ProviderKind::Docker => "docker",
            ProviderKind::Local => "local",
        }
    }
}

/// A running Postgres and the databases this run created on it.
pub struct Server {
    /// Which provider started it.
    pub kind: ProviderKind,
    /// What it is, for the report (never contains a password).
    pub description: String,
    /// `SELECT version()`'s short form, e.g. `PostgreSQL 15.18`.
    pub version: String,
    /// The server's major version.
    pub major: u32,
    /// Databases that interrupted runs on this machine had left on an existing server
    /// (their process is gone), dropped when this one connected.
    pub removed_leftovers: Vec<String>,
    databases: Arc<Databases>,
    prefix: String,
    counter: AtomicUsize,
    /// Drops this run's databases on an existing server, however the run ends.
    registration: Option<Registration>,
    /// Keeps the cluster or container alive; dropped after the databases.
    _guard: Guard,
}

/// What must be stopped when the server is dropped: a cluster or a container, held only
/// for its `Drop`.
pub(crate) type Guard = Option<Box<dyn std::any::Any + Send + Sync>>;

/// The databases a run created on a server, and how to reach it to drop them.
struct Databases {
    config: Config,
    names: Mutex<Vec<String>>,
}

impl Databases {
    fn admin_db(&self) -> &str {
        self.config.get_dbname().unwrap_or("postgres")
    }

    fn connect_admin(&self) -> Result<Client, Error> {
        let mut config = self.config.clone();
        config.dbname(self.admin_db());
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(Duration::from_secs(10));
        }
        config
            .connect(NoTls)
            .map_err(|e| Error::db("cannot connect to the server", e))
    }

    fn drop_one(&self, admin: &mut Client, name: &str) -> Result<(), Error> {
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .map_err(|e| Error::db(&format!("cannot drop database `{name}`"), e))?;
        if let Ok(mut names) = self.names.lock() {
            names.retain(|n| n != name);
        }
        Ok(())
    }

    /// Drops every database this run created (best effort: cleanup never fails a run).
    fn drop_all(&self) {
        let names: Vec<String> = self.names.lock().map(|n| n.clone()).unwrap_or_default();
        if names.is_empty() {
            return;
        }
        if let Ok(mut admin) = self.connect_admin() {
            for name in names {
                let _ = self.drop_one(&mut admin, &name);
            }
        }
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("kind", &self.kind)
            .field("description", &self.description)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// The prefix of this run's databases: `schemakit_<host>_<pid>_<millis>`, where `<host>`
/// is [`cleanup::host_tag`]. The name is the mark later runs judge it by: created by a
/// process of this machine that is gone, it is theirs to drop.
fn run_prefix() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() % 1_000_000_000);
    format!(
        "schemakit_{}_{}_{millis}",
        cleanup::host_tag(),
        std::process::id()
    )
}

/// The owner of a database named by [`run_prefix`]: its host tag and process id.
fn database_owner(name: &str) -> Option<(&str, u32)> {
    let mut parts = name.strip_prefix("schemakit_")?.split('_');
    let host = parts.next()?;
    let pid = parts.next()?.parse().ok()?;
    let _millis: u64 = parts.next()?.parse().ok()?;
    let _n: u64 = parts.next()?.parse().ok()?;
    (parts.next().is_none() && host.len() == 8).then_some((host, pid))
}

/// Drops the databases that runs on this machine created and, interrupted, left behind
/// (their process is gone). Best effort: returns the names it dropped.
fn drop_leftover_databases(client: &mut Client) -> Vec<String> {
    let Ok(rows) = client.query(
        "SELECT datname FROM pg_database WHERE datname LIKE 'schemakit\\_%' ORDER BY datname",
        &[],
    ) else {
        return Vec::new();
    };
    let mut dropped = Vec::new();
    for row in rows {
        let name: String = row.get(0);
        let Some((host, pid)) = database_owner(&name) else {
            continue;
        };
        if cleanup::owner_is_dead(host, pid)
            && client
                .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .is_ok()
        {
            dropped.push(name);
        }
    }
    dropped
}

impl Server {
    pub(crate) fn new(
        kind: ProviderKind,
        description: String,
        config: Config,
        guard: Guard,
        progress: bool,
    ) -> Result<Server, Error> {
        let mut client = connect_retrying(&config, Duration::from_secs(60), progress)?;
        let row = client
            .query_one("SELECT current_setting('server_version'), current_setting('server_version_num')::int", &[])
            .map_err(|e| Error::db("cannot read the server version", e))?;
        let version: String = row.get(0);
        let num: i32 = row.get(1);
        let databases = Arc::new(Databases {
            config,
            names: Mutex::new(Vec::new()),
        });
        // A cluster or a container goes away whole; on an existing server this run's
        // databases are dropped one by one, and those of interrupted runs found.
        let (registration, removed_leftovers) = if kind == ProviderKind::Url {
            let dbs = Arc::clone(&databases);
            let registration = Registration::new(move || dbs.drop_all(), None)
                .map_err(|e| Error::Environment(format!("cannot register cleanup: {e}")))?;
            (Some(registration), drop_leftover_databases(&mut client))
        } else {
            (None, Vec::new())
        };
        Ok(Server {
            kind,
            description,
            version: format!(
                "PostgreSQL {}",
                version.split_whitespace().next().unwrap_or(&version)
            ),
            major: (num / 10000) as u32,
            removed_leftovers,
            databases,
            prefix: run_prefix(),
            counter: AtomicUsize::new(0),
            registration,
            _guard: guard,
        })
    }

    /// An existing server: `postgres://user:password@host:port/db`. The password is never
    /// printed.
    pub fn from_url(url: &str) -> Result<Server, Error> {
        Server::from_url_with(url, false)
    }

    /// [`Server::from_url`], saying on stderr what it waits for when `progress` is set.
    pub(crate) fn from_url_with(url: &str, progress: bool) -> Result<Server, Error> {
        let config: Config = url
            .parse()
            .map_err(|e| Error::Environment(format!("invalid database URL: {e}")))?;
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .map(|h| match h {
                postgres::config::Host::Tcp(h) => h.clone(),
                postgres::config::Host::Unix(p) => p.display().to_string(),
            })
            .collect();
        let description = format!(
            "existing server at {}:{} as {}",
            hosts.join(","),
            config.get_ports().first().copied().unwrap_or(5432),
            config.get_user().unwrap_or("(default user)")
        );
        Server::new(ProviderKind::Url, description, config, None, progress)
    }

    /// A fresh ephemeral cluster from local binaries (`bin` or discovered).
    pub fn local(bin: Option<&Path>) -> Result<Server, Error> {
        Server::local_with(bin, false)
    }

    /// [`Server::local`], saying on stderr what it waits for when `progress` is set.
    pub(crate) fn local_with(bin: Option<&Path>, progress: bool) -> Result<Server, Error> {
        let cluster = LocalCluster::start(bin)?;
        let config = cluster.config();
        let description = format!(
            "local binaries {} (cluster in {})",
            cluster.bin.display(),
            cluster.dir.display()
        );
        Server::new(
            ProviderKind::Local,
            description,
            config,
            Some(Box::new(cluster)),
            progress,
        )
    }

    /// A connection to database `db`.
    pub fn connect(&self, db: &str) -> Result<Client, Error> {
        let mut config = self.databases.config.clone();
        config.dbname(db);
        config
            .connect(NoTls)
            .map_err(|e| Error::db(&format!("cannot connect to database `{db}`"), e))
    }

    /// Creates a fresh database (a copy of `template` when given) and returns its name.
    /// It is dropped with the server.
    pub fn create_database(&self, template: Option<&str>) -> Result<String, Error> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let name = format!("{}_{n}", self.prefix);
        let mut admin = self.connect(self.databases.admin_db())?;
        let sql = match template {
            Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
            None => format!("CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"),
        };
        // An interrupt waits until the database exists and is recorded, then drops it.
        let _pending = cleanup::pending();
        admin
            .batch_execute(&sql)
            .map_err(|e| Error::db(&format!("cannot create database `{name}`"), e))?;
        if let Ok(mut names) = self.databases.names.lock() {
            names.push(name.clone());
        }
        Ok(name)
    }

    /// Drops a database this run created.
    pub fn drop_database(&self, name: &str) -> Result<(), Error> {
        let mut admin = self.connect(self.databases.admin_db())?;
        self.databases.drop_one(&mut admin, name)
    }

    /// The connection settings (for tools such as the runner).
    pub fn config(&self) -> &Config {
        &self.databases.config
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Drops this run's databases on an existing server (see `new`).
        if let Some(registration) = self.registration.take() {
            registration.finish();
        }
    }
}

/// A connection to the database a URL names (for `schemakit migrate`).
pub fn connect_url(url: &str) -> Result<Client, Error> {
    let config: Config = url
        .parse()
        .map_err(|e| Error::Environment(format!("invalid database URL: {e}")))?;
    config
        .connect(NoTls)
        .map_err(|e| Error::db("cannot connect", e))
}

/// Why a failed connection attempt may succeed if repeated: the server is not accepting
/// connections yet (`connection refused`, or SQLSTATE 57P03 `cannot_connect_now`, "the
/// database system is starting up"). Anything else (a wrong password, an unknown database
/// or user, a host name that does not resolve) is final: `None`.
pub fn transient_connect_error(e: &postgres::Error) -> Option<&'static str> {
    if e.code() == Some(&SqlState::CANNOT_CONNECT_NOW) {
        return Some("the database system is starting up");
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
        {
            return Some("connection refused");
        }
        source = s.source();
    }
    None
}

/// Connects, repeating only while the server is not accepting connections yet (see
/// [`transient_connect_error`]), for at most `timeout`; with `progress` (the caller knows
/// stderr is a terminal), a progress line says what it waits for. Any other failure is
/// reported at once with the server's message.
fn connect_retrying(config: &Config, timeout: Duration, progress: bool) -> Result<Client, Error> {
    let start = Instant::now();
    let mut shown = false;
    let clear = |shown: bool| {
        if shown {
            eprint!("\r\x1b[K");
        }
    };
    loop {
        let e = match config.connect(NoTls) {
            Ok(c) => {
                clear(shown);
                return Ok(c);
            }
            Err(e) => e,
        };
        let Some(reason) = transient_connect_error(&e) else {
            clear(shown);
            return Err(Error::db("cannot connect to the server", e));
        };
        let waited = start.elapsed();
        if waited >= timeout {
            clear(shown);
            return Err(Error::db(
                &format!(
                    "the server still does not accept connections after {} s",
                    timeout.as_secs()
                ),
                e,
            ));
        }
        if progress && waited >= Duration::from_millis(500) {
            eprint!(
                "\r\x1b[Kwaiting for the server ({reason}) … {} s",
                waited.as_secs()
            );
            shown = true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

// ----- local binaries ---------------------------------------------------------------

/// An ephemeral cluster: a temporary directory, a private unix socket, no TCP port.
pub(crate) struct LocalCluster {
    bin: PathBuf,
    dir: PathBuf,
    child: Option<Child>,
    as_nobody: bool,
    /// Stops the server and removes the directory, however the run ends.
    registration: Option<Registration>,
}

/// The uid and gid Postgres runs under when schemakit runs as root (it refuses root).
const NOBODY: u32 = 65534;

/// The file in a cluster directory that names the process that made it: `pid=`, `host=`
/// (see [`cleanup::host_tag`]) and `bin=` lines.
const OWNER_FILE: &str = "schemakit-owner";

/// Whether this process runs as root (Postgres then runs as `nobody`).
pub fn running_as_root() -> bool {
    cleanup::running_as_root()
}

/// `text` as one single-quoted shell word.
fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// `program` from `bin`, run as `nobody` (from `dir`) when `as_nobody`.
fn cluster_command(bin: &Path, dir: &Path, as_nobody: bool, program: &str) -> Command {
    let mut cmd = Command::new(bin.join(program));
    if as_nobody {
        use std::os::unix::process::CommandExt;
        cmd.uid(NOBODY).gid(NOBODY);
        cmd.current_dir(dir);
    }
    cmd
}

/// Stops the server of a cluster directory, if one runs, and removes the directory.
/// `postmaster` is the server's process id when this process started it (it is still
/// this process's child, so the id cannot have been reused).
fn stop_and_remove(bin: &Path, dir: &Path, as_nobody: bool, postmaster: Option<u32>) {
    let data = dir.join("data");
    if data.join("postmaster.pid").exists() {
        let _ = cluster_command(bin, dir, as_nobody, "pg_ctl")
            .arg("-D")
            .arg(&data)
            .args(["stop", "-m", "immediate", "-w", "-t", "10"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
    // A server still starting has no pid file yet for pg_ctl to find.
    if let Some(pid) = postmaster
        .and_then(|p| i32::try_from(p).ok())
        .and_then(rustix::process::Pid::from_raw)
    {
        let _ = rustix::process::kill_process(pid, rustix::process::Signal::KILL);
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Removes the cluster directories that runs on this machine left in `temp` (their owner
/// file names a process that is gone), stopping a server still running in one. A
/// directory without an owner file is not ours and is left alone.
fn remove_leftover_clusters(temp: &Path) {
    let Ok(entries) = std::fs::read_dir(temp) else {
        return;
    };
    for entry in entries.flatten() {
        if !entry
            .file_name()
            .to_string_lossy()
            .starts_with("schemakit-pg-")
        {
            continue;
        }
        let dir = entry.path();
        let Ok(owner) = std::fs::read_to_string(dir.join(OWNER_FILE)) else {
            continue;
        };
        let field = |key: &str| {
            owner
                .lines()
                .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
        };
        let (Some(pid), Some(host), Some(bin)) = (
            field("pid").and_then(|p| p.parse::<u32>().ok()),
            field("host"),
            field("bin"),
        ) else {
            continue;
        };
        if cleanup::owner_is_dead(host, pid) {
            stop_and_remove(Path::new(bin), &dir, running_as_root(), None);
        }
    }
}

/// Finds a directory holding `initdb` and `postgres`: the one given, then PATH, then
/// `pg_config --bindir`, then the newest `/usr/lib/postgresql/*/bin`.
pub fn find_binaries(explicit: Option<&Path>) -> Result<PathBuf, Error> {
    let has = |d: &Path| d.join("initdb").is_file() && d.join("postgres").is_file();
    if let Some(d) = explicit {
        return if has(d) {
            Ok(d.to_path_buf())
        } else {
            Err(Error::Environment(format!(
                "--pg-bin {}: no initdb and postgres there",
                d.display()
            )))
        };
    }
    if let Some(path) = std::env::var_os("PATH") {
        if let Some(d) = std::env::split_paths(&path).find(|d| has(d)) {
            // PATH often holds symlinks (/usr/local/bin/postgres → …/15/bin/postgres):
            // the real directory also has pg_ctl, pg_dump and the rest.
            let real = std::fs::canonicalize(d.join("postgres"))
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .filter(|r| has(r));
            return Ok(real.unwrap_or(d));
        }
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output() {
        let d = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if out.status.success() && has(&d) {
            return Ok(d);
        }
    }
    let mut candidates: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let major = e.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            has(&bin).then_some((major, bin))
        })
        .collect();
    candidates.sort();
    candidates.pop().map(|(_, d)| d).ok_or(Error::NoBinaries)
}

impl LocalCluster {
    fn start(bin: Option<&Path>) -> Result<LocalCluster, Error> {
        static CLUSTERS: AtomicUsize = AtomicUsize::new(0);
        let bin = find_binaries(bin)?;
        let as_nobody = running_as_root();
        let temp = std::env::temp_dir();
        remove_leftover_clusters(&temp);
        let n = CLUSTERS.fetch_add(1, Ordering::SeqCst);
        let dir = temp.join(format!("schemakit-pg-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::Environment(format!("cannot create {}: {e}", dir.display())))?;
        // The mark later runs go by, written before anything else happens in there.
        let owner = format!(
            "pid={}\nhost={}\nbin={}\n",
            std::process::id(),
            cleanup::host_tag(),
            bin.display()
        );
        if let Err(e) = std::fs::write(dir.join(OWNER_FILE), owner) {
            let _ = std::fs::remove_dir_all(&dir);
            return Err(Error::Environment(format!(
                "cannot write {}: {e}",
                dir.join(OWNER_FILE).display()
            )));
        }
        // From here on the directory goes away however this process ends: by `Drop`, by
        // the signal handler, or by the watcher.
        let postmaster = Arc::new(AtomicU32::new(0));
        let data = dir.join("data");
        let watcher_script = format!(
            "{} -D {} stop -m immediate -w >/dev/null 2>&1; rm -rf {}",
            sh_quote(&bin.join("pg_ctl").display().to_string()),
            sh_quote(&data.display().to_string()),
            sh_quote(&dir.display().to_string())
        );
        let registration = {
            let (bin, dir, postmaster) = (bin.clone(), dir.clone(), Arc::clone(&postmaster));
            Registration::new(
                move || {
                    let pid = postmaster.load(Ordering::SeqCst);
                    stop_and_remove(&bin, &dir, as_nobody, (pid != 0).then_some(pid));
                },
                Some((&watcher_script, as_nobody.then_some(NOBODY))),
            )
        };
        let registration = match registration {
            Ok(r) => r,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(Error::Environment(format!(
                    "cannot start the cluster's cleanup watcher: {e}"
                )));
            }
        };
        let mut cluster = LocalCluster {
            bin,
            dir,
            child: None,
            as_nobody,
            registration: Some(registration),
        };
        if as_nobody {
            std::os::unix::fs::chown(&cluster.dir, Some(NOBODY), Some(NOBODY)).map_err(|e| {
                Error::Environment(format!(
                    "cannot hand {} to the unprivileged user: {e}",
                    cluster.dir.display()
                ))
            })?;
        }
        // An interrupt waits for initdb to end (it stops on Ctrl-C too) and for the server's
        // process id to be known, then stops the server and removes the directory.
        let pending = cleanup::pending();
        let out = cluster
            .command("initdb")
            .args(["-D"])
            .arg(&data)
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C",
                "--no-sync",
            ])
            .output()
            .map_err(|e| {
                Error::Environment(format!("cannot run {}/initdb: {e}", cluster.bin.display()))
            })?;
        if !out.status.success() {
            return Err(Error::Environment(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        let log_path = cluster.dir.join("postgres.log");
        let log = std::fs::File::create(&log_path)
            .map_err(|e| Error::Environment(format!("cannot create the server log: {e}")))?;
        if as_nobody {
            let _ = std::os::unix::fs::chown(&log_path, Some(NOBODY), Some(NOBODY));
        }
        let child = {
            use std::os::unix::process::CommandExt;
            cluster
                .command("postgres")
                .arg("-D")
                .arg(&data)
                .arg("-k")
                .arg(&cluster.dir)
                .args([
                    "-c",
                    "listen_addresses=",
                    "-c",
                    "fsync=off",
                    "-c",
                    "synchronous_commit=off",
                    "-c",
                    "full_page_writes=off",
                    "-c",
                    "max_connections=50",
                ])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(log)
                // Its own process group: a Ctrl-C reaches schemakit, which stops the
                // server itself (instead of the server failing the queries in flight).
                .process_group(0)
                .spawn()
                .map_err(|e| {
                    Error::Environment(format!(
                        "cannot start {}/postgres: {e}",
                        cluster.bin.display()
                    ))
                })?
        };
        postmaster.store(child.id(), Ordering::SeqCst);
        cluster.child = Some(child);
        drop(pending);
        cluster.wait_for_socket(&log_path)?;
        Ok(cluster)
    }

    /// Waits until the server has made its socket (connections are then refused with
    /// "starting up" until it is ready, which `connect_retrying` waits out), or fails with
    /// the end of its log if it exits first.
    fn wait_for_socket(&mut self, log: &Path) -> Result<(), Error> {
        let socket = self.dir.join(".s.PGSQL.5432");
        let start = Instant::now();
        while !socket.exists() {
            let exited = match self.child.as_mut().map(Child::try_wait) {
                Some(Ok(Some(status))) => Some(status.to_string()),
                Some(Err(e)) => Some(e.to_string()),
                _ => None,
            };
            if let Some(status) = exited {
                let text = std::fs::read_to_string(log).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(5).collect();
                let tail: Vec<&str> = tail.into_iter().rev().collect();
                return Err(Error::Environment(format!(
                    "postgres exited ({status}) before accepting connections: {}",
                    tail.join("\n")
                )));
            }
            if start.elapsed() > Duration::from_secs(60) {
                return Err(Error::Environment(format!(
                    "postgres made no socket in {} within 60 s (log: {})",
                    self.dir.display(),
                    log.display()
                )));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        Ok(())
    }

    fn command(&self, program: &str) -> Command {
        cluster_command(&self.bin, &self.dir, self.as_nobody, program)
    }

    fn config(&self) -> Config {
        let mut config = Config::new();
        config
            .host_path(&self.dir)
            .port(5432)
            .user("postgres")
            .dbname("postgres")
            .connect_timeout(Duration::from_secs(5));
        config
    }
}

impl Drop for LocalCluster {
    fn drop(&mut self) {
        // Stops the server (pg_ctl, then SIGKILL to the postmaster) and removes the
        // directory; then the child is reaped.
        if let Some(registration) = self.registration.take() {
            registration.finish();
        }
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_names_carry_their_owner() {
        let prefix = run_prefix();
        let name = format!("{prefix}_3");
        assert!(name.len() <= 63, "{name}");
        assert_eq!(
            database_owner(&name),
            Some((cleanup::host_tag(), std::process::id()))
        );
        for other in [
            "schemakit",
            "schemakit_",
            "schemakit_1234_5678_1",
            "schemakit_abcdef01_x_1_2",
            "schemakit_abcdef01_1_2_3_4",
            "app_abcdef01_1_2_3",
        ] {
            assert_eq!(database_owner(other), None, "{other}");
        }
    }

    #[test]
    fn shell_quoting_survives_quotes() {
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!("printf %s {}", sh_quote("it's a 'dir'")))
            .output()
            .unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "it's a 'dir'");
    }
}
