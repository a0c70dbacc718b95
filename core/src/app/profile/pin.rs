//! A profile's PIN: an app-level lock on opening the profile for the user, on a
//! phone that is shared or held by someone else.
//!
//! **What it is.** The database is encrypted with the profile key, which the app
//! keeps in the Android Keystore and unwraps without the user, so the background
//! sync can open the profile at any time. The PIN is not that key and encrypts
//! nothing: it is a second check, kept in the profile's own meta table as an
//! Argon2id verifier (random salt, the cost stored with it). A handle on a profile
//! with a PIN opens locked: every call that reads or changes the worker's forms and
//! records (drafts, the outbox's items, the card, payments, consultations,
//! documents, a backup) fails with [`Error::PinRequired`] until
//! [`Profile::unlock`] succeeds on that handle.
//!
//! **Background sync keeps working** because syncing is not behind the PIN: the
//! sync worker opens the profile with the stored key, runs [`Profile::sync`] (which
//! reads the outbox inside the core and writes what the server answers), schedules
//! the reminders, and shows nothing of the profile on a screen. The status line of
//! the sync, the outbox's counts, the data-use settings and the emergency numbers
//! ([`Profile::help`]) stay readable too: they say nothing about the worker's answers.
//!
//! **What it protects against:** another person holding the unlocked phone (a
//! family member, an employer) opening the worker's profile in the app, reading
//! their forms, card and payment codes, or sending a form in their name. **What it
//! does not:** someone with root or adb access, or with the app's files and the
//! Keystore's key; they can open the database without the app. A PIN has little
//! entropy (4 to 8 digits): the slow hash only makes each guess cost a fraction of
//! a second; the lockout is the real defence. After [`FREE_TRIES`] wrong PINs in a
//! row each further try waits ([`wait_after`]: one minute, doubling, at most a
//! day). The count is written durably *before* the PIN is checked, so killing the
//! app mid-check never saves a try. The wait is measured by the phone's clock: a
//! person who sets the clock forward shortens it.
//!
//! **A forgotten PIN** cannot be reset on the phone: a reset anyone holding the phone
//! could use would make the PIN worthless. Nothing is deleted: forms already sent to
//! the outbox are still delivered by the background sync, and the drafts stay in the
//! locked profile. The worker can restore a backup (backups carry no PIN: a restore
//! drops it, see [`forget`]) as a new profile.

use std::sync::atomic::Ordering;

use rand::Rng;
use serde::Serialize;

use super::Profile;
use crate::app::kdf::{self, KdfParams};
use crate::base::error::{Error, Result};
use crate::base::lang::Lang;
use crate::base::messages;
use crate::store::{delete_meta, get_meta, set_meta, Store};

/// Fewest digits in a PIN.
pub const MIN_DIGITS: usize = 4;
/// Most digits in a PIN.
pub const MAX_DIGITS: usize = 8;
/// Wrong PINs in a row allowed before each further try waits.
pub const FREE_TRIES: u32 = 5;

/// The verifier's Argon2id cost: OWASP's minimum for Argon2id (19 MiB, 2 passes, 1
/// lane). Measured by `pin_check_cost` (ignored test, `--ignored --nocapture`):
/// 27 ms per check on the build machine (a shared 2-core AMD EPYC), so a few
/// hundred on a cheap phone, each time the worker opens the profile.
pub const PIN_COST: KdfParams = KdfParams {
    memory_kib: 19 * 1024,
    passes: 2,
    lanes: 1,
};

const VERIFIER: &str = "pin.verifier";
const FAILURES: &str = "pin.failures";
const WAIT_UNTIL: &str = "pin.wait_until";
const SALT_LEN: usize = 16;
/// Costs a stored verifier may ask for (a damaged row must not make the phone
/// allocate gigabytes).
const MAX_MEMORY_KIB: u32 = 256 * 1024;
const MAX_PASSES: u32 = 16;

/// The PIN state of a profile, for the profile's screens: whether to ask for a PIN
/// and what to say while asking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct PinStatus {
    /// The profile has a PIN.
    pub has_pin: bool,
    /// This handle may read the profile (no PIN, or unlocked with it).
    pub unlocked: bool,
    /// Wrong PINs still allowed before a wait.
    pub attempts_left: u32,
    /// While a wait runs: when the next PIN is checked (unix ms).
    pub wait_until: Option<i64>,
    /// What to tell the worker under the PIN field, in the profile's language:
    /// the tries left after a wrong PIN, or how long to wait. None with nothing to say.
    pub line: Option<String>,
}

