//! The storage seam: every query and transaction of the server lives below
//! this module, behind [`Storage`]. Handlers decide and answer; they call
//! these async methods with domain types and never see a database driver or
//! SQL (a test, `server/tests/storage_seam.rs`, checks that no file outside
//! `storage/` names one).
//!
//! Each method is one unit of work: whatever must be atomic (a batch stored
//! exactly once by submission id, the KPJ numbers and payment codes it issues,
//! the events it appends, a chunk's quota reservation, an attachment's
//! completion, an officer's decision and its event) happens inside one call,
//! so no caller ever holds a transaction. Decisions that must run inside a
//! transaction are passed in as pure functions or closures
//! ([`crate::decisions::ingest::replay`], [`crate::decisions::devices::admit`],
//! the officer closures below), which a backend calls wherever its transaction is.
//!
//! SQLite (SQLCipher, one connection behind a mutex) is the default backend; its
//! blocking calls run on tokio's blocking pool. PostgreSQL ([`postgres`]) is
//! the other [`Database`] variant, with native async calls through a pool;
//! handlers do not change. [`DbLocation`] says which one a server opens.
//!
//! **The change feed and late commits.** [`Storage::changes`] promises: a page
//! after a cursor holds only committed events, and no event that commits later
//! can take a position at or before a cursor already handed out (else a device
//! that pulled past it would never see it). SQLite gives that for free: its one
//! writer commits in position order. On PostgreSQL a plain sequence does not (a
//! transaction that took 5 may commit after one that took 6 was read, and 5 is
//! skipped); the API still fits two known ways out, both inside the backend:
//! - positions handed out at commit order: each appending transaction takes the
//!   next number from a one-row counter (`UPDATE … RETURNING`), whose row lock
//!   it holds until it commits, so the next appender waits and numbers follow
//!   commit order; the cursor stays this `i64`. It serialises appends only,
//!   not the rest of a batch.
//! - or each event keeps its inserting transaction id (`pg_current_xact_id()`),
//!   pages are ordered by (transaction id, position) and hold only ids below
//!   `pg_snapshot_xmin(pg_current_snapshot())`: a transaction still open holds
//!   back everything after it. The cursor then carries the transaction id too;
//!   on the wire it is already an opaque string (`next_cursor`), so only the
//!   cursor type of this method and its parsing in `http/changes.rs` change.
//!
//! The PostgreSQL backend takes the first way (`postgres/positions.rs`); the
//! officers' submission list is paged by the same commit-ordered positions.

pub mod files;
pub mod key;
mod location;
pub mod objects;
pub mod postgres;
#[doc(hidden)]
pub use postgres::scratch::{create_database, drop_database};
pub mod sqlite;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::Arc;

use chrono::NaiveDate;
use rantau_core::forms::RegistrationTerms;
use rantau_core::protocol::wire::{AttachmentStatus, Event, EventKind, ItemResult, SubmissionItem};

use crate::decisions::import::{ImportRow, RowError};
use crate::decisions::ingest::{Clock, Prepared};
use crate::decisions::link::{Channel, Claim, Confirmation};
use crate::error::{Error, Result};
use crate::limits::DocumentQuota;
use crate::officer::{ImportReport, SubmissionSummary};
use files::FileStore;
use key::DataKey;
pub use location::{DbLocation, PgUrl};
use objects::{Documents, Objects};
use postgres::PgDb;
use rantau_core::Lang;
use sqlite::SqliteDb;

/// The server's repository: records in a database, document bytes in a
/// [`FileStore`]. Cheap to clone (shared handles).
#[derive(Clone)]
pub struct Storage {
    db: Database,
    files: Arc<FileStore>,
}

impl std::fmt::Debug for Storage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Storage").finish_non_exhaustive()
    }
}

/// The database backends.
#[derive(Clone)]
enum Database {
    /// SQLCipher on one connection; calls run on the blocking pool.
    Sqlite(Arc<SqliteDb>),
    /// A pool of PostgreSQL connections; calls are async.
    Postgres(Arc<PgDb>),
}

/// How long a token's `last_used_at` may lag (every backend): refreshing it on
/// every request would make every read a write.
pub const LAST_USED_GRANULARITY_MS: i64 = 60_000;

