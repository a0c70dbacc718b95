//! The `rantau-server` binary: `serve` on port 0 prints its URL, and the
//! `officer` subcommands talk to it with the admin token, which comes from a
//! private file or `RANTAU_ADMIN_TOKEN`, never from argv, and is long.

#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_rantau-server");
const TOKEN: &str = "cli-token-0123456789abcdef0123456789";

/// `rantau-server <args>` with no admin token in its environment.
fn bin(args: &[&str]) -> Command {
    let mut c = Command::new(BIN);
    c.args(args)
        .env_remove("RANTAU_ADMIN_TOKEN")
        .env_remove("RANTAU_DATABASE");
    c
}

#[test]
fn serve_and_officer_commands_work_together() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    let token_file = dir.path().join("admin.token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let mut child = bin(&["serve", "--addr", "127.0.0.1:0", "--admin-token-file"])
        .arg(&token_file)
        .arg("--db")
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(url.starts_with("http://127.0.0.1:"), "{line}");

    let officer = |token: &str, args: &[&str]| {
        bin(&["officer", "--server", &url])
            .env("RANTAU_ADMIN_TOKEN", token)
            .args(args)
            .output()
            .unwrap()
    };
    let list = officer(TOKEN, &["list"]);
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(body["submissions"], serde_json::json!([]));
    // The same token from the file works for the officer too.
    let from_file = bin(&["officer", "--server", &url, "--admin-token-file"])
        .arg(&token_file)
        .arg("list")
        .output()
        .unwrap();
    assert!(
        from_file.status.success(),
        "{}",
        String::from_utf8_lossy(&from_file.stderr)
    );

    let wrong = officer(&TOKEN.replace('c', "d"), &["list"]);
    assert!(!wrong.status.success());
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("auth.invalid_token"));
    let unknown = officer(TOKEN, &["pay", "--kpj", "12345678901", "--amount", "1000"]);
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("kpj.not_found"));

    // `officer import`: a file with a bad row imports nothing and names the
    // line; the good file is imported, and again changes nothing.
    let header = "nik,name,birth_date,kpj,start,end\n";
    let good_row = "3515145708950001,Sri Wahyuni,1995-08-17,12345678901,2025-01-01,2027-12-31\n";
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        format!("{header}{good_row}12345,Sri,1995-08-17,12345678902,2025-01-01,2027-12-31\n"),
    )
    .unwrap();
    let refused = officer(TOKEN, &["import", bad.to_str().unwrap()]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("line 3: nik.length:"), "{stderr}");
    assert!(
        stderr.contains("nothing imported (1 bad row(s))"),
        "{stderr}"
    );
    let good = dir.path().join("good.csv");
    std::fs::write(&good, format!("{header}{good_row}")).unwrap();
    for (added, unchanged) in [(1, 0), (0, 1)] {
        let out = officer(TOKEN, &["import", good.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            report,
            serde_json::json!({"rows": 1, "added": added, "unchanged": unchanged})
        );
    }

    child.kill().unwrap();
    child.wait().unwrap();
    assert!(db.exists());
}

