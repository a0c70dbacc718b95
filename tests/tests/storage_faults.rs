//! Storage faults: the client fills a profile until the storage fails — a real full
//! disk (a small tmpfs in a private mount namespace: ENOSPC) or a file-size limit
//! (RLIMIT_FSIZE: EFBIG) — then gets room back. The failing call must return a typed
//! error with a message in both languages; afterwards nothing finalized or autosaved
//! is lost, the database passes its integrity checks, new writes succeed, and
//! everything reaches the server exactly once.

// A test file: unwrap and expect are the assertions here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{HashMap, HashSet};
use std::process::Command;

use rantau_server::DbLocation;
use rantau_tests::crash::{value_at, Line};
use rantau_tests::server::{counts, start};
use serde_json::Value;

const CLIENT: &str = env!("CARGO_BIN_EXE_crash_client");

/// Runs `sh -c script` with positional arguments; returns stdout lines, or panics
/// with everything the shell said.
fn sh(script: &str, args: &[&str]) -> Vec<String> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg("sh")
        .args(args)
        .output()
        .expect("sh");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{script}: {}\nstdout:\n{stdout}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout.lines().map(str::to_string).collect()
}

fn field<'a>(lines: &'a [String], prefix: &str) -> Vec<&'a str> {
    lines
        .iter()
        .filter_map(|l| l.strip_prefix(prefix))
        .collect()
}

/// What one storage fault did, as the client told it.
struct Fault {
    /// The failing call's error code.
    code: String,
    /// The call that failed (`set`, `attach`, `finalize`, `new`).
    call: String,
    /// What a sync on the still-full storage returned.
    during_sync: String,
}

