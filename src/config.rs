//! `schemakit.toml`: the systems of a repository, where their SQL is, and where their
//! generated code goes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use serde::Deserialize;

/// The file name looked for in the current directory.
pub const FILE_NAME: &str = "schemakit.toml";

/// The whole configuration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where generated code goes.
    #[serde(default)]
    pub generate: GenerateConfig,
    /// How `verify` gets a Postgres.
    #[serde(default)]
    pub verify: VerifyConfig,
    /// The systems, by name.
    #[serde(default)]
    pub systems: BTreeMap<String, System>,
    /// The directory the file is in; paths in it are relative to this.
    #[serde(skip)]
    pub root: PathBuf,
}

/// `[generate]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GenerateConfig {
    /// The `src/` directory of the generated crate.
    #[serde(default = "default_out")]
    pub out: PathBuf,
}

impl Default for GenerateConfig {
    fn default() -> Self {
        GenerateConfig { out: default_out() }
    }
}

fn default_out() -> PathBuf {
    PathBuf::from("generated/src")
}

/// `[verify]`: defaults for every system.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyConfig {
    /// The Docker image (`name:tag`), built locally.
    pub image: Option<String>,
    /// The directory of local PostgreSQL binaries.
    pub pg_bin: Option<PathBuf>,
}

/// `[systems.<name>]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct System {
    /// The migration directory.
    pub migrations: Option<PathBuf>,
    /// The canonical DDL file.
    pub schema: Option<PathBuf>,
    /// The Rust module the generated code goes in (default: the system's name).
    pub module: Option<String>,
    /// Rust types for SQL types: `"citext" = "String"`.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// Rust types for columns: `"jobs.payload" = "my_crate::Payload"`.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Array columns whose elements are never NULL though no CHECK says so
    /// (`["posts.tags"]`): generated as `Vec<T>`, not `Vec<Option<T>>`.
    #[serde(default)]
    pub array_elements_not_null: BTreeSet<String>,
    /// Rust names for SQL objects the default conversion does not suit, or that would
    /// become the same Rust name.
    #[serde(default)]
    pub rename: Rename,
    /// The format of the tracking table `migrate` and `verify` record applied migrations
    /// in (default: the set's own tool's, from its layout). `--tracking` overrides it.
    pub tracking: Option<verify::TrackingFormat>,
    /// The tracking table (`name` or `schema.name`; default: the format's own).
    /// `--tracking-table` overrides it.
    pub tracking_table: Option<String>,
    /// The catalog snapshot `verify` compares (insta format).
    pub snapshot: Option<PathBuf>,
    /// Migrations without a down script are fine for this system.
    #[serde(default)]
    pub allow_irreversible: bool,
    /// The PostgreSQL majors the system supports (`majors = [16, 18]`; default: any).
    /// `verify --pg` runs it on the requested majors among these and reports the others as
    /// not run, with this list as the reason.
    pub majors: Option<Vec<u32>>,
    /// The Docker image for this system (one with pgvector, say): one image, or one per
    /// major (`image = { 16 = "…", 18 = "…" }`).
    pub image: Option<PerMajor<String>>,
    /// Local binaries for this system: one directory, or one per major.
    pub pg_bin: Option<PerMajor<PathBuf>>,
    /// The major the snapshot was made on, when the catalog differs across majors (an
    /// extension's version, say): on another major check e shows the differences as notes
    /// and writes nothing. Default: the snapshot holds on every major.
    pub snapshot_major: Option<u32>,
    /// Known failures (defects kept on purpose): `verify` reports them, CI stays green,
    /// and a known failure that stops happening is itself a failure.
    #[serde(default)]
    pub expect_failure: Vec<verify::check::ExpectedFailure>,
    /// What `schemakit diff` is told once for the system: `[systems.<name>.diff]`.
    #[serde(default)]
    pub diff: DiffSettings,
}

/// `[systems.<name>.diff]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffSettings {
    /// Columns renamed, not dropped and added: `["jobs.title=name"]`, as `--rename`.
    #[serde(default)]
    pub renames: Vec<String>,
}

/// A runtime setting (`image`, `pg_bin`) given once for every major, or per major.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum PerMajor<T> {
    /// `image = "name:tag"`: the same for every major.
    One(T),
    /// `image = { 16 = "…", 18 = "…" }`: by major (keys are checked by [`Config::load`]).
    ByMajor(BTreeMap<String, T>),
}

impl<T> PerMajor<T> {
    /// The setting of a run without `--pg`: the one value, or the newest major's.
    pub fn default_value(&self) -> Option<&T> {
        match self {
            PerMajor::One(v) => Some(v),
            PerMajor::ByMajor(map) => map
                .iter()
                .filter_map(|(k, v)| Some((k.parse::<u32>().ok()?, v)))
                .max_by_key(|(k, _)| *k)
                .map(|(_, v)| v),
        }
    }

    /// The setting for `major`: the one value (whatever major it is; `verify` checks the
    /// server's), or the entry of that major.
    pub fn for_major(&self, major: u32) -> Option<&T> {
        match self {
            PerMajor::One(v) => Some(v),
            PerMajor::ByMajor(map) => map
                .iter()
                .find(|(k, _)| k.parse::<u32>().ok() == Some(major))
                .map(|(_, v)| v),
        }
    }