/// An enrollment attempt, with everything generated up front so the backend
/// only checks and writes.
#[derive(Debug, Clone)]
pub struct EnrollAttempt {
    /// The device id (trimmed, 1..=100 characters).
    pub device_id: String,
    /// The device's label.
    pub label: String,
    /// SHA-256 of the device secret presented, if any.
    pub presented_secret: Option<[u8; 32]>,
    /// SHA-256 of the bearer token presented, if any.
    pub presented_token: Option<[u8; 32]>,
    /// The id a new participant gets.
    pub new_participant: String,
    /// SHA-256 of the secret given if this enrollment makes or claims one.
    pub new_secret_hash: [u8; 32],
    /// SHA-256 of the token this enrollment issues.
    pub token_hash: [u8; 32],
    /// Unix milliseconds.
    pub now: i64,
}

/// What an enrollment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Enrolled {
    /// A token was issued (and the device's earlier tokens revoked).
    Yes {
        /// The participant it acts for.
        participant: String,
        /// True when the attempt's new secret was stored (give it to the device).
        secret_issued: bool,
    },
    /// Refused; nothing was written.
    Refused,
}

/// One verified chunk of an attachment upload.
#[derive(Debug, Clone)]
pub struct ChunkUpload {
    /// The uploader.
    pub participant: String,
    /// The attachment's SHA-256 (hex).
    pub sha: String,
    /// The whole file's size in bytes.
    pub size: u64,
    /// The chunk's index.
    pub idx: u32,
    /// The chunk's bytes (checked against their hash already).
    pub data: Vec<u8>,
    /// The quotas a new attachment is reserved against.
    pub quota: DocumentQuota,
    /// Unix milliseconds.
    pub now: i64,
}

/// What became of a chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChunkStored {
    /// Stored (or stored again).
    Stored,
    /// The attachment is complete already; nothing was written.
    AlreadyComplete,
    /// The attachment is held with another size.
    SizeMismatch,
    /// A new attachment would pass the participant's quota.
    OverParticipantQuota,
    /// A new attachment would pass the server's documents quota.
    OverServerQuota,
}

/// What completing an attachment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Completion {
    /// No such attachment for this participant.
    NotFound,
    /// Chunks are missing.
    Incomplete,
    /// The assembled bytes are not the ones named; every chunk was dropped.
    HashMismatch,
    /// Complete (now or before).
    Complete(AttachmentStatus),
}

/// A registration found by KPJ, for an officer's decision.
#[derive(Debug, Clone)]
pub struct KpjRegistration {
    /// Its participant.
    pub participant: String,
    /// The terms that move protection windows (no JHT amount, no destination).
    pub terms: RegistrationTerms,
    /// Day of the registration decision.
    pub registered_on: NaiveDate,
    /// Still accepted (an officer has not rejected it).
    pub accepted: bool,
}

/// A submission as an officer's decision sees it.
#[derive(Debug, Clone)]
pub struct SubmissionState {
    /// Its participant.
    pub participant: String,
    /// Its form.
    pub form_id: String,
    /// `accepted`, `rejected` or `officer_rejected`.
    pub status: String,
}

/// An officer's decision on a submission.
#[derive(Debug, Clone)]
pub struct SubmissionDecision {
    /// The event for the participant's feed.
    pub event: EventKind,
    /// Mark the submission `officer_rejected`.
    pub reject: bool,
}

/// A link attempt ("I am already registered") to store, with everything
/// generated up front so the backend only checks and writes.
#[derive(Debug, Clone)]
pub struct LinkStart {
    /// The attempt's id (answered to the device).
    pub id: String,
    /// The device asking.
    pub participant: String,
    /// The person it names.
    pub claim: Claim,
    /// The birth date it gives.
    pub birth_date: NaiveDate,
    /// How the code should reach the worker.
    pub channel: Channel,
    /// The id of the e-mailed code's row (its hash's salt).
    pub code_id: String,
    /// The e-mailed code's hash (stored only when a code is mailed).
    pub code_hash: [u8; 32],
    /// Unix milliseconds.
    pub now: i64,
}

/// A code typed on the device for one of its link attempts.
#[derive(Debug, Clone)]
pub struct LinkConfirm {
    /// The attempt.
    pub id: String,
    /// The device confirming (an attempt is only its starter's).
    pub participant: String,
    /// What was typed.
    pub code: String,
    /// Unix milliseconds.
    pub now: i64,
    /// Now as RFC 3339 (the time of the events a link appends).
    pub at: String,
}

