//! Where a run's Postgres comes from: [`choose_provider`] turns what the user asked for
//! into a [`Runtime`] (a URL, then Docker when the image exists locally, then local
//! binaries), [`choose_for_major`] does the same pinned to one PostgreSQL major (for
//! `verify --pg`), and a [`ServerPool`] starts one server per runtime per run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::server::Server;
use crate::{Error, cleanup, docker};

/// Which provider the user asked for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Provider {
    /// The URL if one is given, else Docker if the image exists locally, else local
    /// binaries.
    #[default]
    Auto,
    /// An existing server by URL.
    Url,
    /// A container from a locally built image.
    Docker,
    /// An ephemeral cluster from local binaries.
    Local,
}

/// What the user asked for: the provider, and what the providers may use. Options given
/// here win over a system's defaults (see [`choose_provider`]).
#[derive(Debug, Clone, Default)]
pub struct ProviderOptions {
    /// Which provider.
    pub provider: Provider,
    /// An existing server.
    pub database_url: Option<String>,
    /// The directory of local PostgreSQL binaries.
    pub pg_bin: Option<PathBuf>,
    /// The Docker image (`name:tag`).
    pub image: Option<String>,
}

/// The way a server is started, once a provider is chosen. Equal runtimes share one
/// server in a [`ServerPool`].
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Runtime {
    /// An existing server at this URL.
    Url(String),
    /// A container from this image.
    Docker(String),
    /// A cluster from these binaries (or the ones found on the machine).
    Local(Option<PathBuf>),
}

impl std::fmt::Debug for Runtime {
    /// [`Runtime::describe`]: never the URL, which may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

impl Runtime {
    /// What will be started, for a progress line (never contains a password).
    pub fn describe(&self) -> String {
        match self {
            Runtime::Url(_) => "the existing server".into(),
            Runtime::Docker(image) => format!("a container from {image}"),
            Runtime::Local(Some(bin)) => format!("a local cluster from {}", bin.display()),
            Runtime::Local(None) => "a local cluster".into(),
        }
    }