/// Runs a command that must fail at once, and returns its stderr.
fn refused(mut c: Command) -> String {
    let out = c.stdin(Stdio::null()).output().unwrap();
    assert!(
        !out.status.success(),
        "it started: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn the_admin_token_is_never_taken_from_argv() {
    let serve = ["serve", "--addr", "127.0.0.1:0", "--admin-token", TOKEN];
    let officer = [
        "officer",
        "--server",
        "http://127.0.0.1:9",
        "--admin-token",
        TOKEN,
        "list",
    ];
    for args in [&serve[..], &officer[..]] {
        let err = refused(bin(args));
        assert!(
            err.contains("not taken on the command line"),
            "{args:?}: {err}"
        );
        assert!(!err.contains(TOKEN), "the token is echoed: {err}");
    }
}

#[test]
fn short_or_missing_admin_tokens_are_refused() {
    let mut c = bin(&["serve", "--addr", "127.0.0.1:0"]);
    c.env("RANTAU_ADMIN_TOKEN", "rahasia");
    let err = refused(c);
    assert!(err.contains("at least 32"), "{err}");
    assert!(!err.contains("rahasia"), "{err}");
    let err = refused(bin(&["serve", "--addr", "127.0.0.1:0"]));
    assert!(err.contains("no admin token"), "{err}");
    let mut c = bin(&["officer", "--server", "http://127.0.0.1:9", "list"]);
    c.env("RANTAU_ADMIN_TOKEN", "short");
    assert!(refused(c).contains("at least 32"));
}

#[test]
fn the_officer_refuses_plain_http_to_another_host() {
    let mut c = bin(&["officer", "--server", "http://bpjs.example.org", "list"]);
    c.env("RANTAU_ADMIN_TOKEN", TOKEN);
    let err = refused(c);
    assert!(err.contains("must use https"), "{err}");
}

#[test]
fn serve_takes_postgres_from_a_url_and_says_when_it_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let docs = dir.path().join("docs");
    // Nothing listens on port 1: no PostgreSQL is needed to see the refusal.
    let url = "postgres://rantau:hunter2secret@127.0.0.1:1/rantau";
    let mut c = bin(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--database",
        url,
        "--files",
    ]);
    c.arg(&docs).env("RANTAU_ADMIN_TOKEN", TOKEN);
    let err = refused(c);
    assert!(err.contains("database unavailable"), "{err}");
    assert!(
        !err.contains("hunter2secret"),
        "the password is echoed: {err}"
    );
    let mut c = bin(&["serve", "--addr", "127.0.0.1:0", "--database", url]);
    c.env("RANTAU_ADMIN_TOKEN", TOKEN);
    let err = refused(c);
    assert!(
        err.contains("--files DIR or s3://BUCKET/PREFIX is required"),
        "{err}"
    );
    // The help names the variable, never its value.
    let help = bin(&["serve", "--help"])
        .env("RANTAU_DATABASE", url)
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("RANTAU_DATABASE") && !help.contains("hunter2secret"),
        "{help}"
    );
    let mut c = bin(&[
        "serve",
        "--addr",
        "127.0.0.1:0",
        "--database",
        "x.db",
        "--files",
    ]);
    c.arg(&docs).env("RANTAU_ADMIN_TOKEN", TOKEN);
    let err = refused(c);
    assert!(
        err.contains("--files with SQLite takes only an s3:// bucket"),
        "{err}"
    );
}