/// An officer's code for a person, after checking their passport.
#[derive(Debug, Clone)]
pub struct OfficerLinkCode {
    /// The person (by NIK or KPJ).
    pub claim: Claim,
    /// The code row's id.
    pub code_id: String,
    /// The code's hash.
    pub code_hash: [u8; 32],
    /// Unix milliseconds.
    pub now: i64,
}

/// Why an import wrote nothing.
#[derive(Debug)]
pub enum ImportRefused {
    /// Rows that conflict with the people stored (or with earlier rows).
    Rows(Vec<RowError>),
    /// The database failed.
    Db(Error),
}

impl From<Error> for ImportRefused {
    fn from(e: Error) -> Self {
        ImportRefused::Db(e)
    }
}

/// One page of the officers' submission list.
#[derive(Debug, Clone)]
pub struct SubmissionPage {
    /// Oldest first.
    pub submissions: Vec<SubmissionSummary>,
    /// Position of the last row given (the next page's cursor).
    pub last: i64,
    /// More rows follow.
    pub has_more: bool,
}

/// Whether the database can serve this code's requests ([`Storage::ready`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    /// Reachable, at the schema version this code writes.
    Ready,
    /// Reachable, but at another schema version: a newer server migrated a
    /// shared database, or someone changed it by hand.
    SchemaMismatch {
        /// The version the database holds.
        found: u32,
        /// The version this code writes.
        expected: u32,
    },
}

/// A connection pool's state at one moment (PostgreSQL's; SQLite has one
/// connection behind a mutex, which is no pool).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Most connections the pool opens.
    pub max_size: usize,
    /// Connections open now.
    pub size: usize,
    /// Open connections idle now.
    pub available: usize,
    /// Requests waiting for a connection.
    pub waiting: usize,
}

/// Longest a readiness check waits for the database: a probe that hangs is
/// worse than one that says "not ready" (a pool checkout alone may wait 10 s).
pub const READY_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

impl Storage {
    /// Opens the data at `location`: the database (created and migrated when
    /// needed, encrypted with the key) and the document files. The key is a
    /// fresh one in memory, else the key file's (`key_file`, or `<db>.key`
    /// beside the database, `<files>.key` beside PostgreSQL's documents folder;
    /// made when missing and there is no data yet). Async: SQLite's blocking
    /// open runs on the blocking pool.
    pub async fn connect(location: &DbLocation, key_file: Option<&Path>) -> Result<Storage> {
        let (location, key_file) = (location.clone(), key_file.map(Path::to_path_buf));
        // A bucket has no folder to see whether it is new; its listing says,
        // and reaches it once before the server answers anything.
        let bucket_empty = match &location {
            DbLocation::Postgres {
                files: Documents::Bucket(bucket),
                ..
            } => Some(Objects::bucket(bucket)?.is_empty().await?),
            DbLocation::FileAndBucket { bucket, .. } => {
                Objects::bucket(bucket)?.is_empty().await?;
                None
            }
            _ => None,
        };
        let key = {
            let location = location.clone();
            tokio::task::spawn_blocking(move || {
                data_key(&location, key_file.as_deref(), bucket_empty)
            })
            .await
            .map_err(|e| Error::Runtime(e.to_string()))??
        };
        match &location {
            DbLocation::Postgres { url, .. } => {
                let db = PgDb::connect(url).await?;
                let files = FileStore::for_db(&location, &key)?;
                Ok(Storage {
                    db: Database::Postgres(Arc::new(db)),
                    files: Arc::new(files),
                })
            }
            _ => tokio::task::spawn_blocking(move || Storage::open_with_key(&location, &key))
                .await
                .map_err(|e| Error::Runtime(e.to_string()))?,
        }
    }

    /// [`Storage::connect`] for SQLite, from blocking code (benchmarks, the
    /// fuzzing harness). A PostgreSQL location is refused: it needs
    /// [`Storage::connect`].
    pub fn open(location: &DbLocation, key_file: Option<&Path>) -> Result<Storage> {
        // Refused before a key file is made for it.
        sqlite_only(location)?;
        let key = data_key(location, key_file, None)?;
        Storage::open_with_key(location, &key)
    }

    /// Opens the SQLite data at `location` with `key` (blocking).
    pub fn open_with_key(location: &DbLocation, key: &DataKey) -> Result<Storage> {
        sqlite_only(location)?;
        Ok(Storage {
            db: Database::Sqlite(Arc::new(SqliteDb::open(location, key)?)),
            files: Arc::new(FileStore::for_db(location, key)?),
        })
    }

