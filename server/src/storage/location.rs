//! Where the server keeps its data, as given on the command line: SQLite (the
//! default: a path or a `sqlite:` URL, or memory) or PostgreSQL (a
//! `postgres://` URL), and where the document bytes go: beside a SQLite file,
//! or the folder or `s3://` bucket `--files` names ([`Documents`]).

use std::path::PathBuf;

use crate::error::{Error, Result};
use crate::storage::objects::{BucketUrl, Documents};

/// Where the server keeps its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbLocation {
    /// A private in-memory database (tests, benchmarks); gone when the server stops.
    Memory,
    /// A SQLite file, created if missing; documents in the folder beside it.
    File(PathBuf),
    /// A SQLite file, created if missing; documents in an S3-compatible bucket.
    FileAndBucket {
        /// The database file.
        path: PathBuf,
        /// Where the documents are.
        bucket: BucketUrl,
    },
    /// A PostgreSQL database (created beforehand, migrated on start); the
    /// document bytes live in `files`.
    Postgres {
        /// The connection URL.
        url: PgUrl,
        /// The documents' folder (created 0700 when missing) or bucket.
        files: Documents,
    },
}

/// A PostgreSQL connection URL (`postgres://` or `postgresql://`). Its `Debug`
/// hides the password, as the server configuration is logged.
#[derive(Clone, PartialEq, Eq)]
pub struct PgUrl(String);

impl PgUrl {
    /// Checks the scheme; the driver checks the rest when connecting.
    pub fn parse(url: &str) -> Result<PgUrl> {
        if is_postgres_url(url) {
            Ok(PgUrl(url.to_string()))
        } else {
            Err(Error::Malformed(
                "a PostgreSQL URL starts with postgres:// or postgresql://".into(),
            ))
        }
    }

    /// The URL as given (with its password, if any: do not log it).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redacted(&self.0))
    }
}

fn is_postgres_url(s: &str) -> bool {
    s.starts_with("postgres://") || s.starts_with("postgresql://")
}

/// The URL with the password of `user:password@` replaced by `***`.
fn redacted(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => match rest[..at].split_once(':') {
            Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
            None => url.to_string(),
        },
        None => url.to_string(),
    }
}

impl DbLocation {
    /// The location `--database` names: a `postgres://` URL (then `files` is
    /// required: the folder or `s3://` bucket for document bytes), a `sqlite:`
    /// URL or a plain path (a SQLite file, documents beside it or in the
    /// bucket `files` names; `sqlite::memory:` is memory).
    pub fn parse(database: &str, files: Option<&str>) -> Result<DbLocation> {
        let files = files.map(Documents::parse).transpose()?;
        if is_postgres_url(database) {
            let files = files.ok_or_else(|| {
                Error::Malformed(
                    "--files DIR or s3://BUCKET/PREFIX is required with a PostgreSQL database"
                        .into(),
                )
            })?;
            return Ok(DbLocation::Postgres {
                url: PgUrl::parse(database)?,
                files,
            });
        }
        let path = database
            .strip_prefix("sqlite://")
            .unwrap_or(database.strip_prefix("sqlite:").unwrap_or(database));
        match (path, files) {
            ("", _) => Err(Error::Malformed("no database path".into())),
            (":memory:", None) => Ok(DbLocation::Memory),
            (path, None) => Ok(DbLocation::File(PathBuf::from(path))),
            (":memory:", Some(_)) | (_, Some(Documents::Folder(_))) => Err(Error::Malformed(
                "a SQLite database keeps documents beside its file; --files with SQLite takes only an s3:// bucket"
                    .into(),
            )),
            (path, Some(Documents::Bucket(bucket))) => Ok(DbLocation::FileAndBucket {
                path: PathBuf::from(path),
                bucket,
            }),
        }
    }

    /// The SQLite file, for a SQLite location on disk.
    pub fn sqlite_file(&self) -> Option<&std::path::Path> {
        match self {
            DbLocation::File(path) | DbLocation::FileAndBucket { path, .. } => Some(path),
            DbLocation::Memory | DbLocation::Postgres { .. } => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_and_paths_select_the_backend() {
        assert_eq!(
            DbLocation::parse("data/server.db", None).unwrap(),
            DbLocation::File("data/server.db".into())
        );
        assert_eq!(
            DbLocation::parse("sqlite:/var/rantau.db", None).unwrap(),
            DbLocation::File("/var/rantau.db".into())
        );
        assert_eq!(
            DbLocation::parse("sqlite::memory:", None).unwrap(),
            DbLocation::Memory
        );
        let pg = DbLocation::parse("postgres://u:secret@127.0.0.1:5432/r", Some("f"));
        assert!(matches!(
            pg,
            Ok(DbLocation::Postgres {
                files: Documents::Folder(_),
                ..
            })
        ));
        let pg = DbLocation::parse("postgres://127.0.0.1/r", Some("s3://docs/rantau"));
        assert!(matches!(
            pg,
            Ok(DbLocation::Postgres {
                files: Documents::Bucket(_),
                ..
            })
        ));
        assert!(DbLocation::parse("postgres://127.0.0.1/r", None).is_err());
        assert!(DbLocation::parse("x.db", Some("f")).is_err());
        assert!(DbLocation::parse("sqlite::memory:", Some("s3://docs")).is_err());
        let with_bucket = DbLocation::parse("x.db", Some("s3://docs/p")).unwrap();
        assert_eq!(
            with_bucket.sqlite_file(),
            Some(std::path::Path::new("x.db"))
        );
        assert!(matches!(with_bucket, DbLocation::FileAndBucket { .. }));
    }

    #[test]
    fn the_password_never_shows_in_debug() {
        let url =
            PgUrl::parse("postgresql://rantau:s3cret@db:5432/rantau?sslmode=disable").unwrap();
        let shown = format!("{url:?}");
        assert!(!shown.contains("s3cret"), "{shown}");
        assert_eq!(
            shown,
            "postgresql://rantau:***@db:5432/rantau?sslmode=disable"
        );
        assert_eq!(
            format!("{:?}", PgUrl::parse("postgres://db/r").unwrap()),
            "postgres://db/r"
        );
    }
}
