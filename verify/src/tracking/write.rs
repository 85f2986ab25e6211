//! Writing a tracking table: each format's rows written the way its tool writes them.

use std::time::Duration;

use postgres::types::ToSql;
use postgres::{Client, GenericClient};
use schema::migrations::{Migration, MigrationSet, Version};

use super::{Format, Tracking, checksums, file_and_dir, int_version, tag};
use crate::Error;
use crate::runner::{Applied, MigrateError, Resolution};

type Params<'a> = [&'a (dyn ToSql + Sync)];

impl Tracking {
    /// Records `m` as applied, the way its tool does.
    pub(crate) fn record_applied(
        &self,
        c: &mut impl GenericClient,
        set: &MigrationSet,
        m: &Migration,
        elapsed: Duration,
    ) -> Result<(), Error> {
        let t = self.t();
        let v = m.version.text.as_str();
        let key = self.key(m);
        let sum = self.checksum(m).unwrap_or_default();
        let int = int_version(m).unwrap_or_default();
        let ms = elapsed.as_millis() as i64;
        match self.format {
            Format::Schemakit => self.execute(
                c,
                &format!("INSERT INTO {t} (version, name, checksum, execution_ms) VALUES ($1, $2, $3, $4)"),
                &[&m.version.text, &m.name, &sum, &ms],
                v,
            ),
            Format::Diesel | Format::Dbmate => self.execute(
                c,
                &format!("INSERT INTO {t} (version) VALUES ($1)"),
                &[&key],
                v,
            ),
            // sqlx inserts `execution_time = -1` and updates it after the commit; the
            // time is known here before the commit.
            Format::Sqlx => self.execute(
                c,
                &format!("INSERT INTO {t} (version, description, success, checksum, execution_time) VALUES ($1, $2, TRUE, $3, $4)"),
                &[&int, &sqlx_description(m), &checksums::sha384(m.up.text()), &(elapsed.as_nanos() as i64)],
                v,
            ),
            // Prisma inserts the row when it starts and sets `finished_at` at the end; one
            // insert inside the migration's transaction gives the same row.
            Format::Prisma => self.execute(
                c,
                &format!("INSERT INTO {t} (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (gen_random_uuid()::text, $1, clock_timestamp(), $2, NULL, NULL, now(), 1)"),
                &[&sum, &key],
                v,
            ),
            Format::Goose => self.execute(
                c,
                &format!("INSERT INTO {t} (version_id, is_applied) VALUES ($1, TRUE)"),
                &[&int],
                v,
            ),
            Format::GolangMigrate => self.set_version(c, Some(int), false, v),
            Format::Flyway => self.flyway_row(c, m, elapsed, true),
            Format::Refinery => self.execute(
                c,
                &format!("INSERT INTO {t} (version, name, applied_on, checksum) VALUES ($1, $2, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'), $3)"),
                &[&(i32::try_from(int).unwrap_or_default()), &m.name, &sum],
                v,
            ),
            // `created_at` is the journal's `when` for the file, as drizzle's migrator
            // writes it; without a journal, the time of the run.
            Format::Drizzle => match self.journal(c, set)?.get(&tag(m)) {
                Some(when) => self.execute(
                    c,
                    &format!("INSERT INTO {t} (hash, created_at) VALUES ($1, $2)"),
                    &[&sum, when],
                    v,
                ),
                None => self.execute(
                    c,
                    &format!("INSERT INTO {t} (hash, created_at) VALUES ($1, (extract(epoch FROM now()) * 1000)::bigint)"),
                    &[&sum],
                    v,
                ),
            },
        }
    }

    /// Removes `m`'s record (`key`, as the row gives it), the way its tool does:
    /// golang-migrate's one row moves to the migration before it, Prisma marks the attempt
    /// rolled back.
    pub(crate) fn record_reverted(
        &self,
        c: &mut impl GenericClient,
        set: &MigrationSet,
        m: &Migration,
        key: &str,
    ) -> Result<(), Error> {
        let t = self.t();
        let sql = match self.format {
            Format::Schemakit | Format::Diesel | Format::Dbmate => {
                format!("DELETE FROM {t} WHERE version = $1")
            }
            Format::Sqlx | Format::Refinery => format!("DELETE FROM {t} WHERE version::text = $1"),
            Format::Goose => format!("DELETE FROM {t} WHERE version_id::text = $1"),
            Format::Prisma => format!(
                "UPDATE {t} SET rolled_back_at = now() WHERE migration_name = $1 AND rolled_back_at IS NULL"
            ),
            // Flyway Teams would add an UNDO_SQL row; removing the row reads as pending
            // to every edition.
            Format::Flyway => format!(
                "DELETE FROM {t} WHERE installed_rank = (SELECT max(installed_rank) FROM {t} WHERE version = $1)"
            ),
            Format::Drizzle => {
                format!("DELETE FROM {t} WHERE id = (SELECT max(id) FROM {t} WHERE hash = $1)")
            }
            Format::GolangMigrate => {
                let before = version_before(set, &m.version);
                return self.set_version(c, before, false, &m.version.text);
            }
        };
        self.execute(c, &sql, &[&key], &m.version.text)
    }

