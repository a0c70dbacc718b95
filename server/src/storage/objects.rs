//! Where document bytes live, as an [`ObjectStore`]: a local folder (the
//! default: `<db>.files` beside a SQLite file, or the folder `--files` names)
//! or an S3-compatible bucket (`--files s3://BUCKET/PREFIX`). The sealing,
//! naming and assembly of documents are [`crate::storage::files`]'s; this file
//! only says which store and how to reach it.
//!
//! A bucket is reached with the standard AWS variables: `AWS_ACCESS_KEY_ID`,
//! `AWS_SECRET_ACCESS_KEY` (else the instance's role), `AWS_REGION` /
//! `AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` / `AWS_ENDPOINT` for a store that is
//! not AWS (MinIO, Garage, …; path-style requests). Plain `http://` endpoints
//! are refused unless they are loopback: documents are sealed, but the
//! credentials' signatures and the traffic's shape should not cross a network
//! in clear.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use std::time::Duration;

use object_store::aws::{AmazonS3Builder, AmazonS3ConfigKey};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::prefix::PrefixStore;
use object_store::ObjectStore;
use object_store::{BackoffConfig, ClientConfigKey, RetryConfig};

use crate::error::{Error, Result};

/// An `s3://BUCKET[/PREFIX]` URL: the bucket and the key prefix documents go under.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketUrl {
    bucket: String,
    prefix: String,
}

impl BucketUrl {
    /// True when `s` names a bucket rather than a folder.
    pub fn is_bucket_url(s: &str) -> bool {
        s.starts_with("s3://")
    }

    /// Parses `s3://BUCKET[/PREFIX]` (a bucket name of 3..=63 lowercase letters,
    /// digits, dots and hyphens; a prefix of path segments without `.`/`..`).
    pub fn parse(s: &str) -> Result<BucketUrl> {
        let rest = s
            .strip_prefix("s3://")
            .ok_or_else(|| Error::Objects(format!("not an s3:// URL: {s}")))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let bucket_ok = (3..=63).contains(&bucket.len())
            && bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-');
        if !bucket_ok {
            return Err(Error::Objects(format!("not a bucket name: {bucket:?}")));
        }
        let prefix = prefix.trim_matches('/');
        let prefix_ok = prefix.is_empty()
            || prefix.split('/').all(|seg| {
                !seg.is_empty()
                    && seg != "."
                    && seg != ".."
                    && seg
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            });
        if !prefix_ok {
            return Err(Error::Objects(format!("not a key prefix: {prefix:?}")));
        }
        Ok(BucketUrl {
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        })
    }
}

impl std::fmt::Display for BucketUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.prefix)
    }
}

/// Where a server's documents are, as configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Documents {
    /// A local folder (created 0700 when missing).
    Folder(PathBuf),
    /// An S3-compatible bucket.
    Bucket(BucketUrl),
}

impl Documents {
    /// `--files`: an `s3://` URL, else a folder.
    pub fn parse(s: &str) -> Result<Documents> {
        if BucketUrl::is_bucket_url(s) {
            BucketUrl::parse(s).map(Documents::Bucket)
        } else if s.is_empty() {
            Err(Error::Objects("no documents folder".into()))
        } else {
            Ok(Documents::Folder(PathBuf::from(s)))
        }
    }
}

/// An opened object store and, when it is a local folder, that folder (whose
/// files and sub-folders the file store keeps private).
#[derive(Debug, Clone)]
pub struct Objects {
    /// The store, keys relative to the documents' root.
    pub store: Arc<dyn ObjectStore>,
    /// The folder behind `store`, for a local one.
    pub folder: Option<PathBuf>,
}

impl Objects {
    /// A private store in memory (an in-memory server's).
    pub fn memory() -> Objects {
        Objects {
            store: Arc::new(InMemory::new()),
            folder: None,
        }
    }