    /// Starts (or, for a URL, connects to) the server; with `progress`, says on stderr
    /// what it waits for.
    pub fn start(&self, progress: bool) -> Result<Server, Error> {
        match self {
            Runtime::Url(url) => Server::from_url_with(url, progress),
            Runtime::Docker(image) => docker::start_with(image, progress),
            Runtime::Local(bin) => Server::local_with(bin.as_deref(), progress),
        }
    }
}

/// Chooses the runtime for a system whose configuration names `image` and `pg_bin` as
/// defaults. `--provider auto` takes the URL if one is given, else Docker when the image
/// exists locally (no registry is reachable, so a missing image cannot be pulled), else
/// local binaries.
pub fn choose_provider(
    options: &ProviderOptions,
    image: Option<&str>,
    pg_bin: Option<&Path>,
) -> Result<Runtime, Error> {
    choose(options, image, pg_bin, docker::has_image)
}

/// [`choose_provider`] with the Docker question answered by `has_image`.
fn choose(
    options: &ProviderOptions,
    image: Option<&str>,
    pg_bin: Option<&Path>,
    has_image: impl Fn(&str) -> bool,
) -> Result<Runtime, Error> {
    let image = options.image.as_deref().or(image);
    let url = || {
        options
            .database_url
            .clone()
            .map(Runtime::Url)
            .ok_or(Error::ProviderNeeds {
                provider: "url",
                needs: "--database-url or DATABASE_URL",
            })
    };
    let docker = || {
        image
            .map(|i| Runtime::Docker(i.to_string()))
            .ok_or(Error::ProviderNeeds {
                provider: "docker",
                needs: "an image: --image or `image` in schemakit.toml",
            })
    };
    let local = || Runtime::Local(options.pg_bin.clone().or(pg_bin.map(Path::to_path_buf)));
    match options.provider {
        Provider::Url => url(),
        Provider::Docker => docker(),
        Provider::Local => Ok(local()),
        Provider::Auto if options.database_url.is_some() => url(),
        Provider::Auto if image.is_some_and(has_image) => docker(),
        Provider::Auto => Ok(local()),
    }
}

/// Where `scripts/postgres-runtime.sh` puts local binaries: `pg<major>/bin` under it.
pub const RUNTIME_ROOT: &str = "/opt/schemakit";

/// The image of a major when the configuration names none (`scripts/postgres-runtime.sh`
/// builds them): `schemakit/postgres:<major>`.
pub fn default_image(major: u32) -> String {
    format!("schemakit/postgres:{major}")
}

/// The directories that may hold a major's binaries when the configuration names none, in
/// order: [`RUNTIME_ROOT`]`/pg<major>/bin` (the runtime script's), then Debian's
/// `/usr/lib/postgresql/<major>/bin`.
pub fn default_bin_dirs(major: u32) -> Vec<PathBuf> {
    vec![
        Path::new(RUNTIME_ROOT).join(format!("pg{major}/bin")),
        PathBuf::from(format!("/usr/lib/postgresql/{major}/bin")),
    ]
}

/// Whether `dir` holds `initdb` and `postgres`.
fn has_binaries(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("postgres").is_file()
}

/// Chooses the runtime of one major for a system whose configuration names `image` and
/// `pg_bin` for it (else [`default_image`] and [`default_bin_dirs`]). A URL names one
/// server, so it is no choice here (`--provider url` is an error; `auto` ignores a URL);
/// `auto` takes Docker when the image exists locally, else local binaries. Whatever the
/// provider, a runtime that is not there is [`Error::MajorUnavailable`], naming what was
/// looked for. The server's major is the caller's to check once it runs: an image or a
/// directory named in the configuration may hold another.
pub fn choose_for_major(
    options: &ProviderOptions,
    major: u32,
    image: Option<&str>,
    pg_bin: Option<&Path>,
    has_image: impl Fn(&str) -> bool,
) -> Result<Runtime, Error> {
    let image = options
        .image
        .clone()
        .or(image.map(str::to_string))
        .unwrap_or_else(|| default_image(major));
    let dirs = match options.pg_bin.as_deref().or(pg_bin) {
        Some(dir) => vec![dir.to_path_buf()],
        None => default_bin_dirs(major),
    };
    let docker = || has_image(&image).then(|| Runtime::Docker(image.clone()));
    let local = || {
        dirs.iter()
            .find(|d| has_binaries(d))
            .map(|d| Runtime::Local(Some(d.clone())))
    };
    let looked_for_image = format!("image {image}");
    let looked_for_bins = dirs
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(" or ");
    let unavailable = |looked: Vec<String>| Error::MajorUnavailable { major, looked };
    match options.provider {
        Provider::Url => Err(Error::Environment(
            "--provider url names one existing server, of one major: --pg needs --provider docker or local (auto passes a URL by)".into(),
        )),
        Provider::Docker => docker().ok_or_else(|| unavailable(vec![looked_for_image])),
        Provider::Local => local().ok_or_else(|| unavailable(vec![looked_for_bins])),
        Provider::Auto => docker()
            .or_else(local)
            .ok_or_else(|| unavailable(vec![looked_for_image, looked_for_bins])),
    }
}

/// The servers of a run, one per runtime, started on first use and stopped (their
/// databases dropped, clusters and containers removed) when the pool is dropped.
#[derive(Debug, Default)]
pub struct ServerPool {
    servers: BTreeMap<Runtime, Server>,
    progress: bool,
}

impl ServerPool {
    /// An empty pool; with `progress` (the caller knows stderr is a terminal), starting a
    /// server says so on stderr, and what it waits for.
    pub fn new(progress: bool) -> ServerPool {
        ServerPool {
            servers: BTreeMap::new(),
            progress,
        }
    }

    /// Whether the server of `runtime` is running already.
    pub fn is_running(&self, runtime: &Runtime) -> bool {
        self.servers.contains_key(runtime)
    }

