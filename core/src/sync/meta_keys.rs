//! The keys under which the sync engine keeps its own state in the store's meta
//! table (device, token, cursor). The app reads [`META_LAST_PULL`] to show the
//! age of cached data.

/// Meta key: the device id (UUID), generated once.
pub const META_DEVICE_ID: &str = "sync.device_id";
/// Meta key: the bearer token; empty or absent means "enroll first".
pub const META_TOKEN: &str = "sync.token";
/// Meta key: the device secret the server gave at first enrollment; re-enrollment
/// needs it. Kept only here, in the profile's encrypted store, never logged.
pub const META_DEVICE_SECRET: &str = "sync.device_secret";
/// Meta key: the participant id given at enrollment.
pub const META_PARTICIPANT: &str = "sync.participant_id";
/// Meta key: the change-feed cursor.
pub const META_CURSOR: &str = "sync.cursor";
/// Meta key: when the last complete pull ended (unix ms).
pub const META_LAST_PULL: &str = "sync.last_pull_at";
