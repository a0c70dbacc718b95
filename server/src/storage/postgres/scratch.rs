//! Throwaway databases for tests and the fuzz harness: one fresh database in a
//! cluster whose user may create databases. Kept here so that SQL and the
//! driver stay inside `storage/` (a test checks it).

use tokio_postgres::NoTls;

use crate::error::{Error, Result};

fn check_name(name: &str) -> Result<()> {
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(Error::Malformed(format!("not a database name: {name}")));
    }
    Ok(())
}

/// A connection to the cluster at `admin_url`, driven on its own task.
async fn admin(admin_url: &str) -> Result<tokio_postgres::Client> {
    let (client, conn) = tokio_postgres::connect(admin_url, NoTls)
        .await
        .map_err(|e| Error::Malformed(format!("cannot connect: {e}")))?;
    tokio::spawn(conn);
    Ok(client)
}

/// Drops database `name` from the cluster at `admin_url` (its connections are
/// ended first); a missing one is not an error. Benchmarks call it when done, so a
/// cluster that runs them again and again does not fill its disk.
#[doc(hidden)]
pub async fn drop_database(admin_url: &str, name: &str) -> Result<()> {
    check_name(name)?;
    admin(admin_url)
        .await?
        .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await
        .map_err(|e| Error::Malformed(format!("cannot drop {name}: {e}")))
}

/// Creates database `name` (letters, digits and `_` only) in the cluster at
/// `admin_url` and returns the URL naming it instead of the admin's database.
#[doc(hidden)]
pub async fn create_database(admin_url: &str, name: &str) -> Result<String> {
    check_name(name)?;
    admin(admin_url)
        .await?
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .await
        .map_err(|e| Error::Malformed(format!("cannot create {name}: {e}")))?;
    let (base, query) = match admin_url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (admin_url, String::new()),
    };
    let (scheme, rest) = base
        .split_once("://")
        .ok_or_else(|| Error::Malformed("not a URL".into()))?;
    let authority = rest.split('/').next().unwrap_or_default();
    Ok(format!("{scheme}://{authority}/{name}{query}"))
}