    /// Runs blocking SQLite work on tokio's blocking pool.
    async fn sqlite<T, F>(&self, db: &Arc<SqliteDb>, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&SqliteDb, &FileStore) -> Result<T> + Send + 'static,
    {
        let (db, files) = (Arc::clone(db), Arc::clone(&self.files));
        tokio::task::spawn_blocking(move || f(&db, &files))
            .await
            .map_err(|e| Error::Runtime(e.to_string()))?
    }

    /// Asks the database for its schema version (one trivial query) and
    /// compares it with this code's. An unreachable database, or one that does
    /// not answer within [`READY_WAIT`], is [`Error::Unavailable`].
    pub async fn ready(&self) -> Result<Readiness> {
        let found = async {
            let versions: Result<(u32, u32)> = match &self.db {
                Database::Sqlite(db) => {
                    let found = self
                        .sqlite(db, |db, _| db.read(sqlite::schema::current))
                        .await?;
                    Ok((found, sqlite::schema::VERSION))
                }
                Database::Postgres(db) => {
                    let found = db.schema_version().await?;
                    let expected = postgres::schema::VERSION;
                    // Never negative: the ladder starts at 0.
                    let as_u32 = |v: i32| u32::try_from(v).unwrap_or(0);
                    Ok((as_u32(found), as_u32(expected)))
                }
            };
            versions
        };
        let (found, expected) = tokio::time::timeout(READY_WAIT, found)
            .await
            .map_err(|_| Error::Unavailable("the database did not answer in time".into()))??;
        Ok(if found == expected {
            Readiness::Ready
        } else {
            Readiness::SchemaMismatch { found, expected }
        })
    }

    /// The connection pool now; `None` for SQLite, which has no pool.
    pub fn pool_status(&self) -> Option<PoolStatus> {
        match &self.db {
            Database::Sqlite(_) => None,
            Database::Postgres(db) => Some(db.pool_status()),
        }
    }

