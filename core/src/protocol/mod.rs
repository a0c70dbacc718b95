//! The v1 contract between the app and the agency's server: the JSON wire types
//! ([`wire`]), the records kept in the local cache ([`cached`]) and the transport
//! rule ([`transport`]: https, plain http to loopback only). Serde only, so
//! the server shares it without the client's store or sync engine.

pub mod cached;
pub mod transport;
pub mod wire;
