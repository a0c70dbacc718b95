//! The transport rule of the v1 contract, shared by the app and the officer's client:
//! personal data and tokens travel over HTTPS, plain http only to this machine.

/// True when `host` (as in a URL, IPv6 in brackets or not) is loopback: `localhost`,
/// 127.0.0.0/8 or `::1`. Only such a host may be reached over plain http.
pub fn is_loopback_host(host: &str) -> bool {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.eq_ignore_ascii_case("localhost")
        || bare
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_machine_is_loopback() {
        for host in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.8.9.10",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "example.org",
            "10.0.0.1",
            "192.168.1.1",
            "[::2]",
            "localhost.evil",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