/// Checks the client's account of one storage fault.
fn check_fault(
    lines: &[String],
    server: std::net::SocketAddr,
    rt: &tokio::runtime::Runtime,
) -> Fault {
    let all = lines.join("\n");
    let err_at = lines
        .iter()
        .position(|l| l.starts_with("error "))
        .unwrap_or_else(|| panic!("no storage error reported:\n{all}"));
    let code = lines[err_at]["error ".len()..].to_string();
    let call = lines[..err_at]
        .iter()
        .rev()
        .find_map(|l| l.strip_prefix("begin "))
        .and_then(|l| l.split(' ').next())
        .unwrap_or("open");
    assert!(
        code == "store.full" || code == "store.io_error",
        "the failing call must return a typed storage error, got {code}:\n{all}"
    );
    let id_msg = field(lines, "message-id ");
    let en_msg = field(lines, "message-en ");
    assert!(
        id_msg.len() == 1 && en_msg.len() == 1 && id_msg[0] != en_msg[0] && id_msg[0] != code,
        "a message in Indonesian and in English:\n{all}"
    );
    let during_sync = field(lines, "sync-while-full ");
    assert!(
        matches!(during_sync[..], ["ok" | "store.full" | "store.io_error"]),
        "a sync on the full storage returns a typed error or succeeds:\n{all}"
    );
    assert_eq!(field(lines, "recover "), ["ok"], "{all}");
    assert_eq!(
        field(lines, "integrity ").first(),
        Some(&"ok"),
        "after room returns:\n{all}"
    );
    assert!(
        field(lines, "integrity ").iter().all(|s| *s == "ok"),
        "{all}"
    );
    assert_eq!(
        field(lines, "new-writes "),
        ["ok"],
        "new writes after room returns:\n{all}"
    );
    assert_eq!(lines.last().map(String::as_str), Some("done"), "{all}");

    // Before the fault: what was finalized, the last autosave that returned.
    let before = &lines[..err_at];
    let finalized: Vec<String> = before
        .iter()
        .filter_map(|l| match Line::parse(l) {
            Line::Finalized(id) => Some(id),
            _ => None,
        })
        .collect();
    assert!(
        !finalized.is_empty(),
        "the disk filled before any finalize:\n{all}"
    );
    let last_save = before.iter().rev().find_map(|l| match Line::parse(l) {
        Line::Saved(d, p, v) => Some((d, p, v)),
        _ => None,
    });
    // The first report after recovery, before any new write.
    let report_at = lines
        .iter()
        .position(|l| l.starts_with("recover "))
        .unwrap()
        + 1;
    let report: Vec<&String> = lines[report_at..]
        .iter()
        .take_while(|l| {
            l.starts_with("integrity ") || l.starts_with("outbox ") || l.starts_with("draft ")
        })
        .collect();
    let outbox: HashSet<&str> = report
        .iter()
        .filter_map(|l| l.strip_prefix("outbox "))
        .filter_map(|l| l.split(' ').next())
        .collect();
    for id in &finalized {
        assert!(
            outbox.contains(id.as_str()),
            "finalized {id} lost after the fault:\n{all}"
        );
    }
    let drafts: HashMap<&str, Value> = report
        .iter()
        .filter_map(|l| l.strip_prefix("draft "))
        .filter_map(|l| l.split_once(' '))
        .map(|(id, json)| (id, serde_json::from_str(json).unwrap()))
        .collect();
    if let Some((d, path, v)) = last_save {
        match drafts.get(d.as_str()) {
            Some(answers) => assert_eq!(
                value_at(answers, &path),
                Some(&v),
                "the last autosave before the fault ({path}) is lost"
            ),
            None => assert!(outbox.contains(d.as_str()), "draft {d} vanished:\n{all}"),
        }
    }

    // Everything finalized, before and after the fault, is on the server once.
    let all_finalized: Vec<String> = lines
        .iter()
        .filter_map(|l| match Line::parse(l) {
            Line::Finalized(id) => Some(id),
            _ => None,
        })
        .collect();
    let on_server = rt.block_on(counts(server));
    for id in &all_finalized {
        assert_eq!(on_server.get(id), Some(&1), "{id} on the server once");
    }
    assert_eq!(
        on_server.values().sum::<usize>(),
        all_finalized.len(),
        "no extra records"
    );
    Fault {
        code,
        call: call.to_string(),
        during_sync: during_sync[0].to_string(),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap()
}

#[allow(clippy::print_stdout)]
fn say(case: &str, f: &Fault) {
    println!(
        "storage fault {case}: {} in {}; sync while full: {}",
        f.code, f.call, f.during_sync
    );
}

/// A tmpfs of `size` in a private mount namespace over the profile directory; the
/// client fills it (photos on `attach`% of drafts), grows it to 64 MiB itself
/// (`--recover`), then a fresh process opens the same profile and syncs everything.
fn full_tmpfs(size: &str, attach: u32) -> Fault {
    // CI has unprivileged user namespaces; a machine without them must not pass silently.
    let probe = Command::new("unshare").args(["-rm", "true"]).status();
    assert!(
        probe.is_ok_and(|s| s.success()),
        "this test needs `unshare -rm` (util-linux, unprivileged user namespaces) to mount a small tmpfs"
    );
    let rt = runtime();
    let server = rt.block_on(start(DbLocation::Memory));
    let url = format!("http://{}", server.addr);
    let dir = tempfile::tempdir().unwrap();
    let mnt = dir.path().to_str().unwrap();
    let script = r#"set -e
mount -t tmpfs -o size="$4" tmpfs "$1"
"$2" fill --dir "$1" --server "$3" --seed 11 --attach "$5" --recover "mount -o remount,size=64m $1"
"$2" final --dir "$1" --server "$3" --seed 12
"#;
    let lines = sh(
        &format!(
            "exec unshare --user --map-root-user --mount sh -c '{}' sh \"$@\"",
            script.replace('\'', "'\\''")
        ),
        &[mnt, CLIENT, &url, size, &attach.to_string()],
    );
    let fault = check_fault(&lines, server.addr, &rt);
    assert_eq!(fault.code, "store.full", "ENOSPC is SQLITE_FULL");
    fault
}

#[test]
fn a_full_disk_while_attaching_is_store_full_and_nothing_is_lost_when_space_returns() {
    say("tmpfs ENOSPC, photos", &full_tmpfs("3m", 100));
}

#[test]
fn a_full_disk_while_typing_is_store_full_and_the_last_autosave_survives() {
    let fault = full_tmpfs("1m", 0);
    assert_ne!(fault.call, "attach");
    say("tmpfs ENOSPC, no photos", &fault);
}

#[test]
fn a_write_past_the_file_size_limit_is_a_typed_error_and_nothing_is_lost() {
    let rt = runtime();
    let server = rt.block_on(start(DbLocation::Memory));
    let url = format!("http://{}", server.addr);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    // 32 + 340 × 4120 bytes (past a few finalizes): a WAL frame header starts exactly
    // at the limit, so the write fails outright with EFBIG (SQLITE_IOERR_WRITE) rather
    // than short (SQLITE_FULL). SIGXFSZ is ignored (it stays ignored across exec) so
    // the write returns EFBIG. Only the soft limit is set: the client may raise it
    // itself (`--recover`) without CAP_SYS_RESOURCE.
    let script = r#"set -e
trap '' XFSZ
prlimit --fsize=1400832:unlimited -- "$2" fill --dir "$1" --server "$3" --seed 21 --recover "prlimit --pid {pid} --fsize=unlimited"
"$2" final --dir "$1" --server "$3" --seed 22
"#;
    let lines = sh(script, &[d, CLIENT, &url]);
    let fault = check_fault(&lines, server.addr, &rt);
    assert_eq!(fault.code, "store.io_error", "EFBIG is SQLITE_IOERR_WRITE");
    say("RLIMIT_FSIZE EFBIG", &fault);
}
