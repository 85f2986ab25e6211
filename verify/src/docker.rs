//! A Postgres container started with testcontainers from a locally built image (no
//! registry is needed: `scripts/postgres-images.sh` builds them). The container is
//! removed when the server is dropped, on panic, and on Ctrl-C (testcontainers'
//! watchdog).

use std::time::Duration;

use postgres::Config;
use testcontainers::core::{IntoContainerPort, WaitFor};
use testcontainers::runners::SyncRunner;
use testcontainers::{GenericImage, ImageExt};

use crate::Error;
use crate::server::{ProviderKind, Server};

/// Starts a container from `image` (`name:tag`) and connects to it.
pub fn start(image: &str) -> Result<Server, Error> {
    let (name, tag) = image.rsplit_once(':').unwrap_or((image, "latest"));
    let container = GenericImage::new(name, tag)
        .with_exposed_port(5432.tcp())
        .with_wait_for(WaitFor::message_on_stderr("database system is ready to accept connections"))
        .with_startup_timeout(Duration::from_secs(120))
        .start()
        .map_err(|e| {
            Error::Environment(format!(
                "cannot start a container from image `{image}`: {e}; build it with `bash scripts/postgres-images.sh` (no registry is reachable here)"
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
    // If this process dies without dropping the container (a static in a test binary,
    // Ctrl-C, an abort), a watcher removes it.
    crate::server::cleanup_watcher(&format!("docker rm -f {} >/dev/null 2>&1", container.id()))
        .spawn()
        .map_err(|e| {
            Error::Environment(format!("cannot start the container's cleanup watcher: {e}"))
        })?;
    let description = format!(
        "container {} from image {image} on {host}:{port}",
        short_id(container.id())
    );
    Server::new(
        ProviderKind::Docker,
        description,
        config,
        Some(Box::new(container)),
    )
}

fn short_id(id: &str) -> &str {
    &id[..id.len().min(12)]
}
