//! Reading a tracking table: each format's rows as the applied (and failed) migrations
//! its tool sees.

use std::collections::BTreeMap;

use postgres::{Client, GenericClient};
use schema::migrations::{MigrationSet, Version};

use super::{Format, Shape, Tracking, checksum, column, prisma_name, tag};
use crate::Error;
use crate::runner::Applied;

impl Tracking {
    fn query(
        &self,
        client: &mut impl GenericClient,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> Result<Vec<postgres::Row>, Error> {
        client.query(sql, params).map_err(|e| {
            Error::db(
                &format!("cannot read the tracking table `{}`", self.table),
                e,
            )
        })
    }

    /// The rows of the table as applied (or failed) migrations, in version order; rows a
    /// format keeps for other purposes (goose's version 0, reverted Prisma attempts,
    /// Flyway's undo and schema rows) are read as the tool reads them. Writes nothing.
    pub(crate) fn read(
        &self,
        client: &mut Client,
        shape: Shape,
        set: &MigrationSet,
    ) -> Result<Vec<Applied>, Error> {
        if shape == Shape::Absent {
            return Ok(Vec::new());
        }
        let t = self.t();
        let tb = &self.table;
        let plain = |version: String, name: String, checksum: String| Applied {
            key: version.clone(),
            version,
            name,
            checksum,
            failure: None,
        };
        let no_statement = |how: &str| {
            format!(
                "{how} in `{}`; {}'s table keeps no statement or message: look at the database to see what took effect",
                self.table, self.format
            )
        };
        let mut out = Vec::new();
        match self.format {
            Format::Schemakit => {
                let failure = match shape {
                    Shape::Previous => "NULL::text",
                    _ => "CASE WHEN failed THEN coalesce(failure, '') END",
                };
                let sql = format!(
                    "SELECT version::text, coalesce(name, ''), coalesce(checksum, ''), {failure} FROM {t}"
                );
                for row in self.query(client, &sql, &[])? {
                    let mut a = plain(
                        column(&row, 0, tb)?,
                        column(&row, 1, tb)?,
                        column(&row, 2, tb)?,
                    );
                    a.failure = column(&row, 3, tb)?;
                    out.push(a);
                }
            }
            Format::Diesel | Format::Dbmate => {
                for row in self.query(client, &format!("SELECT version::text FROM {t}"), &[])? {
                    out.push(plain(column(&row, 0, tb)?, String::new(), String::new()));
                }
            }
            Format::Refinery => {
                let sql = format!(
                    "SELECT version::text, coalesce(name, ''), coalesce(checksum, '') FROM {t}"
                );
                for row in self.query(client, &sql, &[])? {
                    out.push(plain(
                        column(&row, 0, tb)?,
                        column(&row, 1, tb)?,
                        column(&row, 2, tb)?,
                    ));
                }
            }
            Format::Sqlx => {
                let sql = format!(
                    "SELECT version::text, description, encode(checksum, 'hex'), success FROM {t}"
                );
                for row in self.query(client, &sql, &[])? {
                    let mut a = plain(
                        column(&row, 0, tb)?,
                        column(&row, 1, tb)?,
                        column(&row, 2, tb)?,
                    );
                    if !column::<bool>(&row, 3, tb)? {
                        a.failure = Some(no_statement("marked success = false"));
                    }
                    out.push(a);
                }
            }
            Format::Goose => {
                // One row per event: the newest row of a version says whether it is applied.
                let sql = format!("SELECT version_id, is_applied FROM {t} ORDER BY id");
                let mut state: BTreeMap<i64, bool> = BTreeMap::new();
                for row in self.query(client, &sql, &[])? {
                    state.insert(column(&row, 0, tb)?, column(&row, 1, tb)?);
                }
                for (version, applied) in state {
                    if applied && version != 0 {
                        out.push(plain(version.to_string(), String::new(), String::new()));
                    }
                }
            }
            Format::GolangMigrate => {
                // One row: every migration up to its version is applied.
                let sql = format!("SELECT version, dirty FROM {t} ORDER BY version");
                let Some(row) = self.query(client, &sql, &[])?.pop() else {
                    return Ok(out);
                };
                let (current, dirty): (i64, bool) = (column(&row, 0, tb)?, column(&row, 1, tb)?);
                let Some(current_version) = Version::parse(&current.to_string()) else {
                    return Ok(out);
                };
                let mut found = false;
                for m in set
                    .migrations
                    .iter()
                    .filter(|m| m.version <= current_version)
                {
                    let mut a = plain(m.version.text.clone(), String::new(), String::new());
                    a.key = self.key(m);
                    if m.version == current_version {
                        found = true;
                        if dirty {
                            a.failure = Some(no_statement("marked dirty"));
                        }
                    }
                    out.push(a);
                }
                if !found && current >= 0 {
                    let mut a = plain(current.to_string(), String::new(), String::new());
                    a.failure = dirty.then(|| no_statement("marked dirty"));
                    out.push(a);
                }
            }
            Format::Flyway => self.read_flyway(client, set, &mut out)?,
            Format::Prisma => self.read_prisma(client, set, &mut out)?,
            Format::Drizzle => self.read_drizzle(client, set, &mut out)?,
        }
        out.sort_by_cached_key(|a| (Version::parse(&a.version), a.version.clone()));
        Ok(out)
    }

    /// Flyway: one row per attempt; the newest row of a version decides (an undo or a
    /// deleted mark reverts it, `success = false` is failed); a baseline row stands for
    /// every migration up to its version.
    fn read_flyway(
        &self,
        client: &mut Client,
        set: &MigrationSet,
        out: &mut Vec<Applied>,
    ) -> Result<(), Error> {
        let tb = &self.table;
        let sql = format!(
            "SELECT version, coalesce(description, ''), type, coalesce(checksum::text, ''), success
             FROM {} WHERE version IS NOT NULL AND type <> 'SCHEMA' ORDER BY installed_rank",
            self.t()
        );
        let mut newest: BTreeMap<String, Applied> = BTreeMap::new();
        let mut baseline: Option<Version> = None;
        for row in self.query(client, &sql, &[])? {
            let (version, name, kind, sum, success): (String, String, String, String, bool) = (
                column(&row, 0, tb)?,
                column(&row, 1, tb)?,
                column(&row, 2, tb)?,
                column(&row, 3, tb)?,
                column(&row, 4, tb)?,
            );
            if kind == "BASELINE" {
                baseline = Version::parse(&version).max(baseline);
            } else if kind.starts_with("UNDO") || kind == "DELETE" {
                newest.remove(&version);
            } else {
                let failure = (!success).then(|| {
                    format!(
                        "marked success = false in `{}`; flyway's table keeps no statement or message: look at the database to see what took effect",
                        self.table
                    )
                });
                newest.insert(
                    version.clone(),
                    Applied {
                        key: version.clone(),
                        version,
                        name,
                        checksum: sum,
                        failure,
                    },
                );
            }
        }
        if let Some(baseline) = baseline {
            for m in set.migrations.iter().filter(|m| m.version <= baseline) {
                let recorded = newest
                    .keys()
                    .any(|v| Version::parse(v).is_some_and(|v| v == m.version));
                if !recorded {
                    let key = self.key(m);
                    newest.insert(
                        key.clone(),
                        Applied {
                            key,
                            version: m.version.text.clone(),
                            name: m.name.clone(),
                            checksum: String::new(),
                            failure: None,
                        },
                    );
                }
            }
        }
        out.extend(newest.into_values());
        Ok(())
    }

    /// Prisma: one row per attempt, by directory name; rolled-back attempts do not count,
    /// an unfinished one is failed (its `logs` say why), a finished one applied.
    fn read_prisma(
        &self,
        client: &mut Client,
        set: &MigrationSet,
        out: &mut Vec<Applied>,
    ) -> Result<(), Error> {
        let tb = &self.table;
        let sql = format!(
            "SELECT migration_name, checksum, finished_at IS NOT NULL, coalesce(logs, '')
             FROM {} WHERE rolled_back_at IS NULL ORDER BY started_at, id",
            self.t()
        );
        let mut by_name: BTreeMap<String, Applied> = BTreeMap::new();
        for row in self.query(client, &sql, &[])? {
            let (name, sum, finished, logs): (String, String, bool, String) = (
                column(&row, 0, tb)?,
                column(&row, 1, tb)?,
                column(&row, 2, tb)?,
                column(&row, 3, tb)?,
            );
            let entry = by_name.entry(name.clone()).or_insert_with(|| Applied {
                key: name.clone(),
                version: set
                    .migrations
                    .iter()
                    .find(|m| prisma_name(m) == name)
                    .map_or_else(|| name.clone(), |m| m.version.text.clone()),
                name: name.clone(),
                checksum: String::new(),
                failure: None,
            });
            if finished {
                entry.checksum = sum;
            } else {
                entry.failure = Some(if logs.is_empty() {
                    format!("started but not finished in `{}` (no logs)", self.table)
                } else {
                    logs
                });
            }
        }
        out.extend(by_name.into_values());
        Ok(())
    }

    /// drizzle: a row per migration, found by its hash or by its journal timestamp (then
    /// the hash tells whether the file changed).
    fn read_drizzle(
        &self,
        client: &mut Client,
        set: &MigrationSet,
        out: &mut Vec<Applied>,
    ) -> Result<(), Error> {
        let tb = &self.table;
        let journal = self.journal(client, set)?;
        let sql = format!("SELECT hash, created_at FROM {} ORDER BY id", self.t());
        for row in self.query(client, &sql, &[])? {
            let (hash, created_at): (String, Option<i64>) =
                (column(&row, 0, tb)?, column(&row, 1, tb)?);
            let m = set
                .migrations
                .iter()
                .find(|m| checksum(&m.up) == hash)
                .or_else(|| {
                    set.migrations.iter().find(|m| {
                        created_at.is_some() && journal.get(&tag(m)).copied() == created_at
                    })
                });
            out.push(Applied {
                key: hash.clone(),
                version: m.map_or_else(
                    || format!("hash {}", hash.get(..12).unwrap_or(&hash)),
                    |m| m.version.text.clone(),
                ),
                name: m.map(|m| m.name.clone()).unwrap_or_default(),
                checksum: hash,
                failure: None,
            });
        }
        Ok(())
    }

    /// drizzle's `meta/_journal.json`: each tag's `when` (milliseconds), read by Postgres's
    /// JSON functions. Empty when the set has no journal.
    pub(super) fn journal(
        &self,
        client: &mut impl GenericClient,
        set: &MigrationSet,
    ) -> Result<BTreeMap<String, i64>, Error> {
        let path = set.dir.join("meta").join("_journal.json");
        let Ok(text) = std::fs::read_to_string(&path) else {
            return Ok(BTreeMap::new());
        };
        let rows = client
            .query(
                "SELECT e->>'tag', (e->>'when')::bigint
                 FROM jsonb_array_elements(($1::text)::jsonb -> 'entries') e
                 WHERE e->>'tag' IS NOT NULL AND e->>'when' IS NOT NULL",
                &[&text],
            )
            .map_err(|e| Error::db(&format!("cannot read {}", path.display()), e))?;
        let mut journal = BTreeMap::new();
        for row in &rows {
            journal.insert(column(row, 0, &self.table)?, column(row, 1, &self.table)?);
        }
        Ok(journal)
    }
}
