//! The real `rantau-server` binary as a child process, for the tests that need
//! one (a signal, a SIGKILL, replicas that die) and the load benchmark (which
//! includes this file): started on a free loopback port, its address read from
//! the line it prints first; killed (SIGKILL) and reaped when dropped, so a
//! failed test leaves no server behind.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_rantau-server");

/// `rantau-server serve --addr 127.0.0.1:0`: the caller adds the database,
/// the files, the admin token and where stderr goes.
pub fn serve() -> Command {
    let mut command = Command::new(BIN);
    command.args(["serve", "--addr", "127.0.0.1:0"]);
    command
}

/// A running server process.
pub struct ServerProcess {
    /// The process: signal it, or wait for its exit.
    pub child: Child,
    /// Its base URL, `http://127.0.0.1:PORT`.
    pub url: String,
}

impl ServerProcess {
    /// Spawns `command` (see [`serve`]) with its stdout piped and waits for the
    /// line naming its address; it answers from then on. `log` is the file its
    /// stderr goes to, quoted if it does not start.
    pub fn start(mut command: Command, log: Option<&Path>) -> ServerProcess {
        let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line.trim().rsplit(' ').next().unwrap_or("").to_string();
        if !url.starts_with("http://127.0.0.1:") {
            let _ = child.kill();
            let _ = child.wait();
            let log = log
                .map(|p| std::fs::read_to_string(p).unwrap_or_default())
                .unwrap_or_default();
            panic!("the server did not start: {line:?}; its log: {log}");
        }
        ServerProcess { child, url }
    }

    /// Its address.
    pub fn addr(&self) -> SocketAddr {
        self.url.trim_start_matches("http://").parse().unwrap()
    }

    /// SIGKILL: no shutdown, nothing flushed or finished; reaped.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
