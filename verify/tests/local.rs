//! Database tests on an ephemeral cluster from local binaries: one cluster per test
//! binary, a fresh database per test.

#[macro_use]
mod common;

use std::sync::OnceLock;

use verify::Server;

fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        Server::local(None)
            .unwrap_or_else(|e| panic!("local binaries are required for these tests: {e}"))
    })
}

/// PostgreSQL 18 with pgvector: `$SCHEMAKIT_PG18_BIN`, by default where
/// scripts/postgres-runtime.sh puts it. Missing, the tests fail; they are never skipped.
fn vector_server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bin = std::env::var_os("SCHEMAKIT_PG18_BIN")
            .map_or_else(|| "/opt/schemakit/pg18-vector/bin".into(), std::path::PathBuf::from);
        Server::local(Some(&bin)).unwrap_or_else(|e| {
            panic!(
                "PostgreSQL 18 with pgvector is required in {} (run scripts/postgres-runtime.sh, or set SCHEMAKIT_PG18_BIN): {e}",
                bin.display()
            )
        })
    })
}

database_tests!();

// ----- failing fast, cleaning up --------------------------------------------------------

/// A key=value connection string for the shared cluster's private socket.
fn socket_url(user: &str, password: Option<&str>, db: &str) -> String {
    let dir = match server().config().get_hosts() {
        [postgres::config::Host::Unix(dir)] => dir.clone(),
        hosts => panic!("the local cluster listens on a socket, not {hosts:?}"),
    };
    let password = password.map_or(String::new(), |p| format!(" password='{p}'"));
    format!(
        "host='{}' user='{user}' dbname='{db}'{password}",
        dir.display()
    )
}

/// The error of a connection that must fail at once: not retried, the server's message.
fn connect_error(url: &str) -> (String, String) {
    match Server::from_url(url) {
        Ok(_) => panic!("{url}: connected"),
        Err(verify::Error::Db { context, message }) => (context, message),
        Err(e) => panic!("{url}: {e}"),
    }
}

/// The error of a direct connection attempt that must fail.
fn raw_connect_error(url: &str) -> postgres::Error {
    match url
        .parse::<postgres::Config>()
        .unwrap_or_else(|e| panic!("{url}: {e}"))
        .connect(postgres::NoTls)
    {
        Ok(_) => panic!("{url}: connected"),
        Err(e) => e,
    }
}

/// A process id that no process has now.
fn dead_pid() -> u32 {
    let mut child = std::process::Command::new("true")
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let pid = child.id();
    child.wait().unwrap_or_else(|e| panic!("{e}"));
    assert!(!verify::cleanup::process_exists(pid));
    pid
}

#[test]
fn a_wrong_password_fails_at_once_with_the_servers_message() {
    let mut admin = server().connect("postgres").unwrap();
    admin
        .batch_execute(
            "SET password_encryption = 'scram-sha-256';
             DO $$ BEGIN CREATE ROLE schemakit_pw_test LOGIN PASSWORD 'right';
             EXCEPTION WHEN duplicate_object THEN NULL; END $$;",
        )
        .unwrap();
    // Only this role needs a password (the other tests go on with trust).
    let hba: String = admin.query_one("SHOW hba_file", &[]).unwrap().get(0);
    let text = std::fs::read_to_string(&hba).unwrap();
    let rule = "local all schemakit_pw_test scram-sha-256\n";
    if !text.starts_with(rule) {
        std::fs::write(&hba, format!("{rule}{text}")).unwrap();
    }
    admin.batch_execute("SELECT pg_reload_conf()").unwrap();
    // The reload is asynchronous: wait until a wrong password is refused.
    let wrong = socket_url("schemakit_pw_test", Some("wrong"), "postgres");
    let start = std::time::Instant::now();
    while wrong
        .parse::<postgres::Config>()
        .unwrap()
        .connect(postgres::NoTls)
        .is_ok()
    {
        assert!(
            start.elapsed().as_secs() < 10,
            "pg_hba.conf was not reloaded"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }

    let raw = raw_connect_error(&wrong);
    assert_eq!(verify::server::transient_connect_error(&raw), None);
    let (context, message) = connect_error(&wrong);
    assert_eq!(context, "cannot connect to the server");
    assert!(
        message.contains("password authentication failed for user \"schemakit_pw_test\""),
        "{message}"
    );
    let right = Server::from_url(&socket_url("schemakit_pw_test", Some("right"), "postgres"));
    assert!(right.is_ok(), "{right:?}");
}

#[test]
fn an_unknown_database_fails_at_once_with_the_servers_message() {
    let (context, message) =
        connect_error(&socket_url("postgres", None, "schemakit_no_such_database"));
    assert_eq!(context, "cannot connect to the server");
    assert!(
        message.contains("database \"schemakit_no_such_database\" does not exist"),
        "{message}"
    );
}

#[test]
fn an_unresolvable_host_fails_at_once() {
    let url = "postgres://postgres@schemakit-no-such-host.invalid:5432/postgres";
    let raw = raw_connect_error(url);
    assert_eq!(verify::server::transient_connect_error(&raw), None, "{raw}");
    let (context, _) = connect_error(url);
    assert_eq!(context, "cannot connect to the server");
}

#[test]
fn only_a_refused_connection_is_worth_repeating() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let raw = raw_connect_error(&format!("host=127.0.0.1 port={port} user=postgres"));
    assert_eq!(
        verify::server::transient_connect_error(&raw),
        Some("connection refused"),
        "{raw}"
    );
}