    /// The keys that are not majors.
    fn bad_keys(&self) -> Vec<&str> {
        match self {
            PerMajor::One(_) => Vec::new(),
            PerMajor::ByMajor(map) => map
                .keys()
                .filter(|k| k.parse::<u32>().is_err())
                .map(String::as_str)
                .collect(),
        }
    }
}

/// `[systems.<name>.rename]`: SQL object → Rust name. Tables and types are keyed `name`
/// in `public` and `schema.name` elsewhere; columns `table.column`; labels `type.label`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rename {
    /// Tables → the row struct's name (the module is its snake_case).
    #[serde(default)]
    pub tables: BTreeMap<String, String>,
    /// Columns → field names.
    #[serde(default)]
    pub columns: BTreeMap<String, String>,
    /// Enum types → Rust enum names.
    #[serde(default)]
    pub types: BTreeMap<String, String>,
    /// Enum labels → variant names.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
}

impl Rename {
    /// The generator's form.
    pub fn to_codegen(&self) -> codegen::Renames {
        codegen::Renames {
            tables: self.tables.clone(),
            columns: self.columns.clone(),
            types: self.types.clone(),
            labels: self.labels.clone(),
        }
    }
}

impl Config {
    /// Reads `path`.
    pub fn load(path: &Path) -> anyhow::Result<Config> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut config: Config = toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("{}: {}", path.display(), e.to_string().trim_end()))?;
        config.root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        for (name, system) in &config.systems {
            if system.migrations.is_none() && system.schema.is_none() {
                bail!(
                    "{}: system `{name}` names neither `migrations` nor `schema`; give it at least one",
                    path.display()
                );
            }
            let bad: Vec<&str> = (system.image.iter().flat_map(PerMajor::bad_keys))
                .chain(system.pg_bin.iter().flat_map(PerMajor::bad_keys))
                .collect();
            if let Some(key) = bad.first() {
                bail!(
                    "{}: system `{name}`: `{key}` is not a PostgreSQL major; key `image` and `pg_bin` tables by major (`{{ 16 = \"…\", 18 = \"…\" }}`)",
                    path.display()
                );
            }
            if system.majors.as_ref().is_some_and(Vec::is_empty) {
                bail!(
                    "{}: system `{name}`: `majors` is empty; list the majors it supports, or leave it out for any",
                    path.display()
                );
            }
        }
        Ok(config)
    }

    /// Reads `schemakit.toml` from the current directory, or the file given.
    pub fn find(explicit: Option<&Path>) -> anyhow::Result<Config> {
        let path = explicit.map_or_else(|| PathBuf::from(FILE_NAME), Path::to_path_buf);
        if !path.is_file() {
            bail!(
                "no {} found at {}; run from the repository root, pass --config, or give paths on the command line",
                FILE_NAME,
                path.display()
            );
        }
        Config::load(&path)
    }

    /// A path from the file, made relative to the current directory.
    pub fn path(&self, p: &Path) -> PathBuf {
        if self.root.as_os_str().is_empty() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }

    /// The systems selected by `--system` (all when none is named).
    pub fn selected(&self, name: Option<&str>) -> anyhow::Result<Vec<(&String, &System)>> {
        match name {
            None => Ok(self.systems.iter().collect()),
            Some(n) => match self.systems.get_key_value(n) {
                Some(pair) => Ok(vec![pair]),
                None => {
                    let known: Vec<&str> = self.systems.keys().map(String::as_str).collect();
                    bail!(
                        "unknown system `{n}`; {FILE_NAME} has: {}",
                        known.join(", ")
                    )
                }
            },
        }
    }
}

impl System {
    /// The tracking table chosen here, each part overridden by the command line's.
    pub fn tracking(
        &self,
        format: Option<verify::TrackingFormat>,
        table: Option<&str>,
    ) -> anyhow::Result<verify::tracking::Choice> {
        tracking_choice(
            format.or(self.tracking),
            table.or(self.tracking_table.as_deref()),
        )
    }

    /// The Rust module of the system called `name`: `module` when set (an error unless it
    /// is a Rust identifier), else `name` in snake_case.
    pub fn module(&self, name: &str) -> anyhow::Result<String> {
        Ok(codegen::system_module(name, self.module.as_deref())?)
    }

    /// Why the system does not run on `major`, when its `majors` leave it out.
    pub fn excludes(&self, major: u32) -> Option<String> {
        let majors = self.majors.as_ref()?;
        if majors.contains(&major) {
            return None;
        }
        let list: Vec<String> = majors.iter().map(u32::to_string).collect();
        Some(format!(
            "the system supports majors {} (`majors` in {FILE_NAME})",
            list.join(", ")
        ))
    }

    /// The source generation reads: the migrations when configured, else the schema file.
    pub fn source(&self) -> Option<&Path> {
        self.migrations.as_deref().or(self.schema.as_deref())
    }
}

/// A tracking table choice from its parts (a table name that cannot be one is an error).
pub fn tracking_choice(
    format: Option<verify::TrackingFormat>,
    table: Option<&str>,
) -> anyhow::Result<verify::tracking::Choice> {
    Ok(verify::tracking::Choice {
        format,
        table: table.map(verify::TrackingTable::parse).transpose()?,
    })
}
