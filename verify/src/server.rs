//! Getting a Postgres: an existing server by URL, an ephemeral cluster from local
//! binaries, or (see `docker`) a container. One server per run; each check gets its own
//! throwaway database, dropped when the server is.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use postgres::{Client, Config, NoTls};

use crate::Error;

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
    config: Config,
    prefix: String,
    counter: AtomicUsize,
    created: Mutex<Vec<String>>,
    /// Keeps the cluster or container alive; dropped after the databases.
    _guard: Guard,
}

/// What must be stopped when the server is dropped: a cluster or a container, held only
/// for its `Drop`.
pub(crate) type Guard = Option<Box<dyn std::any::Any + Send + Sync>>;

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("kind", &self.kind)
            .field("description", &self.description)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// A unique prefix for this run's databases: `schemakit_<pid>_<millis>`.
fn run_prefix() -> String {
    let millis = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() % 1_000_000_000);
    format!("schemakit_{}_{millis}", std::process::id())
}

impl Server {
    pub(crate) fn new(
        kind: ProviderKind,
        description: String,
        config: Config,
        guard: Guard,
    ) -> Result<Server, Error> {
        let mut client = connect_retrying(&config, Duration::from_secs(60))?;
        let row = client
            .query_one("SELECT current_setting('server_version'), current_setting('server_version_num')::int", &[])
            .map_err(|e| Error::db("cannot read the server version", e))?;
        let version: String = row.get(0);
        let num: i32 = row.get(1);
        Ok(Server {
            kind,
            description,
            version: format!(
                "PostgreSQL {}",
                version.split_whitespace().next().unwrap_or(&version)
            ),
            major: (num / 10000) as u32,
            config,
            prefix: run_prefix(),
            counter: AtomicUsize::new(0),
            created: Mutex::new(Vec::new()),
            _guard: guard,
        })
    }

    /// An existing server: `postgres://user:password@host:port/db`. The password is never
    /// printed.
    pub fn from_url(url: &str) -> Result<Server, Error> {
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
        Server::new(ProviderKind::Url, description, config, None)
    }

    /// A fresh ephemeral cluster from local binaries (`bin` or discovered).
    pub fn local(bin: Option<&Path>) -> Result<Server, Error> {
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
        )
    }

    /// A connection to database `db`.
    pub fn connect(&self, db: &str) -> Result<Client, Error> {
        let mut config = self.config.clone();
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
        let mut admin = self.connect(self.admin_db())?;
        let sql = match template {
            Some(t) => format!("CREATE DATABASE \"{name}\" TEMPLATE \"{t}\""),
            None => format!("CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'"),
        };
        admin
            .batch_execute(&sql)
            .map_err(|e| Error::db(&format!("cannot create database `{name}`"), e))?;
        if let Ok(mut created) = self.created.lock() {
            created.push(name.clone());
        }
        Ok(name)
    }

    /// Drops a database this run created.
    pub fn drop_database(&self, name: &str) -> Result<(), Error> {
        let mut admin = self.connect(self.admin_db())?;
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .map_err(|e| Error::db(&format!("cannot drop database `{name}`"), e))?;
        if let Ok(mut created) = self.created.lock() {
            created.retain(|n| n != name);
        }
        Ok(())
    }

    fn admin_db(&self) -> &str {
        self.config.get_dbname().unwrap_or("postgres")
    }

    /// The connection settings (for tools such as the runner).
    pub fn config(&self) -> &Config {
        &self.config
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let names: Vec<String> = self.created.lock().map(|c| c.clone()).unwrap_or_default();
        if names.is_empty() || self.kind != ProviderKind::Url {
            // A local cluster or a container goes away whole.
            return;
        }
        for name in names {
            let _ = self.drop_database(&name);
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

fn connect_retrying(config: &Config, timeout: Duration) -> Result<Client, Error> {
    let start = Instant::now();
    loop {
        match config.connect(NoTls) {
            Ok(c) => return Ok(c),
            Err(e) if start.elapsed() < timeout => {
                let _ = e;
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(e) => return Err(Error::db("cannot connect to the server", e)),
        }
    }
}

// ----- local binaries ---------------------------------------------------------------

/// An ephemeral cluster: a temporary directory, a private unix socket, no TCP port.
pub(crate) struct LocalCluster {
    bin: PathBuf,
    dir: PathBuf,
    child: Option<Child>,
    as_nobody: bool,
}

/// The uid and gid Postgres runs under when schemakit runs as root (it refuses root).
const NOBODY: u32 = 65534;

/// A shell that waits for this process to end, however it ends, then runs `cleanup`.
pub(crate) fn cleanup_watcher(cleanup: &str) -> Command {
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(format!(
            "while [ -d /proc/{} ]; do sleep 0.5; done; {cleanup}",
            std::process::id()
        ))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Whether this process runs as root (Postgres then runs as `nobody`).
pub fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|euid| euid == "0"))
        })
        .unwrap_or(false)
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
    candidates.pop().map(|(_, d)| d).ok_or_else(|| {
        Error::Environment(
            "no PostgreSQL binaries found (looked at PATH, pg_config --bindir and /usr/lib/postgresql/*/bin); pass --pg-bin DIR".into(),
        )
    })
}