/// True when the profile in `store` has a PIN.
pub(crate) fn has_pin(store: &Store) -> Result<bool> {
    Ok(store.read(|c| get_meta(c, VERIFIER))?.is_some())
}

/// Drops the PIN of a profile restored from a backup: a PIN belongs to the phone
/// it was set on, and a worker who forgot it restores a backup to get back in.
pub(crate) fn forget(tx: &rusqlite::Transaction<'_>) -> Result<()> {
    for key in [VERIFIER, FAILURES, WAIT_UNTIL] {
        delete_meta(tx, key)?;
    }
    Ok(())
}

/// `pin` if it is 4 to 8 ASCII digits and not one anyone tries first.
fn checked(pin: &str) -> Result<&str> {
    let pin = pin.trim();
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&pin.len()) || !pin.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::PinFormat {
            min: MIN_DIGITS as u32,
            max: MAX_DIGITS as u32,
        });
    }
    if is_trivial(pin.as_bytes()) {
        return Err(Error::PinTrivial);
    }
    Ok(pin)
}

/// One digit repeated (0000), a run up or down (1234, 9876, 7890), two digits
/// alternating (1212), or the keypad's middle column (2580, 0852).
fn is_trivial(d: &[u8]) -> bool {
    let steps: Vec<u8> = d.windows(2).map(|w| (10 + w[1] - w[0]) % 10).collect();
    let same_step = steps.iter().all(|s| *s == steps[0]);
    let run = same_step && matches!(steps[0], 0 | 1 | 9);
    let alternating = d.iter().enumerate().all(|(i, b)| *b == d[i % 2]);
    run || alternating || d == b"2580" || d == b"0852"
}

/// The wait after the `failures`-th wrong PIN in a row, in ms: none for the first
/// [`FREE_TRIES`] - 1, then one minute, doubling with each, at most a day.
pub fn wait_after(failures: u32) -> i64 {
    const MINUTE: i64 = 60_000;
    const DAY: i64 = 24 * 60 * MINUTE;
    if failures < FREE_TRIES {
        return 0;
    }
    let doublings = (failures - FREE_TRIES).min(20);
    (MINUTE << doublings).min(DAY)
}

/// `v1:<memory KiB>:<passes>:<lanes>:<salt hex>:<hash hex>`.
fn verifier(pin: &str, cost: KdfParams) -> Result<String> {
    let salt: [u8; SALT_LEN] = rand::rng().random();
    let hash = kdf::argon2id(pin.as_bytes(), &salt, cost)
        .map_err(|e| Error::MalformedStoredData(format!("pin cost: {e}")))?;
    Ok(format!(
        "v1:{}:{}:{}:{}:{}",
        cost.memory_kib,
        cost.passes,
        cost.lanes,
        hex::encode(salt),
        hex::encode(hash)
    ))
}

/// Whether `pin` matches the stored `verifier` (compared in constant time).
fn matches(verifier: &str, pin: &str) -> Result<bool> {
    let bad = || Error::MalformedStoredData("pin verifier".into());
    let parts: Vec<&str> = verifier.split(':').collect();
    let [v, m, t, p, salt, hash] = parts[..] else {
        return Err(bad());
    };
    let number = |s: &str| s.parse::<u32>().map_err(|_| bad());
    let cost = KdfParams {
        memory_kib: number(m)?,
        passes: number(t)?,
        lanes: number(p)?,
    };
    if v != "v1" || cost.memory_kib > MAX_MEMORY_KIB || cost.passes > MAX_PASSES {
        return Err(bad());
    }
    let salt = hex::decode(salt).map_err(|_| bad())?;
    let hash = hex::decode(hash).map_err(|_| bad())?;
    let tried = kdf::argon2id(pin.trim().as_bytes(), &salt, cost).map_err(|_| bad())?;
    // Every byte compared whatever the first difference (no early exit to time).
    let diff = tried
        .iter()
        .zip(&hash)
        .fold(0u8, |acc, (a, b)| acc | (a ^ b));
    Ok(hash.len() == tried.len() && std::hint::black_box(diff) == 0)
}