#[test]
fn a_url_run_drops_databases_that_dead_runs_of_this_machine_left() {
    let host = verify::cleanup::host_tag();
    let dead = dead_pid();
    let leftover = format!("schemakit_{host}_{dead}_1_0");
    // Another machine's run, and a run that is still going (this process): not ours to drop.
    let foreign = format!("schemakit_0badf00d_{dead}_1_0");
    let live = format!("schemakit_{host}_{}_1_99999", std::process::id());
    let mut admin = server().connect("postgres").unwrap();
    for name in [&leftover, &foreign, &live] {
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .unwrap();
    }
    let url_server = Server::from_url(&socket_url("postgres", None, "postgres")).unwrap();
    assert!(
        url_server.removed_leftovers.contains(&leftover),
        "{:?}",
        url_server.removed_leftovers
    );
    let exists = |admin: &mut postgres::Client, name: &str| -> bool {
        admin
            .query_one(
                "SELECT count(*) FROM pg_database WHERE datname = $1",
                &[&name],
            )
            .unwrap()
            .get::<_, i64>(0)
            == 1
    };
    assert!(!exists(&mut admin, &leftover));
    assert!(exists(&mut admin, &foreign));
    assert!(exists(&mut admin, &live));
    // This run's own databases go when it ends.
    let mine = url_server.create_database(None).unwrap();
    assert!(exists(&mut admin, &mine));
    drop(url_server);
    assert!(!exists(&mut admin, &mine));
    for name in [&foreign, &live] {
        admin
            .batch_execute(&format!("DROP DATABASE \"{name}\""))
            .unwrap();
    }
}

#[test]
fn a_local_run_removes_cluster_directories_that_dead_runs_left() {
    let temp = std::env::temp_dir();
    let dead = dead_pid();
    let host = verify::cleanup::host_tag();
    let leftover = temp.join(format!("schemakit-pg-{dead}-0"));
    let unmarked = temp.join(format!("schemakit-pg-{dead}-1"));
    for dir in [&leftover, &unmarked] {
        std::fs::create_dir_all(dir.join("data")).unwrap();
    }
    std::fs::write(
        leftover.join("schemakit-owner"),
        format!("pid={dead}\nhost={host}\nbin=/nonexistent\n"),
    )
    .unwrap();
    let local = Server::local(None).unwrap();
    assert!(!leftover.exists(), "the dead run's cluster directory stays");
    assert!(
        unmarked.exists(),
        "a directory without an owner file is not ours"
    );
    let dir = match local.config().get_hosts() {
        [postgres::config::Host::Unix(dir)] => dir.clone(),
        hosts => panic!("{hosts:?}"),
    };
    assert!(dir.join("schemakit-owner").is_file());
    drop(local);
    assert!(!dir.exists(), "dropping the server removes its directory");
    std::fs::remove_dir_all(&unmarked).unwrap();
}