    /// Records schema `version` without migrating, so readiness sees a
    /// database another server changed.
    #[cfg(test)]
    pub(crate) async fn set_schema_version_for_tests(&self, version: u32) -> Result<()> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.read(|c| sqlite::schema::set_version_for_tests(c, version))
                })
                .await
            }
            Database::Postgres(db) => {
                db.execute_for_tests(&format!("UPDATE schema_version SET version = {version}"))
                    .await
            }
        }
    }

    /// The participant of a live (not revoked) token; `None` for an unknown or
    /// revoked one. Records the token's last use (coarsely: not every read is a write).
    pub async fn authenticate(&self, token_hash: [u8; 32], now: i64) -> Result<Option<String>> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    sqlite::devices::token_participant(db, token_hash, now)
                })
                .await
            }
            Database::Postgres(db) => {
                postgres::devices::token_participant(db, token_hash, now).await
            }
        }
    }

    /// Enrolls a device in one transaction: finds it, decides with
    /// [`crate::decisions::devices::admit`], makes the participant and secret
    /// when allowed, revokes the device's earlier tokens and stores the new one.
    pub async fn enroll(&self, attempt: EnrollAttempt) -> Result<Enrolled> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| sqlite::devices::enroll(db, &attempt))
                    .await
            }
            Database::Postgres(db) => postgres::devices::enroll(db, &attempt).await,
        }
    }

    /// Stores a batch exactly once and returns one answer per item, in order, in
    /// one transaction: a new id is stored with its prepared decision (and, for
    /// a registration, unique KPJ and payment numbers and its event); an id
    /// answered before gets [`crate::decisions::ingest::replay`]'s answer.
    /// Two identical batches racing each other get identical answers.
    pub async fn store_batch(
        &self,
        participant: String,
        items: Vec<SubmissionItem>,
        prepared: Vec<Prepared>,
        clock: Clock,
    ) -> Result<Vec<ItemResult>> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.write(|tx| {
                        sqlite::submissions::store_batch(tx, &participant, &items, prepared, &clock)
                    })
                })
                .await
            }
            Database::Postgres(db) => {
                postgres::submissions::store_batch(db, &participant, &items, prepared, &clock).await
            }
        }
    }

    /// Imports people registered elsewhere, checked rows in file order, in one
    /// transaction: a new NIK becomes a person with its KPJ, a known one gets
    /// the row's membership window, a membership held already is left as it
    /// is (importing a file twice changes nothing). A row whose NIK holds
    /// another KPJ, whose KPJ holds another NIK, or whose window overlaps
    /// another of the person's refuses the whole file: nothing is written and
    /// every such row is returned.
    pub async fn import_persons(
        &self,
        rows: Vec<ImportRow>,
        lang: Lang,
        now: i64,
    ) -> Result<std::result::Result<ImportReport, Vec<RowError>>> {
        let out = match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    Ok(db.write(|tx| sqlite::persons::import(tx, &rows, lang, now)))
                })
                .await?
            }
            Database::Postgres(db) => postgres::persons::import(db, &rows, lang, now).await,
        };
        match out {
            Ok(done) => Ok(Ok(done)),
            Err(ImportRefused::Rows(rows)) => Ok(Err(rows)),
            Err(ImportRefused::Db(e)) => Err(e),
        }
    }

    /// Stores a link attempt in one transaction: binds it to the person the
    /// claim names when the birth date matches and the person's hourly limit
    /// allows ([`crate::decisions::link::bind`]), else to no one. Returns the
    /// address to e-mail the code to (the one on file for the person) when it
    /// was bound, the channel is e-mail and there is one; the code's hash is
    /// then stored with the attempt.
    pub async fn link_start(&self, start: LinkStart) -> Result<Option<String>> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.write(|tx| sqlite::link::start(tx, &start))
                })
                .await
            }
            Database::Postgres(db) => postgres::link::start(db, &start).await,
        }
    }

    /// Stores an officer's code for the person the claim names (good for
    /// [`crate::decisions::link::CODE_TTL_MS`], any officer-channel attempt of
    /// that person may use it); `false` when no one is named.
    pub async fn officer_link_code(&self, code: OfficerLinkCode) -> Result<bool> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.write(|tx| sqlite::link::officer_code(tx, &code))
                })
                .await
            }
            Database::Postgres(db) => postgres::link::officer_code(db, &code).await,
        }
    }

    /// Confirms a link attempt of `participant` with a code, in one
    /// transaction ([`crate::decisions::link::confirm`]): a good code links the
    /// device to the person, marks the code and the attempt used, and appends
    /// the person's history to the device's feed (what their other devices
    /// received about them, and each membership imported from elsewhere). A
    /// wrong code only counts against the attempt; any other refusal writes
    /// nothing.
    pub async fn link_confirm(&self, confirm: LinkConfirm) -> Result<Confirmation> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.write(|tx| sqlite::link::confirm(tx, &confirm))
                })
                .await
            }
            Database::Postgres(db) => postgres::link::confirm(db, &confirm).await,
        }
    }

    /// Up to `limit` events of `participant` after the cursor `after`, oldest
    /// first, and whether more are waiting. See the module docs for what a
    /// backend must promise about transactions that commit late.
    pub async fn changes(
        &self,
        participant: String,
        after: i64,
        limit: usize,
    ) -> Result<(Vec<Event>, bool)> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.read(|c| sqlite::events::since(c, &participant, after, limit))
                })
                .await
            }
            Database::Postgres(db) => postgres::events::since(db, &participant, after, limit).await,
        }
    }

    /// What the participant's upload of `sha` holds, if anything.
    pub async fn attachment_status(
        &self,
        participant: String,
        sha: String,
    ) -> Result<Option<AttachmentStatus>> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.read(|c| sqlite::attachments::status(c, &participant, &sha))
                })
                .await
            }
            Database::Postgres(db) => {
                postgres::attachments::status_of(db, &participant, &sha).await
            }
        }
    }

    /// Stores one verified chunk: finds or reserves the attachment (the quota
    /// check and the reservation are one step), writes the bytes, then records
    /// the chunk (a recorded chunk always has its bytes). Uploads of one file
    /// are serialised.
    pub async fn put_chunk(&self, chunk: ChunkUpload) -> Result<ChunkStored> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, files| {
                    sqlite::attachments::put_chunk(db, files, &chunk)
                })
                .await
            }
            Database::Postgres(db) => {
                postgres::attachments::put_chunk(db, &self.files, chunk).await
            }
        }
    }

    /// Joins an attachment's chunks and checks the whole hash: complete when it
    /// matches, every chunk dropped when it does not.
    pub async fn complete_attachment(
        &self,
        participant: String,
        sha: String,
        now: i64,
    ) -> Result<Completion> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, files| {
                    sqlite::attachments::complete(db, files, &participant, &sha, now)
                })
                .await
            }
            Database::Postgres(db) => {
                postgres::attachments::complete(db, &self.files, &participant, &sha, now).await
            }
        }
    }

    /// An officer's decision about the registration of `kpj`: `decide` sees it
    /// (or `None`) and returns the event to append at `at`, or its refusal; one
    /// transaction, so the registration cannot change in between.
    pub async fn event_for_kpj<E, F>(
        &self,
        kpj: String,
        at: String,
        decide: F,
    ) -> Result<Result<Event, E>>
    where
        E: Send + 'static,
        F: FnOnce(Option<KpjRegistration>) -> Result<EventKind, E> + Send + 'static,
    {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.write(|tx| sqlite::officer::event_for_kpj(tx, &kpj, at, decide))
                })
                .await
            }
            Database::Postgres(db) => postgres::officer::event_for_kpj(db, &kpj, at, decide).await,
        }
    }

    /// An officer's decision about submission `id`: `decide` sees it (or
    /// `None`) and returns the event (and whether to mark the submission
    /// rejected), or its refusal; one transaction.
    pub async fn event_for_submission<E, F>(
        &self,
        id: String,
        at: String,
        decide: F,
    ) -> Result<Result<Event, E>>
    where
        E: Send + 'static,
        F: FnOnce(Option<SubmissionState>) -> Result<SubmissionDecision, E> + Send + 'static,
    {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.write(|tx| sqlite::officer::event_for_submission(tx, &id, at, decide))
                })
                .await
            }
            Database::Postgres(db) => {
                postgres::officer::event_for_submission(db, &id, at, decide).await
            }
        }
    }

    /// One page of submissions (optionally of one form) after position `after`,
    /// oldest first; rows received while an officer pages are neither given
    /// twice nor skipped.
    pub async fn list_submissions(
        &self,
        form_id: Option<String>,
        after: i64,
        limit: usize,
    ) -> Result<SubmissionPage> {
        match &self.db {
            Database::Sqlite(db) => {
                self.sqlite(db, move |db, _| {
                    db.read(|c| sqlite::officer::list(c, form_id.as_deref(), after, limit))
                })
                .await
            }
            Database::Postgres(db) => {
                postgres::officer::list(db, form_id.as_deref(), after, limit).await
            }
        }
    }
}

