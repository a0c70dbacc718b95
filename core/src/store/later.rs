//! Writes that may wait a moment: a keystroke's autosave is queued here and a
//! background thread writes it, so the call a keystroke makes never waits for the
//! disk (or for a sync holding the connection). Nothing in this process can read
//! around a queued write: every other read or write of the store first writes
//! what waits ([`Later::catch_up`]), and closing the store writes it too.
//!
//! What a crash may cost: the keystrokes of the last few milliseconds (the thread
//! writes them [`GATHER`] after the first is queued); a synchronous autosave would
//! lose only the one in its transaction, but made every keystroke wait for the
//! disk. Anything a worker does with the store after typing — a removed item,
//! an attached page, sending, the outbox, a sync — writes them first, in order.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::Duration;

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::Result;

/// One queued write. Run again from the start after a failed attempt (its
/// transaction rolled back), so it must give the same result when repeated.
pub type Op = Box<dyn FnMut(&Transaction<'_>) -> Result<()> + Send>;

/// The queue of writes that wait, and the thread that writes them.
#[derive(Default)]
pub(crate) struct Later {
    queue: Mutex<Queue>,
    wake: Condvar,
}

#[derive(Default)]
struct Queue {
    ops: Vec<Op>,
    /// The writer thread was started (lazily, at the first queued write).
    writer: bool,
    /// The last attempt failed: the thread waits for a new write, or for a
    /// foreground call to try again, instead of retrying in a loop.
    stuck: bool,
    /// The thread waits for work: only then does a push wake it (a wake is a
    /// system call the keystroke would pay for nothing while the thread is busy).
    idle: bool,
    closed: bool,
}

/// How long the thread lets writes gather after the first one before writing them
/// in one transaction: typing comes in bursts, and one page write for a burst
/// costs the phone less than one per key. Short, so what a crash may cost stays
/// a few keystrokes.
const GATHER: Duration = Duration::from_millis(2);

impl Later {
    fn queue(&self) -> MutexGuard<'_, Queue> {
        // Nothing runs user code under this lock, so poisoning cannot leave it torn.
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `op`, to be written by the writer thread (started on first use) on
    /// `conn`, or earlier by whichever call uses the store next.
    pub(crate) fn push(self: &Arc<Self>, conn: &Arc<Mutex<Connection>>, op: Op) {
        let mut q = self.queue();
        q.ops.push(op);
        q.stuck = false;
        let wake = q.idle;
        if !q.writer {
            let later = Arc::clone(self);
            let conn = Arc::downgrade(conn);
            let started = std::thread::Builder::new()
                .name("rantau-autosave".into())
                .spawn(move || writer(later, conn));
            // Without a thread the writes still happen, at the next use of the store.
            q.writer = started.is_ok();
        }
        drop(q);
        if wake {
            self.wake.notify_one();
        }
    }

    /// Writes every queued write in one transaction on `conn` (held by the caller,
    /// so nothing else runs between them and the caller's own work). On failure
    /// they stay queued, in order, before any queued since.
    pub(crate) fn catch_up(&self, conn: &mut Connection) -> Result<()> {
        let mut ops = std::mem::take(&mut self.queue().ops);
        if ops.is_empty() {
            return Ok(());
        }
        let written = (|| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            for op in ops.iter_mut() {
                op(&tx)?;
            }
            tx.commit()?;
            Ok(())
        })();
        if written.is_err() {
            let mut q = self.queue();
            ops.append(&mut q.ops);
            q.ops = ops;
            q.stuck = true;
        }
        written
    }

    /// True when a write waits.
    pub(crate) fn pending(&self) -> bool {
        !self.queue().ops.is_empty()
    }

    /// Ends the writer thread (the store is closing; it catches up itself).
    pub(crate) fn close(&self) {
        self.queue().closed = true;
        self.wake.notify_all();
    }
}

