//! A Postgres container started with testcontainers from a locally built image (no
//! registry is needed: `scripts/postgres-runtime.sh` builds them). Each container carries
//! the label `schemakit.owner=<host>/<pid>` (see [`crate::cleanup`]); it is removed when
//! the server is dropped, on a signal, by a watcher when the process is killed, and
//! otherwise by the next run on this machine.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use postgres::Config;
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::SyncRunner;
use testcontainers::{Container, GenericImage, ImageExt};

use crate::Error;
use crate::cleanup::{self, Registration};
use crate::server::{ProviderKind, Server};

/// The label that names the process owning a container.
const OWNER_LABEL: &str = "schemakit.owner";

/// This process's value of [`OWNER_LABEL`].
fn owner() -> String {
    format!("{}/{}", cleanup::host_tag(), std::process::id())
}

/// The container, then (field order) the registration that removes whatever this process
/// started, however the run ends.
struct ContainerGuard {
    _container: Container<GenericImage>,
    _registration: Registration,
}

/// Removes the containers labelled with `owner`, and waits (up to 10 s) until they are
/// gone: one that testcontainers is removing already refuses a second removal ("removal
/// in progress") but is not gone yet. Best effort.
fn remove_owned_by(owner: &str) {
    let start = Instant::now();
    loop {
        let Ok(out) = Command::new("docker")
            .args(["ps", "-aq", "--filter"])
            .arg(format!("label={OWNER_LABEL}={owner}"))
            .stdin(Stdio::null())
            .stderr(Stdio::null())
            .output()
        else {
            return;
        };
        let ids: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if ids.is_empty() || !out.status.success() || start.elapsed() > Duration::from_secs(10) {
            return;
        }
        remove(&ids);
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn remove(ids: &[String]) {
    if ids.is_empty() {
        return;
    }
    let _ = Command::new("docker")
        .args(["rm", "-f", "-v"])
        .args(ids)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Removes the containers that runs on this machine started and left behind (their
/// process is gone). Containers without the label, or of live processes, are left alone.
fn remove_leftover_containers() {
    let Ok(out) = Command::new("docker")
        .args(["ps", "-a", "--filter"])
        .arg(format!("label={OWNER_LABEL}"))
        .arg("--format")
        .arg(format!("{{{{.ID}}}} {{{{.Label \"{OWNER_LABEL}\"}}}}"))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
    else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let dead: Vec<String> = text
        .lines()
        .filter_map(|line| {
            let (id, owner) = line.split_once(' ')?;
            let (host, pid) = owner.split_once('/')?;
            cleanup::owner_is_dead(host, pid.parse().ok()?).then(|| id.to_string())
        })
        .collect();
    remove(&dead);
}

/// Whether a Docker daemon answers and has `image` locally (no registry is reachable,
/// so a missing image cannot be pulled).
pub fn has_image(image: &str) -> bool {
    Command::new("docker")
        .args(["image", "inspect", image])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// Starts a container from `image` (`name:tag`) and connects to it.
pub fn start(image: &str) -> Result<Server, Error> {
    start_with(image, false)
}

/// [`start`], saying on stderr what it waits for when `progress` is set.
pub(crate) fn start_with(image: &str, progress: bool) -> Result<Server, Error> {
    remove_leftover_containers();
    let (name, tag) = image.rsplit_once(':').unwrap_or((image, "latest"));
    let owner = owner();
    // Registered before the container exists: a watcher removes it if this process is
    // killed while it starts, and an interrupt waits for the start to end (`pending`).
    let registration = {
        let owner = owner.clone();
        let script = format!(
            "ids=$(docker ps -aq --filter 'label={OWNER_LABEL}={owner}'); [ -z \"$ids\" ] || docker rm -f -v $ids >/dev/null 2>&1"
        );
        Registration::new(move || remove_owned_by(&owner), Some((&script, None))).map_err(|e| {
            Error::Environment(format!("cannot start the container's cleanup watcher: {e}"))
        })?
    };
    let started = {
        let _pending = cleanup::pending();
        GenericImage::new(name, tag)
            .with_exposed_port(5432.tcp())
            .with_wait_for(WaitFor::message_on_stderr(
                "database system is ready to accept connections",
            ))
            .with_label(OWNER_LABEL, owner)
            .with_startup_timeout(Duration::from_secs(120))
            .start()
    };
    let container = started.map_err(|e| {
        Error::Environment(format!(
            "cannot start a container from image `{image}`: {e}; build it with `bash scripts/postgres-runtime.sh` (no registry is reachable here)"
        ))
    })?;
    let host = container
        .get_host()
        .map_err(|e| Error::Environment(format!("container of `{image}`: no host: {e}")))?;
    let port = container.get_host_port_ipv4(5432).map_err(|e| {
        Error::Environment(format!(
            "container of `{image}`: port 5432 is not mapped: {e}"
        ))
    })?;
    let mut config = Config::new();
    config
        .host(&host.to_string())
        .port(port)
        .user("postgres")
        .dbname("postgres")
        .connect_timeout(Duration::from_secs(5));
    let description = format!(
        "container {} from image {image} on {host}:{port}",
        short_id(container.id())
    );
    Server::new(
        ProviderKind::Docker,
        description,
        config,
        Some(Box::new(ContainerGuard {
            _container: container,
            _registration: registration,
        })),
        progress,
    )
}

fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}