/// The stored count of wrong PINs in a row and the end of the wait, if any.
fn tries(conn: &rusqlite::Connection) -> Result<(u32, Option<i64>)> {
    let failures = get_meta(conn, FAILURES)?.and_then(|v| v.parse().ok());
    let until = get_meta(conn, WAIT_UNTIL)?.and_then(|v| v.parse().ok());
    Ok((failures.unwrap_or(0), until))
}

fn minutes_left(until: i64, now: i64) -> u64 {
    ((until - now).max(0) as u64).div_ceil(60_000).max(1)
}

impl Profile {
    /// Refuses ([`Error::PinRequired`]) while the profile has a PIN this handle was
    /// not unlocked with. Called first by every call that shows or changes the
    /// worker's forms and records.
    pub(crate) fn for_the_user(&self) -> Result<()> {
        if self.unlocked.load(Ordering::Acquire) {
            return Ok(());
        }
        // Another handle may have removed the PIN since this one opened.
        if has_pin(&self.store)? {
            return Err(Error::PinRequired);
        }
        self.unlocked.store(true, Ordering::Release);
        Ok(())
    }

    /// The PIN state, readable before the profile is unlocked (the PIN screen
    /// needs it).
    pub fn pin_status(&self) -> Result<PinStatus> {
        let now = self.now_ms();
        let (has, (failures, until)) = self
            .store
            .read(|c| Ok((get_meta(c, VERIFIER)?.is_some(), tries(c)?)))?;
        let waiting = until.filter(|u| *u > now);
        // After a wait the next wrong PIN waits again: one try, not none.
        let attempts_left = match waiting {
            Some(_) => 0,
            None => FREE_TRIES.saturating_sub(failures).max(1),
        };
        let lang = self.lang();
        let line = match (has, waiting) {
            (false, _) => None,
            (true, Some(u)) => Some(wait_line(u, now, lang)),
            (true, None) if failures > 0 => Some(messages::render_count(
                "pin.attempts_left",
                attempts_left.into(),
                lang,
                &[("left", attempts_left.to_string())],
            )),
            (true, None) => None,
        };
        Ok(PinStatus {
            has_pin: has,
            unlocked: !has || self.unlocked.load(Ordering::Acquire),
            attempts_left,
            wait_until: waiting,
            line,
        })
    }

    /// Opens this handle for the user with `pin`. Errors: [`Error::PinLocked`]
    /// while a wait runs (the PIN is not checked), [`Error::PinWrong`] with the tries
    /// left, [`Error::NoPin`] when there is no PIN. A wrong PIN changes nothing but
    /// the count of wrong PINs.
    pub fn unlock(&self, pin: &str) -> Result<()> {
        self.check_pin(pin)?;
        self.unlocked.store(true, Ordering::Release);
        Ok(())
    }

    /// Locks this handle again (the app went to the background): the next read of
    /// the worker's data needs the PIN. No effect without a PIN.
    pub fn lock_again(&self) -> Result<()> {
        if has_pin(&self.store)? {
            self.unlocked.store(false, Ordering::Release);
        }
        Ok(())
    }

    /// Sets a PIN on a profile that has none ([`Error::PinExists`] otherwise; change
    /// it with [`change_pin`](Self::change_pin)). Refused: [`Error::PinFormat`],
    /// [`Error::PinTrivial`]. This handle stays unlocked.
    pub fn set_pin(&self, pin: &str) -> Result<()> {
        // "Has one already" says more than "locked" (and no more than `pin_status`).
        if has_pin(&self.store)? {
            return Err(Error::PinExists);
        }
        self.for_the_user()?;
        let stored = verifier(checked(pin)?, PIN_COST)?;
        self.store.write_durable(|tx| {
            if get_meta(tx, VERIFIER)?.is_some() {
                return Err(Error::PinExists);
            }
            set_meta(tx, VERIFIER, &stored)?;
            delete_meta(tx, FAILURES)?;
            delete_meta(tx, WAIT_UNTIL)?;
            Ok(())
        })
    }