/// The writer thread: waits for a queued write, then writes everything queued.
/// Holds the connection weakly, so a closed store is not kept open by it.
fn writer(later: Arc<Later>, conn: Weak<Mutex<Connection>>) {
    loop {
        {
            let mut q = later.queue();
            while (q.ops.is_empty() || q.stuck) && !q.closed {
                q.idle = true;
                q = later.wake.wait(q).unwrap_or_else(|p| p.into_inner());
            }
            q.idle = false;
            if q.closed {
                return;
            }
        }
        std::thread::sleep(GATHER);
        let Some(conn) = conn.upgrade() else { return };
        let mut c = conn.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = later.catch_up(&mut c) {
            // The store words the failure for whoever uses it next; here it is only logged.
            tracing::warn!(
                code = e.code(),
                "queued autosave not written yet; kept for the next try"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Error;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    fn table() -> Arc<Mutex<Connection>> {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (n INTEGER)").unwrap();
        Arc::new(Mutex::new(conn))
    }

    fn insert(n: i64) -> Op {
        Box::new(move |tx| {
            tx.execute("INSERT INTO t VALUES (?1)", [n])?;
            Ok(())
        })
    }

    fn rows(conn: &Mutex<Connection>) -> Vec<i64> {
        let c = conn.lock().unwrap();
        let mut stmt = c.prepare("SELECT n FROM t ORDER BY rowid").unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    #[test]
    fn the_writer_thread_writes_what_is_queued_in_order() {
        let conn = table();
        let later = Arc::new(Later::default());
        for n in 1..=50 {
            later.push(&conn, insert(n));
        }
        let deadline = Instant::now() + Duration::from_secs(10);
        while later.pending() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        // Taken from the queue and committed under the connection's lock: once it
        // is free and nothing waits, every row is there.
        assert!(!later.pending(), "the writer thread wrote nothing in 10 s");
        assert_eq!(rows(&conn), (1..=50).collect::<Vec<_>>());
        later.close();
    }

    #[test]
    fn a_failed_write_stays_queued_before_later_ones_and_is_written_once_it_can_be() {
        let conn = table();
        let later = Arc::new(Later::default());
        let fails = Arc::new(AtomicUsize::new(1));
        let f = Arc::clone(&fails);
        // The foreground holds the connection, so the writer thread cannot run.
        let mut c = conn.lock().unwrap();
        later.push(&conn, insert(1));
        later.push(
            &conn,
            Box::new(move |tx| {
                if f.load(Ordering::SeqCst) > 0 {
                    f.fetch_sub(1, Ordering::SeqCst);
                    return Err(Error::Interrupted);
                }
                tx.execute("INSERT INTO t VALUES (2)", [])?;
                Ok(())
            }),
        );
        assert!(matches!(later.catch_up(&mut c), Err(Error::Interrupted)));
        // Rolled back as a whole: row 1 is not there either.
        let n: i64 = c
            .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        later.push(&conn, insert(3));
        later.catch_up(&mut c).unwrap();
        assert!(!later.pending());
        drop(c);
        assert_eq!(rows(&conn), vec![1, 2, 3]);
        assert_eq!(fails.load(Ordering::SeqCst), 0);
        later.close();
    }

    #[test]
    fn the_writer_thread_ends_when_the_connection_is_gone() {
        let conn = table();
        let later = Arc::new(Later::default());
        later.push(&conn, insert(1));
        while later.pending() {
            std::thread::sleep(Duration::from_millis(1));
        }
        drop(conn);
        // A new write wakes the thread, which finds its store gone and ends,
        // leaving the write to whoever uses a store next (here: nobody).
        let other = table();
        later.push(&other, insert(2));
        let deadline = Instant::now() + Duration::from_secs(10);
        while Arc::strong_count(&later) > 1 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
        assert!(later.pending());
        assert_eq!(
            Arc::strong_count(&later),
            1,
            "the writer thread did not end"
        );
    }
}