/// `serve --database postgres://…` on a fresh database of the test cluster
/// (`RANTAU_TEST_POSTGRES`); skipped, and said so, without one.
#[test]
fn serve_runs_on_postgres_with_its_documents_in_a_folder() {
    let Ok(admin_url) = std::env::var("RANTAU_TEST_POSTGRES") else {
        eprintln!("serve_runs_on_postgres: skipped (RANTAU_TEST_POSTGRES is not set)");
        return;
    };
    let name = format!("rantau_cli_{}", uuid::Uuid::new_v4().simple());
    let admin = |sql: String| {
        let admin_url = admin_url.clone();
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
            .block_on(async move {
                let (client, conn) = tokio_postgres::connect(&admin_url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(conn);
                client.batch_execute(&sql).await.unwrap();
            })
    };
    let url = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(rantau_server::storage::create_database(&admin_url, &name))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut child = bin(&["serve", "--addr", "127.0.0.1:0", "--files"])
        .arg(dir.path().join("docs"))
        .env("RANTAU_DATABASE", &url)
        .env("RANTAU_ADMIN_TOKEN", TOKEN)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let server = line.trim().rsplit(' ').next().unwrap().to_string();
    assert!(server.starts_with("http://127.0.0.1:"), "{line}");
    let list = bin(&["officer", "--server", &server, "list"])
        .env("RANTAU_ADMIN_TOKEN", TOKEN)
        .output()
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    admin(format!("DROP DATABASE \"{name}\" WITH (FORCE)"));
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    // The key sits beside the documents' folder.
    assert!(dir.path().join("docs.key").exists());
}

/// Starts `c` (a `serve`), returns it and the address it printed.
fn started(mut c: Command) -> (std::process::Child, String) {
    let mut child = c
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_string();
    (child, url)
}

/// A private token file and a config file with `body` in a fresh folder.
fn config_dir(body: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("admin.token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&token_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let config = dir.path().join("rantau.toml");
    let db = dir.path().join("c.db");
    std::fs::write(
        &config,
        format!(
            "admin-token-file = {:?}\ndb = {:?}\n{body}",
            token_file.to_str().unwrap(),
            db.to_str().unwrap()
        ),
    )
    .unwrap();
    (dir, config)
}

#[test]
fn serve_takes_its_settings_from_a_file_the_environment_and_flags_in_that_order() {
    // 127.0.0.0/8 is all loopback on Linux: the printed address shows which source won.
    let (dir, config) = config_dir("addr = \"127.0.0.2:0\"\nshutdown-grace = 5\n");
    let mut from_file = bin(&["serve", "--config"]);
    from_file.arg(&config);
    let (mut child, url) = started(from_file);
    assert!(url.starts_with("http://127.0.0.2:"), "{url}");
    // The file's database and token were used: the officer's list answers.
    let list = bin(&["officer", "--server", &url, "list"])
        .env("RANTAU_ADMIN_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(
        list.status.success(),
        "{}",
        String::from_utf8_lossy(&list.stderr)
    );
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(dir.path().join("c.db").exists());

    let mut env_over_file = bin(&["serve"]);
    env_over_file
        .env("RANTAU_CONFIG", &config)
        .env("RANTAU_ADDR", "127.0.0.3:0");
    let (mut child, url) = started(env_over_file);
    assert!(url.starts_with("http://127.0.0.3:"), "{url}");
    child.kill().unwrap();
    child.wait().unwrap();

    let mut flag_over_env = bin(&["serve", "--addr", "127.0.0.4:0", "--config"]);
    flag_over_env.arg(&config).env("RANTAU_ADDR", "127.0.0.3:0");
    let (mut child, url) = started(flag_over_env);
    assert!(url.starts_with("http://127.0.0.4:"), "{url}");
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn a_bad_config_file_or_variable_is_refused_clearly() {
    let (_dir, config) = config_dir("addr = \"127.0.0.1:0\"\nadr = \"127.0.0.1:1\"\n");
    let mut c = bin(&["serve", "--config"]);
    c.arg(&config)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    let err = refused(c);
    assert!(err.contains("config.invalid"), "{err}");
    assert!(
        err.contains("line 4") && err.contains("unknown field `adr`"),
        "{err}"
    );
    assert!(err.contains("is not valid"), "{err}");
    // The same in Indonesian for an Indonesian locale.
    let mut c = bin(&["serve", "--config"]);
    c.arg(&config).env("LC_ALL", "id_ID.UTF-8");
    assert!(refused(c).contains("tidak valid"));

    let (_dir, config) = config_dir("shutdown-grace = \"soon\"\n");
    let mut c = bin(&["serve", "--config"]);
    c.arg(&config)
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    let err = refused(c);
    assert!(
        err.contains("config.invalid") && err.contains("line 3"),
        "{err}"
    );

    let mut c = bin(&["serve", "--config", "/nowhere/rantau.toml"]);
    c.env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES");
    assert!(refused(c).contains("config.unreadable"));

    let mut c = bin(&["serve", "--addr", "127.0.0.1:0", "--files", "/tmp/docs"]);
    c.env("RANTAU_ADMIN_TOKEN", TOKEN)
        .env("LC_ALL", "id_ID.UTF-8");
    let err = refused(c);
    assert!(
        err.contains("config.files_without_database") && err.contains("hanya untuk PostgreSQL"),
        "{err}"
    );

    let mut c = bin(&["serve", "--addr", "127.0.0.1:0"]);
    c.env("RANTAU_ADMIN_TOKEN", TOKEN)
        .env("RANTAU_SHUTDOWN_GRACE", "soon");
    let err = refused(c);
    assert!(err.contains("invalid value 'soon'"), "{err}");
}