/// The data key for `db`: a fresh one in memory, else the key file's (made when
/// missing and there is no data yet: no database file, or an empty documents
/// folder or bucket (`bucket_empty`) for PostgreSQL, whose rows hold nothing
/// sealed). A bucket has no "beside": PostgreSQL with one needs `key_file`.
fn data_key(
    db: &DbLocation,
    key_file: Option<&Path>,
    bucket_empty: Option<bool>,
) -> Result<DataKey> {
    let (beside, fresh) = match db {
        DbLocation::Memory => return Ok(DataKey::generate()),
        DbLocation::File(path) | DbLocation::FileAndBucket { path, .. } => {
            (path.clone(), !sqlite::has_data(path)?)
        }
        DbLocation::Postgres {
            files: Documents::Folder(files),
            ..
        } => (files.clone(), folder_is_empty(files)?),
        DbLocation::Postgres {
            files: Documents::Bucket(_),
            ..
        } => {
            let key_file = key_file.ok_or_else(|| {
                Error::KeyFile(
                    "--key-file is required with PostgreSQL and documents in a bucket".into(),
                )
            })?;
            (key_file.to_path_buf(), bucket_empty.unwrap_or(false))
        }
    };
    if let Some(parent) = beside.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            files::create_private_dir(parent)?;
        }
    }
    let key_path = key_file
        .map(Path::to_path_buf)
        .unwrap_or_else(|| key::default_key_path(&beside));
    key::load_or_create(&key_path, fresh)
}

/// Refuses a PostgreSQL location where only SQLite can be opened (blocking code).
fn sqlite_only(location: &DbLocation) -> Result<()> {
    match location {
        DbLocation::Postgres { .. } => Err(Error::Runtime(
            "a PostgreSQL database is opened with Storage::connect".into(),
        )),
        DbLocation::Memory | DbLocation::File(_) | DbLocation::FileAndBucket { .. } => Ok(()),
    }
}

/// True when `dir` is missing or holds nothing.
fn folder_is_empty(dir: &Path) -> Result<bool> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => Ok(entries.next().is_none()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(true),
        Err(e) => Err(e.into()),
    }
}