    /// The folder `root` (created 0700 when missing, narrowed to 0700 when wider).
    pub fn folder(root: &Path) -> Result<Objects> {
        crate::storage::files::create_private_dir(root)?;
        #[cfg(unix)]
        {
            // A folder an older server made 0755 is narrowed too.
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o700))?;
        }
        Ok(Objects {
            // Synced as the server's own writes were; empty upload folders go.
            store: Arc::new(
                LocalFileSystem::new_with_prefix(root)?
                    .with_fsync(true)
                    .with_automatic_cleanup(true),
            ),
            folder: Some(root.to_path_buf()),
        })
    }

    /// The bucket `url`, configured from the process's AWS variables.
    pub fn bucket(url: &BucketUrl) -> Result<Objects> {
        Objects::bucket_with(url, AmazonS3Builder::from_env())
    }

    /// The bucket `url` configured from `vars` (`AWS_*` names and values, as in
    /// the environment) instead of the process's environment: for tests and
    /// tools that reach a bucket the server is given through its variables.
    pub fn bucket_with_vars<'a>(
        url: &BucketUrl,
        vars: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Objects> {
        let mut builder = AmazonS3Builder::new();
        for (name, value) in vars {
            let key = name
                .to_ascii_lowercase()
                .parse()
                .map_err(|_| Error::Objects(format!("not an S3 setting: {name}")))?;
            builder = builder.with_config(key, value);
        }
        Objects::bucket_with(url, builder)
    }

    /// The bucket `url` with the endpoint, region and credentials of `builder`.
    fn bucket_with(url: &BucketUrl, builder: AmazonS3Builder) -> Result<Objects> {
        // The S3 client's TLS (reqwest on rustls without a default provider) uses
        // ring, as the rest of the server does; a second install is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let endpoint = builder.get_config_value(&AmazonS3ConfigKey::Endpoint);
        let allow_http = match endpoint.as_deref() {
            Some(e) if e.starts_with("http://") => {
                if !is_loopback_url(e) {
                    return Err(Error::Objects(format!(
                        "the object storage endpoint must use https (got {e}); plain http is only for loopback"
                    )));
                }
                true
            }
            _ => false,
        };
        let mut builder = builder
            .with_bucket_name(&url.bucket)
            .with_allow_http(allow_http)
            // A device waits on every chunk: a few quick retries, then an error
            // it retries itself (the crate's default retries for 3 minutes).
            .with_retry(RetryConfig {
                backoff: BackoffConfig::default(),
                max_retries: 3,
                retry_timeout: Duration::from_secs(20),
            });
        for (key, default) in [
            (ClientConfigKey::ConnectTimeout, "5s"),
            (ClientConfigKey::Timeout, "30s"),
        ] {
            let key = AmazonS3ConfigKey::Client(key);
            if builder.get_config_value(&key).is_none() {
                builder = builder.with_config(key, default);
            }
        }
        if builder
            .get_config_value(&AmazonS3ConfigKey::Region)
            .is_none()
        {
            // S3-compatible servers mostly ignore the region, but it is signed.
            builder = builder.with_region("us-east-1");
        }
        let s3 = builder.build()?;
        let store: Arc<dyn ObjectStore> = if url.prefix.is_empty() {
            Arc::new(s3)
        } else {
            Arc::new(PrefixStore::new(s3, url.prefix.as_str()))
        };
        Ok(Objects {
            store,
            folder: None,
        })
    }

    /// Opens `documents`.
    pub fn open(documents: &Documents) -> Result<Objects> {
        match documents {
            Documents::Folder(root) => Objects::folder(root),
            Documents::Bucket(url) => Objects::bucket(url),
        }
    }

    /// True when the store holds no object (a new server's: its key may be made).
    pub async fn is_empty(&self) -> Result<bool> {
        use futures_util::StreamExt;
        Ok(self.store.list(None).next().await.transpose()?.is_none())
    }
}

