//! The commands, one module each, and what they share: the input options of every command
//! that reads SQL (`PATH`, `--system`, `--layout`, `--config`) and the reading itself.

use std::path::{Path, PathBuf};

use schema::migrations::{Layout, MigrationSet};

use crate::color::Color;
use crate::config::{self, Config, System};

pub mod check;
pub mod diff;
pub mod generate;
pub mod lint;
pub mod migrate;
pub mod parse;
pub mod verify;

/// What a command reads: the paths given, or else the systems of `schemakit.toml`. The
/// same options on every command that reads migrations.
#[derive(Debug, Clone, clap::Args)]
pub struct Input {
    /// A .sql file or a migration directory (its layout is detected); without one, the
    /// systems of schemakit.toml.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only this system of schemakit.toml.
    #[arg(long, conflicts_with = "paths")]
    pub system: Option<String>,
    /// The migration layout, when detection should not decide: up-down, dbmate, goose,
    /// sqlx, diesel, flyway, prisma or drizzle.
    #[arg(long, value_parser = parse_layout)]
    pub layout: Option<Layout>,
    /// The configuration file.
    #[arg(long, default_value = config::FILE_NAME)]
    pub config: PathBuf,
}

impl Input {
    /// The one path given, if any; more than one is a usage error.
    pub fn one_path(&self, command: &str) -> anyhow::Result<Option<&Path>> {
        match self.paths.as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many => anyhow::bail!("{command} takes one PATH, not {}", many.len()),
        }
    }

    /// The configuration file.
    pub fn load_config(&self) -> anyhow::Result<Config> {
        Config::find(Some(&self.config))
    }

    /// The systems `--system` selects (all when none is named).
    pub fn systems<'c>(&self, config: &'c Config) -> anyhow::Result<Vec<(&'c String, &'c System)>> {
        config.selected(self.system.as_deref())
    }

    /// Reads the migration set in `dir` (in `--layout`, or the detected one); a set that
    /// cannot be read is an error carrying its rendered diagnostics.
    pub fn read_set(&self, dir: &Path, color: Color) -> anyhow::Result<MigrationSet> {
        MigrationSet::read(&set_dir(dir), self.layout).map_err(|diagnostics| {
            anyhow::anyhow!("{}", schema::diagnostic::render(&diagnostics, color.stderr))
        })
    }

    /// Parses a .sql file, or folds a migration directory's up scripts (in `--layout`, or
    /// the detected one).
    pub fn parse(&self, path: &Path) -> schema::Parsed {
        let path = &set_dir(path);
        match self.layout {
            Some(layout) if path.is_dir() => match MigrationSet::read(path, Some(layout)) {
                Ok(set) => set.fold_up(),
                Err(diagnostics) => schema::Parsed {
                    diagnostics,
                    ..Default::default()
                },
            },
            _ => schema::parse_path(path),
        }
    }
}

/// The migration directory `path` stands for: a system directory (`db/cira`, holding
/// `migrations/` and perhaps `schema.sql`, and no other SQL files) stands for its
/// `migrations/`; any other path for itself.
pub fn set_dir(path: &Path) -> PathBuf {
    let migrations = path.join("migrations");
    let has_sql = || {
        std::fs::read_dir(path).is_ok_and(|entries| {
            entries.flatten().map(|e| e.path()).any(|p| {
                p.extension().is_some_and(|x| x == "sql")
                    && p.file_name().is_some_and(|n| n != "schema.sql")
                    && p.is_file()
            })
        })
    };
    if migrations.is_dir() && !has_sql() {
        migrations
    } else {
        path.to_path_buf()
    }
}

/// `--format` of `parse` and `verify`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Text for people; diagnostics on stderr.
    Text,
    /// One JSON document.
    Json,
}

fn parse_layout(s: &str) -> Result<Layout, String> {
    Layout::from_name(s).ok_or_else(|| {
        let names: Vec<&str> = Layout::ALL.iter().map(|l| l.name()).collect();
        format!(
            "unknown layout `{s}`; expected one of: {}",
            names.join(", ")
        )
    })
}