impl LocalCluster {
    fn start(bin: Option<&Path>) -> Result<LocalCluster, Error> {
        static CLUSTERS: AtomicUsize = AtomicUsize::new(0);
        let bin = find_binaries(bin)?;
        let as_nobody = running_as_root();
        let n = CLUSTERS.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("schemakit-pg-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error::Environment(format!("cannot create {}: {e}", dir.display())))?;
        let mut cluster = LocalCluster {
            bin,
            dir,
            child: None,
            as_nobody,
        };
        if as_nobody {
            std::os::unix::fs::chown(&cluster.dir, Some(NOBODY), Some(NOBODY)).map_err(|e| {
                Error::Environment(format!(
                    "cannot hand {} to the unprivileged user: {e}",
                    cluster.dir.display()
                ))
            })?;
        }
        let data = cluster.dir.join("data");
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
        let log = std::fs::File::create(cluster.dir.join("postgres.log"))
            .map_err(|e| Error::Environment(format!("cannot create the server log: {e}")))?;
        if as_nobody {
            let _ = std::os::unix::fs::chown(
                cluster.dir.join("postgres.log"),
                Some(NOBODY),
                Some(NOBODY),
            );
        }
        let child = cluster
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
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| {
                Error::Environment(format!(
                    "cannot start {}/postgres: {e}",
                    cluster.bin.display()
                ))
            })?;
        cluster.child = Some(child);
        // If this process dies without dropping the cluster (a static in a test binary,
        // Ctrl-C, an abort), a watcher stops the server and deletes the directory.
        let cleanup = format!(
            "'{}' -D '{}' stop -m immediate -w >/dev/null 2>&1; rm -rf '{}'",
            cluster.bin.join("pg_ctl").display(),
            data.display(),
            cluster.dir.display()
        );
        let mut watcher = cleanup_watcher(&cleanup);
        if as_nobody {
            use std::os::unix::process::CommandExt;
            watcher.uid(NOBODY).gid(NOBODY).current_dir(&cluster.dir);
        }
        watcher.spawn().map_err(|e| {
            Error::Environment(format!("cannot start the cluster's cleanup watcher: {e}"))
        })?;
        Ok(cluster)
    }

    fn command(&self, program: &str) -> Command {
        let mut cmd = Command::new(self.bin.join(program));
        if self.as_nobody {
            use std::os::unix::process::CommandExt;
            cmd.uid(NOBODY).gid(NOBODY);
            cmd.current_dir(&self.dir);
        }
        cmd
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
        if let Some(mut child) = self.child.take() {
            // A fast shutdown: SIGINT through pg_ctl, then make sure.
            let _ = self
                .command("pg_ctl")
                .arg("-D")
                .arg(self.dir.join("data"))
                .args(["stop", "-m", "immediate", "-w", "-t", "10"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status();
            let _ = child.kill();
            let _ = child.wait();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