    /// Replaces the PIN, given the current one (checked as [`unlock`](Self::unlock)
    /// checks it, wrong tries counted). The new one is checked before the old:
    /// a refused new PIN costs no try.
    pub fn change_pin(&self, current: &str, new: &str) -> Result<()> {
        let new = checked(new)?;
        self.check_pin(current)?;
        let stored = verifier(new, PIN_COST)?;
        self.store
            .write_durable(|tx| set_meta(tx, VERIFIER, &stored))?;
        self.unlocked.store(true, Ordering::Release);
        Ok(())
    }

    /// Removes the PIN, given the current one (checked as [`unlock`](Self::unlock)
    /// checks it).
    pub fn remove_pin(&self, current: &str) -> Result<()> {
        self.check_pin(current)?;
        self.store.write_durable(forget)?;
        self.unlocked.store(true, Ordering::Release);
        Ok(())
    }

    /// Checks `pin` against the stored verifier. The try is counted durably before
    /// the (slow) check and the count cleared after a right PIN, so no kill of the
    /// app gives a free try.
    fn check_pin(&self, pin: &str) -> Result<()> {
        // What cannot be a PIN is refused without costing a try (a slip of the keyboard).
        if !(MIN_DIGITS..=MAX_DIGITS).contains(&pin.trim().len())
            || !pin.trim().bytes().all(|b| b.is_ascii_digit())
        {
            return Err(Error::PinFormat {
                min: MIN_DIGITS as u32,
                max: MAX_DIGITS as u32,
            });
        }
        let now = self.now_ms();
        let stored = self.store.write_durable(|tx| {
            let Some(stored) = get_meta(tx, VERIFIER)? else {
                return Err(Error::NoPin);
            };
            let (failures, until) = tries(tx)?;
            if let Some(until) = until.filter(|u| *u > now) {
                return Err(Error::PinLocked { until });
            }
            // Counted as wrong until it proves right.
            let failures = failures.saturating_add(1);
            set_meta(tx, FAILURES, &failures.to_string())?;
            match wait_after(failures) {
                0 => delete_meta(tx, WAIT_UNTIL).map(drop)?,
                wait => set_meta(tx, WAIT_UNTIL, &(now + wait).to_string())?,
            }
            Ok(stored)
        })?;
        if matches(&stored, pin)? {
            self.store.write_durable(|tx| {
                delete_meta(tx, FAILURES)?;
                delete_meta(tx, WAIT_UNTIL)?;
                Ok(())
            })?;
            return Ok(());
        }
        let (failures, until) = self.store.read(tries)?;
        match until.filter(|u| *u > now) {
            Some(until) => Err(Error::PinLocked { until }),
            None => Err(Error::PinWrong {
                attempts_left: FREE_TRIES.saturating_sub(failures),
            }),
        }
    }
}

/// "Try again in N min." for a wait until `until`.
fn wait_line(until: i64, now: i64, lang: Lang) -> String {
    messages::render(
        "pin.wait",
        lang,
        &[("minutes", minutes_left(until, now).to_string())],
    )
}

#[cfg(test)]
mod tests {
    // Test code: a failed unwrap is a failed test.
    #![allow(clippy::unwrap_used)]

    use std::path::Path;
    use std::sync::atomic::AtomicI64;
    use std::sync::Arc;

    use chrono::{TimeZone, Utc};

    use super::*;
    use crate::app::profile::Clock;
    use crate::store::Key;

    /// A clock the test moves by hand (unix ms).
    fn clock(at: &Arc<AtomicI64>) -> Clock {
        let at = Arc::clone(at);
        Arc::new(move || {
            Utc.timestamp_millis_opt(at.load(Ordering::SeqCst))
                .single()
                .unwrap()
        })
    }

    fn open(dir: &Path, key: &Key, at: &Arc<AtomicI64>) -> Profile {
        let p = Profile::open(dir, "ani", key)
            .unwrap()
            .with_clock(clock(at));
        p.set_lang(Lang::En);
        p
    }

    fn setup() -> (tempfile::TempDir, Key, Arc<AtomicI64>) {
        let dir = tempfile::tempdir().unwrap();
        let key = Key::generate();
        let p = Profile::create(dir.path(), "ani", &key).unwrap();
        p.new_draft("consultation").unwrap();
        p.set_pin("482915").unwrap();
        (dir, key, Arc::new(AtomicI64::new(1_800_000_000_000)))
    }