    /// Marks `m` failed after its `script` (`up` or `down`) stopped part way outside a
    /// transaction, with `failure` where the format has a place for it; `key` is its row
    /// (for a down). `false` when the format has no failed mark: nothing is written.
    pub(crate) fn mark_failed(
        &self,
        c: &mut Client,
        m: &Migration,
        up: bool,
        failure: &str,
        key: &str,
        elapsed: Duration,
    ) -> Result<bool, Error> {
        let t = self.t();
        let v = m.version.text.as_str();
        let sum = self.checksum(m).unwrap_or_default();
        let ms = elapsed.as_millis() as i64;
        match (self.format, up) {
            (Format::Schemakit, true) => self.execute(
                c,
                &format!("INSERT INTO {t} (version, name, checksum, execution_ms, failed, failure) VALUES ($1, $2, $3, $4, TRUE, $5)"),
                &[&m.version.text, &m.name, &sum, &ms, &failure],
                v,
            )?,
            (Format::Schemakit, false) => self.execute(
                c,
                &format!("UPDATE {t} SET failed = TRUE, failure = $2 WHERE version = $1"),
                &[&key, &failure],
                v,
            )?,
            // sqlx's "dirty" migration: a row with `success = false`.
            (Format::Sqlx, true) => self.execute(
                c,
                &format!("INSERT INTO {t} (version, description, success, checksum, execution_time) VALUES ($1, $2, FALSE, $3, $4)"),
                &[&int_version(m).unwrap_or_default(), &sqlx_description(m), &checksums::sha384(m.up.text()), &(elapsed.as_nanos() as i64)],
                v,
            )?,
            (Format::Sqlx, false) => self.execute(
                c,
                &format!("UPDATE {t} SET success = FALSE WHERE version::text = $1"),
                &[&key],
                v,
            )?,
            // Prisma's failed migration: started, not finished, the error in `logs`.
            (Format::Prisma, true) => self.execute(
                c,
                &format!("INSERT INTO {t} (id, checksum, finished_at, migration_name, logs, rolled_back_at, started_at, applied_steps_count) VALUES (gen_random_uuid()::text, $1, NULL, $2, $3, NULL, now(), 0)"),
                &[&sum, &self.key(m), &failure],
                v,
            )?,
            (Format::Prisma, false) => self.execute(
                c,
                &format!("UPDATE {t} SET finished_at = NULL, logs = $2 WHERE migration_name = $1 AND rolled_back_at IS NULL"),
                &[&key, &failure],
                v,
            )?,
            (Format::Flyway, true) => self.flyway_row(c, m, elapsed, false)?,
            (Format::Flyway, false) => self.execute(
                c,
                &format!("UPDATE {t} SET success = FALSE WHERE installed_rank = (SELECT max(installed_rank) FROM {t} WHERE version = $1)"),
                &[&key],
                v,
            )?,
            // golang-migrate marks the version it was going to (the target of a down);
            // schemakit marks the migration that failed, in both directions.
            (Format::GolangMigrate, _) => self.set_version(c, int_version(m), true, v)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Clears the failed mark of `row` after a repair by hand: applied, or pending again,
    /// as the tool's own repair command does.
    pub(crate) fn resolve(
        &self,
        c: &mut Client,
        set: &MigrationSet,
        row: &Applied,
        resolution: Resolution,
    ) -> Result<(), Error> {
        let t = self.t();
        let v = row.version.as_str();
        let key: &Params<'_> = &[&row.key];
        let latest_flyway =
            format!("installed_rank = (SELECT max(installed_rank) FROM {t} WHERE version = $1)");
        match (self.format, resolution) {
            (Format::Schemakit, Resolution::Applied) => self.execute(
                c,
                &format!("UPDATE {t} SET failed = FALSE, failure = NULL WHERE version = $1"),
                key,
                v,
            ),
            (Format::Schemakit, Resolution::Pending) => {
                self.execute(c, &format!("DELETE FROM {t} WHERE version = $1"), key, v)
            }
            (Format::Sqlx, Resolution::Applied) => self.execute(
                c,
                &format!("UPDATE {t} SET success = TRUE WHERE version::text = $1"),
                key,
                v,
            ),
            (Format::Sqlx, Resolution::Pending) => self.execute(
                c,
                &format!("DELETE FROM {t} WHERE version::text = $1"),
                key,
                v,
            ),
            // `prisma migrate resolve --applied`: a finished attempt is recorded and the
            // failed one rolled back; `--rolled-back`: only the latter.
            (Format::Prisma, resolution) => {
                let mut tx = c.transaction().map_err(|e| Error::db("cannot begin", e))?;
                if resolution == Resolution::Applied {
                    self.execute(
                        &mut tx,
                        &format!(
                            "INSERT INTO {t} (id, checksum, finished_at, migration_name, started_at, applied_steps_count)
                             SELECT gen_random_uuid()::text, checksum, now(), migration_name, now(), 0 FROM {t}
                             WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL
                             ORDER BY started_at DESC LIMIT 1"
                        ),
                        key,
                        v,
                    )?;
                }
                self.execute(
                    &mut tx,
                    &format!("UPDATE {t} SET rolled_back_at = now() WHERE migration_name = $1 AND finished_at IS NULL AND rolled_back_at IS NULL"),
                    key,
                    v,
                )?;
                tx.commit().map_err(|e| Error::db("cannot commit", e))
            }
            (Format::Flyway, Resolution::Applied) => self.execute(
                c,
                &format!("UPDATE {t} SET success = TRUE WHERE {latest_flyway}"),
                key,
                v,
            ),
            // `flyway repair`: the failed row goes.
            (Format::Flyway, Resolution::Pending) => self.execute(
                c,
                &format!("DELETE FROM {t} WHERE {latest_flyway} AND NOT success"),
                key,
                v,
            ),
            // `migrate force V`, or `force` to the version before it.
            (Format::GolangMigrate, Resolution::Applied) => self.execute(
                c,
                &format!("UPDATE {t} SET dirty = FALSE WHERE version::text = $1"),
                key,
                v,
            ),
            (Format::GolangMigrate, Resolution::Pending) => {
                let before = Version::parse(&row.version).and_then(|v| version_before(set, &v));
                self.set_version(c, before, false, v)
            }
            // The other formats never mark a migration failed.
            _ => Err(MigrateError::NotFailed {
                table: self.table.to_string(),
                version: row.version.clone(),
            }
            .into()),
        }
    }

    /// golang-migrate: the one row becomes `version` (none: no row), `dirty` or clean.
    fn set_version(
        &self,
        c: &mut impl GenericClient,
        version: Option<i64>,
        dirty: bool,
        v: &str,
    ) -> Result<(), Error> {
        let t = self.t();
        self.execute(c, &format!("DELETE FROM {t}"), &[], v)?;
        match version {
            Some(version) => self.execute(
                c,
                &format!("INSERT INTO {t} (version, dirty) VALUES ($1, $2)"),
                &[&version, &dirty],
                v,
            ),
            None => Ok(()),
        }
    }

    /// A Flyway history row for `m`: the next `installed_rank`, its description and
    /// script name, its CRC-32, who installed it, how long it took, and `success`.
    fn flyway_row(
        &self,
        c: &mut impl GenericClient,
        m: &Migration,
        elapsed: Duration,
        success: bool,
    ) -> Result<(), Error> {
        let t = self.t();
        let (script, _) = file_and_dir(m);
        let description: String = m.name.replace('_', " ").chars().take(200).collect();
        let checksum = checksums::flyway(m.up.text());
        let ms = i32::try_from(elapsed.as_millis()).unwrap_or(i32::MAX);
        self.execute(
            c,
            &format!(
                "INSERT INTO {t} (installed_rank, version, description, type, script, checksum, installed_by, execution_time, success)
                 SELECT coalesce(max(installed_rank), 0) + 1, $1::text, $2::text, 'SQL', $3::text, $4::int4, current_user, $5::int4, $6::bool FROM {t}"
            ),
            &[&self.key(m), &description, &script, &checksum, &ms, &success],
            &m.version.text,
        )
    }

    fn execute(
        &self,
        c: &mut impl GenericClient,
        sql: &str,
        params: &Params<'_>,
        version: &str,
    ) -> Result<(), Error> {
        c.execute(sql, params)
            .map(|_| ())
            .map_err(|e| self.cannot_write(e, version))
    }

    /// A failed write to the table. A table that is not there any more was dropped or
    /// renamed by the migration itself: the set treats the table as its own.
    fn cannot_write(&self, e: postgres::Error, version: &str) -> Error {
        if e.code() == Some(&postgres::error::SqlState::UNDEFINED_TABLE) {
            let message = e
                .as_db_error()
                .map_or_else(|| e.to_string(), |db| db.message().to_string());
            return MigrateError::TrackingTableGone {
                table: self.table.to_string(),
                version: version.to_string(),
                message,
            }
            .into();
        }
        Error::db(
            &format!("migration {version}: cannot record it in `{}`", self.table),
            e,
        )
    }
}

/// sqlx's description: the file name's part after the version, `_` made spaces.
fn sqlx_description(m: &Migration) -> String {
    m.name.replace('_', " ")
}

/// The version (as golang-migrate records it) of the set's migration just before `version`.
fn version_before(set: &MigrationSet, version: &Version) -> Option<i64> {
    set.migrations
        .iter()
        .filter(|p| p.version < *version)
        .filter_map(int_version)
        .next_back()
}