    /// The server of `runtime`, started now unless it is running already. A start that
    /// fails because the run was interrupted ends the process quietly (see
    /// [`cleanup::checkpoint`]): the failure is the interrupt's.
    pub fn get_or_start(&mut self, runtime: &Runtime) -> Result<&Server, Error> {
        if !self.servers.contains_key(runtime) {
            if self.progress {
                eprintln!("starting {} …", runtime.describe());
            }
            let server = runtime
                .start(self.progress)
                .inspect_err(|_| cleanup::checkpoint())?;
            self.servers.insert(runtime.clone(), server);
        }
        self.servers
            .get(runtime)
            .ok_or_else(|| Error::Environment("the server pool lost a server".into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(provider: Provider, url: Option<&str>, image: Option<&str>) -> ProviderOptions {
        ProviderOptions {
            provider,
            database_url: url.map(str::to_string),
            pg_bin: None,
            image: image.map(str::to_string),
        }
    }

    #[test]
    fn auto_prefers_the_url_then_a_local_image_then_local_binaries() {
        let url = options(Provider::Auto, Some("postgres://h/db"), None);
        assert_eq!(
            choose(&url, Some("pg:15"), None, |_| true).ok(),
            Some(Runtime::Url("postgres://h/db".into()))
        );
        let auto = options(Provider::Auto, None, None);
        assert_eq!(
            choose(&auto, Some("pg:15"), None, |i| i == "pg:15").ok(),
            Some(Runtime::Docker("pg:15".into()))
        );
        assert_eq!(
            choose(&auto, Some("pg:15"), Some(Path::new("/pg/bin")), |_| false).ok(),
            Some(Runtime::Local(Some(PathBuf::from("/pg/bin"))))
        );
        assert_eq!(
            choose(&auto, None, None, |_| true).ok(),
            Some(Runtime::Local(None))
        );
    }

    #[test]
    fn command_line_options_win_over_a_systems_defaults() {
        let mut opts = options(Provider::Auto, None, Some("cli:1"));
        opts.pg_bin = Some(PathBuf::from("/cli/bin"));
        assert_eq!(
            choose(&opts, Some("config:1"), None, |i| i == "cli:1").ok(),
            Some(Runtime::Docker("cli:1".into()))
        );
        opts.provider = Provider::Local;
        assert_eq!(
            choose(&opts, None, Some(Path::new("/config/bin")), |_| true).ok(),
            Some(Runtime::Local(Some(PathBuf::from("/cli/bin"))))
        );
    }

    #[test]
    fn an_explicit_provider_without_its_input_is_a_typed_error() {
        let url = choose(&options(Provider::Url, None, None), None, None, |_| true);
        assert!(
            matches!(
                url,
                Err(Error::ProviderNeeds {
                    provider: "url",
                    ..
                })
            ),
            "{url:?}"
        );
        let docker = choose(&options(Provider::Docker, None, None), None, None, |_| true);
        assert!(
            matches!(
                docker,
                Err(Error::ProviderNeeds {
                    provider: "docker",
                    ..
                })
            ),
            "{docker:?}"
        );
    }

    #[test]
    fn a_major_runs_in_its_image_when_it_exists_else_from_its_binaries() {
        let auto = options(Provider::Auto, Some("postgres://h/db"), None);
        // A URL is one server: auto passes it by.
        assert_eq!(
            choose_for_major(&auto, 17, None, None, |i| i == "schemakit/postgres:17").ok(),
            Some(Runtime::Docker("schemakit/postgres:17".into()))
        );
        let dir = std::env::temp_dir().join(format!("schemakit-provider-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        for program in ["initdb", "postgres"] {
            std::fs::write(dir.join(program), "").unwrap_or_else(|e| panic!("{e}"));
        }
        assert_eq!(
            choose_for_major(&auto, 16, Some("pg:16-vector"), Some(&dir), |_| false).ok(),
            Some(Runtime::Local(Some(dir.clone())))
        );
        let local = options(Provider::Local, None, None);
        assert_eq!(
            choose_for_major(&local, 16, Some("pg:16-vector"), Some(&dir), |_| true).ok(),
            Some(Runtime::Local(Some(dir.clone())))
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn an_unavailable_major_names_what_was_looked_for() {
        let auto = options(Provider::Auto, None, None);
        let missing = Path::new("/nonexistent/pg13/bin");
        match choose_for_major(&auto, 13, None, Some(missing), |_| false) {
            Err(Error::MajorUnavailable { major: 13, looked }) => assert_eq!(
                looked,
                ["image schemakit/postgres:13", "/nonexistent/pg13/bin"]
            ),
            other => panic!("{other:?}"),
        }
        let url = options(Provider::Url, Some("postgres://h/db"), None);
        assert!(matches!(
            choose_for_major(&url, 16, None, None, |_| true),
            Err(Error::Environment(_))
        ));
    }

    #[test]
    fn a_runtime_never_shows_its_url() {
        let runtime = Runtime::Url("postgres://u:secret@h/db".into());
        assert!(!format!("{runtime:?}").contains("secret"));
    }
}
