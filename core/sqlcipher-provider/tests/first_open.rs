//! Regression: the first connections of a process, opened by several threads at
//! once, all key their databases. SQLite marks itself initialised before
//! SQLCipher's set-up has run, so without `initialize` a thread could open a
//! connection in between and its `PRAGMA key` failed ("An error occurred with
//! PRAGMA key or rekey"); CI saw it once in the server's `at_rest` tests.
//!
//! The window exists once per process, so the test runs itself as a child process
//! many times; each child opens its first connections from eight threads released
//! together.

use std::process::Command;
use std::sync::{Arc, Barrier};

const CHILD: &str = "RANTAU_FIRST_OPEN_CHILD";
const THREADS: usize = 8;
const PROCESSES: usize = 40;

/// One thread's first connection: set-up, open, key, write, read back.
fn open_keyed(n: usize) -> rusqlite::Result<i64> {
    rantau_sqlcipher_provider::initialize().map_err(|e| {
        rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(e.0), Some(e.to_string()))
    })?;
    let conn = rusqlite::Connection::open_in_memory()?;
    conn.execute_batch("PRAGMA cipher_log_level = NONE;")?;
    conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", "ab".repeat(32)))?;
    conn.execute_batch("CREATE TABLE t(x INTEGER); ")?;
    conn.execute("INSERT INTO t(x) VALUES (?1)", [n as i64])?;
    conn.query_row("SELECT x FROM t", [], |r| r.get(0))
}

#[test]
fn first_connections_opened_at_once_are_all_keyed() {
    if std::env::var_os(CHILD).is_some() {
        let start = Arc::new(Barrier::new(THREADS));
        let threads: Vec<_> = (0..THREADS)
            .map(|n| {
                let start = Arc::clone(&start);
                std::thread::spawn(move || {
                    start.wait();
                    open_keyed(n)
                })
            })
            .collect();
        for (n, t) in threads.into_iter().enumerate() {
            let got = t.join().expect("no panic");
            assert_eq!(got.as_ref().ok(), Some(&(n as i64)), "thread {n}: {got:?}");
        }
        return;
    }
    let me = std::env::current_exe().unwrap();
    for run in 0..PROCESSES {
        let out = Command::new(&me)
            .args([
                "--exact",
                "first_connections_opened_at_once_are_all_keyed",
                "--test-threads=1",
            ])
            .env(CHILD, "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "process {run}: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