    #[test]
    fn a_profile_with_a_pin_opens_locked_and_the_right_pin_unlocks_it() {
        let (dir, key, at) = setup();
        let p = open(dir.path(), &key, &at);
        let status = p.pin_status().unwrap();
        assert!(status.has_pin && !status.unlocked, "{status:?}");
        assert_eq!(status.attempts_left, FREE_TRIES);
        assert_eq!(p.drafts().unwrap_err().code(), "pin.required");
        assert_eq!(p.status_card().unwrap_err().code(), "pin.required");
        assert_eq!(
            p.new_draft("consultation").unwrap_err().code(),
            "pin.required"
        );
        // What a background sync and the home line need is not behind it.
        assert_eq!(p.outbox_summary().unwrap().on_its_way, 0);
        assert!(p.reminders().unwrap().is_empty());
        assert!(p.sync_settings().is_ok());

        p.unlock(" 482915 ").unwrap();
        assert_eq!(p.drafts().unwrap().len(), 1);
        assert!(p.pin_status().unwrap().unlocked);
        p.lock_again().unwrap();
        assert_eq!(p.drafts().unwrap_err().code(), "pin.required");
    }

    #[test]
    fn wrong_pins_count_down_then_wait_longer_each_time_also_across_reopen() {
        let (dir, key, at) = setup();
        let p = open(dir.path(), &key, &at);
        for left in (1..FREE_TRIES).rev() {
            match p.unlock("111222") {
                Err(Error::PinWrong { attempts_left }) => assert_eq!(attempts_left, left),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(
            p.pin_status().unwrap().line.unwrap(),
            "1 try left before a wait."
        );
        drop(p);
        // Killing the app keeps the count: the fifth wrong PIN starts a wait.
        let p = open(dir.path(), &key, &at);
        let now = at.load(Ordering::SeqCst);
        match p.unlock("111222") {
            Err(Error::PinLocked { until }) => assert_eq!(until, now + 60_000),
            other => panic!("{other:?}"),
        }
        // While it waits even the right PIN is not checked.
        assert_eq!(p.unlock("482915").unwrap_err().code(), "pin.locked");
        let status = p.pin_status().unwrap();
        assert_eq!(status.wait_until, Some(now + 60_000));
        assert_eq!(status.line.unwrap(), "Try again in 1 min.");
        assert_eq!(p.drafts().unwrap_err().code(), "pin.required");

        // After the wait one more wrong PIN waits twice as long.
        at.fetch_add(60_000, Ordering::SeqCst);
        let now = at.load(Ordering::SeqCst);
        match p.unlock("111222") {
            Err(Error::PinLocked { until }) => assert_eq!(until, now + 120_000),
            other => panic!("{other:?}"),
        }
        drop(p);
        at.fetch_add(120_000, Ordering::SeqCst);
        let p = open(dir.path(), &key, &at);
        p.unlock("482915").unwrap();
        assert_eq!(p.drafts().unwrap().len(), 1);
        // A right PIN starts the count again.
        let again = open(dir.path(), &key, &at);
        assert_eq!(again.pin_status().unwrap().attempts_left, FREE_TRIES);
        assert_eq!(again.pin_status().unwrap().line, None);
    }

    #[test]
    fn the_wait_grows_to_a_day_at_most() {
        assert_eq!(wait_after(FREE_TRIES - 1), 0);
        assert_eq!(wait_after(FREE_TRIES), 60_000);
        assert_eq!(wait_after(FREE_TRIES + 3), 8 * 60_000);
        assert_eq!(wait_after(FREE_TRIES + 40), 24 * 3_600_000);
        assert_eq!(wait_after(u32::MAX), 24 * 3_600_000);
    }

    #[test]
    fn trivial_and_malformed_pins_are_refused_and_change_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let p = Profile::create(dir.path(), "ani", &Key::generate()).unwrap();
        for bad in ["123", "123456789", "12a4", "", "١٢٣٤٥"] {
            assert_eq!(p.set_pin(bad).unwrap_err().code(), "pin.format", "{bad:?}");
        }
        for easy in [
            "0000", "1234", "4321", "7890", "123456", "98765432", "1212", "909090", "2580",
        ] {
            assert_eq!(p.set_pin(easy).unwrap_err().code(), "pin.trivial", "{easy}");
        }
        assert!(!p.pin_status().unwrap().has_pin);
        assert!(p.drafts().is_ok());
        for fine in ["2468", "1357", "4829", "11223344"] {
            assert!(checked(fine).is_ok(), "{fine}");
        }
        assert_eq!(p.remove_pin("4829").unwrap_err().code(), "pin.none");
        assert_eq!(p.unlock("4829").unwrap_err().code(), "pin.none");
    }

    #[test]
    fn change_and_remove_need_the_current_pin() {
        let (dir, key, at) = setup();
        let p = open(dir.path(), &key, &at);
        assert_eq!(p.set_pin("5931").unwrap_err().code(), "pin.exists");
        p.unlock("482915").unwrap();
        // A refused new PIN costs no try.
        assert_eq!(
            p.change_pin("000000", "1111").unwrap_err().code(),
            "pin.trivial"
        );
        assert_eq!(p.pin_status().unwrap().attempts_left, FREE_TRIES);
        assert_eq!(
            p.change_pin("000000", "5931").unwrap_err().code(),
            "pin.wrong"
        );
        p.change_pin("482915", "5931").unwrap();
        let reopened = open(dir.path(), &key, &at);
        assert_eq!(reopened.unlock("482915").unwrap_err().code(), "pin.wrong");
        assert_eq!(
            reopened.remove_pin("482915").unwrap_err().code(),
            "pin.wrong"
        );
        let stale = open(dir.path(), &key, &at);
        assert_eq!(stale.drafts().unwrap_err().code(), "pin.required");
        reopened.remove_pin("5931").unwrap();
        // A handle opened while there was a PIN follows its removal.
        assert_eq!(stale.drafts().unwrap().len(), 1);
        let free = open(dir.path(), &key, &at);
        let status = free.pin_status().unwrap();
        assert!(!status.has_pin && status.unlocked, "{status:?}");
        assert_eq!(free.drafts().unwrap().len(), 1);
    }

    #[test]
    fn a_backup_restores_without_the_pin() {
        let (dir, key, at) = setup();
        let p = open(dir.path(), &key, &at);
        let file = dir.path().join("ani.backup");
        assert_eq!(
            p.export_backup(&file, "kopi susu di Hong Kong")
                .unwrap_err()
                .code(),
            "pin.required"
        );
        p.unlock("482915").unwrap();
        let quick = KdfParams {
            memory_kib: 256,
            passes: 1,
            lanes: 1,
        };
        p.export_backup_with(&file, "kopi susu di Hong Kong", quick)
            .unwrap();
        let phone = tempfile::tempdir().unwrap();
        let (restored, _) = Profile::import_backup(
            phone.path(),
            "ani",
            &Key::generate(),
            &file,
            "kopi susu di Hong Kong",
        )
        .unwrap();
        assert!(!restored.pin_status().unwrap().has_pin);
        assert_eq!(restored.drafts().unwrap().len(), 1);
    }

    #[test]
    fn a_damaged_verifier_is_an_error_not_an_open_door() {
        let (dir, key, at) = setup();
        let p = open(dir.path(), &key, &at);
        p.store
            .write(|tx| set_meta(tx, VERIFIER, "v1:1:1:1:zz:zz"))
            .unwrap();
        assert_eq!(p.unlock("482915").unwrap_err().code(), "store.malformed");
        assert_eq!(p.drafts().unwrap_err().code(), "pin.required");
    }

    /// The production cost, measured: `cargo test -p rantau-core --lib --
    /// pin_check_cost --ignored --nocapture` (dependencies, Argon2 among them, are
    /// optimised in the test profile too).
    #[test]
    #[ignore]
    #[allow(clippy::print_stdout)]
    fn pin_check_cost() {
        let stored = verifier("482915", PIN_COST).unwrap();
        let runs = 10;
        let start = std::time::Instant::now();
        for _ in 0..runs {
            assert!(matches(&stored, "482915").unwrap());
        }
        println!(
            "Argon2id {:?}: {:.1} ms per check",
            PIN_COST,
            start.elapsed().as_secs_f64() * 1000.0 / runs as f64
        );
    }
}