/// True for `http://HOST[:PORT]/…` whose host is `localhost` or a loopback IP.
fn is_loopback_url(url: &str) -> bool {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let authority = rest.split(['/', '?']).next().unwrap_or("");
    let host = match authority.strip_prefix('[') {
        // [::1]:port
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority.rsplit_once(':').map_or(authority, |(h, _)| h),
    };
    host == "localhost" || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;
    use object_store::ObjectStoreExt;

    #[test]
    fn bucket_urls_and_folders_are_told_apart() {
        assert_eq!(
            Documents::parse("/srv/docs").unwrap(),
            Documents::Folder("/srv/docs".into())
        );
        let Documents::Bucket(url) = Documents::parse("s3://rantau-docs/prod/v1/").unwrap() else {
            panic!("not a bucket");
        };
        assert_eq!(
            (url.bucket.as_str(), url.prefix.as_str()),
            ("rantau-docs", "prod/v1")
        );
        assert_eq!(url.to_string(), "s3://rantau-docs/prod/v1");
        assert_eq!(BucketUrl::parse("s3://docs").unwrap().prefix, "");
        for bad in [
            "s3://",
            "s3://A_B",
            "s3://docs/../x",
            "s3://docs/a//b",
            "http://x",
        ] {
            assert_eq!(
                BucketUrl::parse(bad).unwrap_err().code(),
                "server.objects",
                "{bad}"
            );
        }
    }

    #[test]
    fn plain_http_is_for_loopback_endpoints_only() {
        assert!(is_loopback_url("http://127.0.0.1:9000"));
        assert!(is_loopback_url("http://localhost:9000/"));
        assert!(is_loopback_url("http://[::1]:9000"));
        assert!(!is_loopback_url("http://10.0.0.5:9000"));
        assert!(!is_loopback_url("http://127.0.0.1.example.com"));
        let url = BucketUrl::parse("s3://docs/p").unwrap();
        let remote = AmazonS3Builder::new().with_endpoint("http://minio.internal:9000");
        let err = Objects::bucket_with(&url, remote).unwrap_err();
        assert_eq!(err.code(), "server.objects");
        assert!(err.to_string().contains("https"), "{err}");
        let local = AmazonS3Builder::new()
            .with_endpoint("http://127.0.0.1:9000")
            .with_access_key_id("k")
            .with_secret_access_key("s");
        assert!(Objects::bucket_with(&url, local).is_ok());
    }

    #[tokio::test]
    async fn an_unreachable_bucket_fails_soon_with_its_code() {
        // A port nothing listens on: refused at once, retried briefly, then an error.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let endpoint = format!("http://127.0.0.1:{port}");
        let url = BucketUrl::parse("s3://docs/p").unwrap();
        let objects = Objects::bucket_with_vars(
            &url,
            [
                ("AWS_ENDPOINT_URL", endpoint.as_str()),
                ("AWS_ACCESS_KEY_ID", "k"),
                ("AWS_SECRET_ACCESS_KEY", "s"),
            ],
        )
        .unwrap();
        let started = std::time::Instant::now();
        let err = objects.is_empty().await.unwrap_err();
        assert_eq!(err.code(), "server.objects");
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{:?}",
            started.elapsed()
        );
        assert!(
            Objects::bucket_with_vars(&url, [("AWS_NOT_A_SETTING", "x")]).is_err(),
            "an unknown setting is refused"
        );
    }

    #[tokio::test]
    async fn a_new_store_is_empty_until_something_is_put() {
        let dir = tempfile::tempdir().unwrap();
        for objects in [
            Objects::memory(),
            Objects::folder(&dir.path().join("f")).unwrap(),
        ] {
            assert!(objects.is_empty().await.unwrap());
            objects
                .store
                .put(&"p/x".into(), b"sealed".to_vec().into())
                .await
                .unwrap();
            assert!(!objects.is_empty().await.unwrap());
        }
    }
}
