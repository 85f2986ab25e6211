//! The proof of a new migration (`schemakit diff`): a correct up and down pass every step;
//! an incomplete up, a down that leaves something behind, a failing statement and a
//! statement that cannot run in a transaction each stop the proof at their step, with
//! what was found.

use schema::SourceFile;
use schema::migrations::MigrationSet;
use verify::Server;
use verify::prove::{Candidate, Failure, ProveError, Step, prove};
use verify::runner::Runner;

use super::{migrations, read};

/// A set of one migration creating `jobs`, and a schema.sql that adds a column, an index
/// and a table with a foreign key to it.
fn tiny(name: &str) -> (MigrationSet, SourceFile) {
    let dir = migrations(
        name,
        &[(
            "001_jobs.sql",
            "-- UP\nCREATE TABLE jobs (id bigint PRIMARY KEY, title text NOT NULL);\n-- DOWN\nDROP TABLE jobs;\n",
        )],
    );
    let target = SourceFile::new(
        "schema.sql",
        "CREATE TABLE jobs (id bigint PRIMARY KEY, title text NOT NULL, priority integer NOT NULL DEFAULT 0);\n\
         CREATE INDEX jobs_priority_idx ON jobs (priority);\n\
         CREATE TABLE runs (id bigint PRIMARY KEY, job_id bigint NOT NULL REFERENCES jobs (id));\n",
    );
    (read(&dir), target)
}

const UP: &str = "ALTER TABLE jobs ADD COLUMN priority integer NOT NULL DEFAULT 0;\n\
                  CREATE INDEX jobs_priority_idx ON jobs (priority);\n\
                  CREATE TABLE runs (id bigint PRIMARY KEY, job_id bigint NOT NULL REFERENCES jobs (id));\n";
const DOWN: &str =
    "DROP TABLE runs;\nDROP INDEX jobs_priority_idx;\nALTER TABLE jobs DROP COLUMN priority;\n";

fn attempt(
    server: &Server,
    name: &str,
    up: &str,
    down: &str,
    no_transaction: bool,
) -> Result<verify::prove::Proof, ProveError> {
    let (set, target) = tiny(name);
    let runner = Runner::default();
    prove(
        server,
        &Candidate {
            set: &set,
            up,
            down: Some(down),
            no_transaction,
            target: &target,
            runner: &runner,
        },
    )
}

fn failure(result: Result<verify::prove::Proof, ProveError>) -> Failure {
    match result {
        Err(ProveError::Failed(f)) => f,
        Err(e) => panic!("not a failed step: {e}"),
        Ok(p) => panic!("proven: {:?}", p.steps),
    }
}

pub fn a_complete_migration_is_proven_up_down_and_up_again(server: &Server) {
    let proof = attempt(server, "prove-ok", UP, DOWN, false).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        proof.steps,
        [
            Step::SetApplies,
            Step::UpApplies,
            Step::TargetApplies,
            Step::ReachesTarget,
            Step::DownApplies,
            Step::DownRestores,
            Step::UpAppliesAgain,
            Step::UpRepeats,
        ]
    );
    assert!(proof.after_up.to_string().contains("runs"));
    assert!(!proof.before.to_string().contains("runs"));
}

pub fn an_incomplete_up_is_not_proven_and_the_differences_are_listed(server: &Server) {
    let up = UP.replace("CREATE INDEX jobs_priority_idx ON jobs (priority);\n", "");
    let f = failure(attempt(server, "prove-incomplete", &up, DOWN, false));
    assert_eq!(f.step, Step::ReachesTarget, "{f}");
    let text = f.to_string();
    assert!(
        text.contains("schema.sql → the set with the new up")
            && text.contains("index `public.jobs_priority_idx`"),
        "{text}"
    );
}

pub fn a_down_that_leaves_something_behind_is_not_proven(server: &Server) {
    let down = DOWN.replace("ALTER TABLE jobs DROP COLUMN priority;\n", "");
    let f = failure(attempt(server, "prove-down", UP, &down, false));
    assert_eq!(f.step, Step::DownRestores, "{f}");
    let text = f.to_string();
    assert!(
        text.contains("before the up → after the up and the down") && text.contains("priority"),
        "{text}"
    );
}

pub fn a_failing_statement_is_named_with_postgres_message(server: &Server) {
    let down = format!("{DOWN}DROP TABLE no_such_table;\n");
    let f = failure(attempt(server, "prove-statement", UP, &down, false));
    assert_eq!(f.step, Step::DownApplies, "{f}");
    let text = f.to_string();
    assert!(
        text.contains("new migration (down):4:1")
            && text.contains("table \"no_such_table\" does not exist")
            && text.contains("statement: DROP TABLE no_such_table"),
        "{text}"
    );
}

pub fn a_no_transaction_migration_runs_outside_a_transaction(server: &Server) {
    let up = UP.replace("CREATE INDEX", "CREATE INDEX CONCURRENTLY");
    let down = DOWN.replace("DROP INDEX", "DROP INDEX CONCURRENTLY");
    let f = failure(attempt(server, "prove-in-tx", &up, &down, false));
    assert_eq!(f.step, Step::UpApplies, "{f}");
    assert!(
        f.to_string()
            .contains("CREATE INDEX CONCURRENTLY cannot run inside a transaction block"),
        "{f}"
    );
    let proof = attempt(server, "prove-no-tx", &up, &down, true).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(proof.steps.last(), Some(&Step::UpRepeats));
}
