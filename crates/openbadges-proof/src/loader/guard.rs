//! The address guard: which IP addresses the HTTP loader refuses to connect to.
//!
//! One table, [`refused_range`], documented row by row in docs/verification.md ("Refused
//! addresses"). IPv6 forms that carry an IPv4 address (IPv4-mapped, 6to4, NAT64 with the
//! well-known prefix) are judged by the address they carry; IPv6 outside the global unicast
//! block `2000::/3` is refused whole, so a spelling nobody thought of is refused too.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The refused range an address falls in (as written in the "Refused addresses" table of
/// docs/verification.md), or `None` for a public address.
///
/// ```
/// use openbadges_proof::loader::refused_range;
/// assert_eq!(refused_range("169.254.169.254".parse()?), Some("169.254.0.0/16"));
/// assert_eq!(refused_range("::ffff:127.0.0.1".parse()?), Some("::ffff:0:0/96 → 127.0.0.0/8"));
/// assert_eq!(refused_range("2002:7f00:1::".parse()?), Some("2002::/16 → 127.0.0.0/8"));
/// assert_eq!(refused_range("93.184.216.34".parse()?), None);
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
pub fn refused_range(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => refused_v4(v4),
        IpAddr::V6(v6) => refused_v6(v6),
    }
}

fn refused_v4(ip: Ipv4Addr) -> Option<&'static str> {
    let [a, b, c, _] = ip.octets();
    Some(match (a, b, c) {
        (0, _, _) => "0.0.0.0/8",
        (10, _, _) => "10.0.0.0/8",
        (100, 64..=127, _) => "100.64.0.0/10",
        (127, _, _) => "127.0.0.0/8",
        (169, 254, _) => "169.254.0.0/16",
        (172, 16..=31, _) => "172.16.0.0/12",
        (192, 0, 0) => "192.0.0.0/24",
        (192, 0, 2) => "192.0.2.0/24",
        (192, 88, 99) => "192.88.99.0/24",
        (192, 168, _) => "192.168.0.0/16",
        (198, 18..=19, _) => "198.18.0.0/15",
        (198, 51, 100) => "198.51.100.0/24",
        (203, 0, 113) => "203.0.113.0/24",
        (224..=239, _, _) => "224.0.0.0/4",
        _ if ip.is_broadcast() => "255.255.255.255/32",
        (240..=255, _, _) => "240.0.0.0/4",
        _ => return None,
    })
}

/// Prefixes a refused IPv4 row with the IPv6 form that carried it.
macro_rules! carried {
    ($outer:literal, $v4:expr) => {
        refused_v4($v4).map(|inner| match inner {
            "0.0.0.0/8" => concat!($outer, " → 0.0.0.0/8"),
            "10.0.0.0/8" => concat!($outer, " → 10.0.0.0/8"),
            "100.64.0.0/10" => concat!($outer, " → 100.64.0.0/10"),
            "127.0.0.0/8" => concat!($outer, " → 127.0.0.0/8"),
            "169.254.0.0/16" => concat!($outer, " → 169.254.0.0/16"),
            "172.16.0.0/12" => concat!($outer, " → 172.16.0.0/12"),
            "192.0.0.0/24" => concat!($outer, " → 192.0.0.0/24"),
            "192.0.2.0/24" => concat!($outer, " → 192.0.2.0/24"),
            "192.88.99.0/24" => concat!($outer, " → 192.88.99.0/24"),
            "192.168.0.0/16" => concat!($outer, " → 192.168.0.0/16"),
            "198.18.0.0/15" => concat!($outer, " → 198.18.0.0/15"),
            "198.51.100.0/24" => concat!($outer, " → 198.51.100.0/24"),
            "203.0.113.0/24" => concat!($outer, " → 203.0.113.0/24"),
            "224.0.0.0/4" => concat!($outer, " → 224.0.0.0/4"),
            "240.0.0.0/4" => concat!($outer, " → 240.0.0.0/4"),
            "255.255.255.255/32" => concat!($outer, " → 255.255.255.255/32"),
            _ => $outer,
        })
    };
}

fn refused_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    let [s0, s1, s2, s3, s4, s5, s6, s7] = s;
    let v4 = |hi: u16, lo: u16| {
        let [a, b] = hi.to_be_bytes();
        let [c, d] = lo.to_be_bytes();
        Ipv4Addr::new(a, b, c, d)
    };
    if ip.is_unspecified() {
        return Some("::/128");
    }
    if ip.is_loopback() {
        return Some("::1/128");
    }
    if let Some(inner) = ip.to_ipv4_mapped() {
        return carried!("::ffff:0:0/96", inner);
    }
    if [s0, s1, s2, s3, s4, s5] == [0; 6] {
        return Some("::/96");
    }
    if [s0, s1, s2, s3, s4, s5] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return carried!("64:ff9b::/96", v4(s6, s7));
    }
    if [s0, s1, s2] == [0x64, 0xff9b, 1] {
        return Some("64:ff9b:1::/48");
    }
    if [s0, s1, s2, s3] == [0x100, 0, 0, 0] {
        return Some("100::/64");
    }
    if (s0 & 0xff00) == 0xff00 {
        return Some("ff00::/8");
    }
    if (s0 & 0xfe00) == 0xfc00 {
        return Some("fc00::/7");
    }
    if (s0 & 0xffc0) == 0xfe80 {
        return Some("fe80::/10");
    }
    if (s0 & 0xffc0) == 0xfec0 {
        return Some("fec0::/10");
    }
    if (s0 & 0xe000) != 0x2000 {
        return Some("outside 2000::/3");
    }
    if s0 == 0x2001 && s1 == 0 {
        return Some("2001::/32");
    }
    if s0 == 0x2001 && s1 < 0x200 {
        return Some("2001::/23");
    }
    if s0 == 0x2001 && s1 == 0xdb8 {
        return Some("2001:db8::/32");
    }
    if s0 == 0x2002 {
        return carried!("2002::/16", v4(s1, s2));
    }
    if s0 == 0x3fff && s1 < 0x1000 {
        return Some("3fff::/20");
    }
    None
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    fn range(ip: &str) -> Option<&'static str> {
        refused_range(ip.parse().unwrap())
    }

    /// One row of the "Refused addresses" table: the range it names, and addresses at its
    /// first, inside and last positions.
    fn row(expected: &str, samples: &[&str]) {
        for ip in samples {
            assert_eq!(range(ip), Some(expected), "{ip}");
        }
    }

    #[test]
    fn this_network_0_0_0_0_8_is_refused() {
        row("0.0.0.0/8", &["0.0.0.0", "0.1.2.3", "0.255.255.255"]);
    }

    #[test]
    fn private_10_8_is_refused() {
        row("10.0.0.0/8", &["10.0.0.0", "10.1.2.3", "10.255.255.255"]);
    }

    #[test]
    fn cgnat_100_64_10_is_refused() {
        row(
            "100.64.0.0/10",
            &["100.64.0.0", "100.100.100.200", "100.127.255.255"],
        );
        assert_eq!(range("100.63.255.255"), None);
        assert_eq!(range("100.128.0.0"), None);
    }

    #[test]
    fn loopback_127_8_is_refused() {
        row(
            "127.0.0.0/8",
            &["127.0.0.1", "127.1.2.3", "127.255.255.255"],
        );
    }

    #[test]
    fn link_local_and_cloud_metadata_169_254_16_are_refused() {
        row(
            "169.254.0.0/16",
            &["169.254.0.0", "169.254.169.254", "169.254.255.255"],
        );
    }

    #[test]
    fn private_172_16_12_is_refused() {
        row(
            "172.16.0.0/12",
            &["172.16.0.0", "172.20.1.1", "172.31.255.255"],
        );
        assert_eq!(range("172.15.255.255"), None);
        assert_eq!(range("172.32.0.0"), None);
    }

    #[test]
    fn ietf_protocol_assignments_192_0_0_24_are_refused() {
        row("192.0.0.0/24", &["192.0.0.0", "192.0.0.8", "192.0.0.255"]);
    }

    #[test]
    fn documentation_ranges_are_refused() {
        row("192.0.2.0/24", &["192.0.2.0", "192.0.2.255"]);
        row("198.51.100.0/24", &["198.51.100.0", "198.51.100.255"]);
        row("203.0.113.0/24", &["203.0.113.0", "203.0.113.255"]);
    }

    #[test]
    fn deprecated_6to4_relay_anycast_192_88_99_24_is_refused() {
        row(
            "192.88.99.0/24",
            &["192.88.99.0", "192.88.99.1", "192.88.99.255"],
        );
    }

    #[test]
    fn private_192_168_16_is_refused() {
        row(
            "192.168.0.0/16",
            &["192.168.0.0", "192.168.1.1", "192.168.255.255"],
        );
    }

    #[test]
    fn benchmarking_198_18_15_is_refused() {
        row("198.18.0.0/15", &["198.18.0.0", "198.19.255.255"]);
        assert_eq!(range("198.20.0.0"), None);
    }

    #[test]
    fn multicast_224_4_is_refused() {
        row(
            "224.0.0.0/4",
            &["224.0.0.0", "224.0.0.251", "239.255.255.255"],
        );
    }

    #[test]
    fn reserved_240_4_is_refused() {
        row(
            "240.0.0.0/4",
            &["240.0.0.0", "250.1.2.3", "255.255.255.254"],
        );
    }

    #[test]
    fn limited_broadcast_is_refused() {
        row("255.255.255.255/32", &["255.255.255.255"]);
    }

    #[test]
    fn ipv6_unspecified_and_loopback_are_refused() {
        row("::/128", &["::", "0:0:0:0:0:0:0:0"]);
        row("::1/128", &["::1", "0:0:0:0:0:0:0:1"]);
    }

    #[test]
    fn ipv4_mapped_forms_of_refused_ranges_are_refused() {
        row(
            "::ffff:0:0/96 → 127.0.0.0/8",
            &["::ffff:127.0.0.1", "::ffff:7f00:1"],
        );
        row("::ffff:0:0/96 → 10.0.0.0/8", &["::ffff:10.0.0.1"]);
        row(
            "::ffff:0:0/96 → 169.254.0.0/16",
            &["::ffff:169.254.169.254"],
        );
        row("::ffff:0:0/96 → 0.0.0.0/8", &["::ffff:0.0.0.0"]);
        row("::ffff:0:0/96 → 224.0.0.0/4", &["::ffff:224.0.0.1"]);
        assert_eq!(range("::ffff:93.184.216.34"), None);
    }

    #[test]
    fn ipv4_compatible_forms_are_refused() {
        row("::/96", &["::127.0.0.1", "::10.0.0.1", "::8.8.8.8", "::2"]);
    }

    #[test]
    fn nat64_well_known_prefix_carrying_refused_ipv4_is_refused() {
        row(
            "64:ff9b::/96 → 127.0.0.0/8",
            &["64:ff9b::127.0.0.1", "64:ff9b::7f00:1"],
        );
        row("64:ff9b::/96 → 192.168.0.0/16", &["64:ff9b::192.168.0.1"]);
        row("64:ff9b::/96 → 169.254.0.0/16", &["64:ff9b::a9fe:a9fe"]);
        // A public IPv4 behind NAT64 is public (IPv6-only networks reach the web this way).
        assert_eq!(range("64:ff9b::93.184.216.34"), None);
    }

    #[test]
    fn nat64_local_use_prefix_is_refused() {
        row(
            "64:ff9b:1::/48",
            &["64:ff9b:1::7f00:1", "64:ff9b:1:ffff::8.8.8.8"],
        );
    }

    #[test]
    fn discard_only_100_64_is_refused() {
        row("100::/64", &["100::", "100::1"]);
    }

    #[test]
    fn teredo_2001_32_is_refused() {
        // Server 65.54.227.120, client (obfuscated) 192.0.2.45 — and any other.
        row(
            "2001::/32",
            &["2001:0:4136:e378:8000:63bf:3fff:fdd2", "2001::1"],
        );
    }

    #[test]
    fn ietf_protocol_assignments_2001_23_are_refused() {
        row(
            "2001::/23",
            &["2001:2::1", "2001:10::1", "2001:1ff:ffff::1"],
        );
        assert_eq!(range("2001:200::1"), None);
    }

    #[test]
    fn ipv6_documentation_ranges_are_refused() {
        row("2001:db8::/32", &["2001:db8::", "2001:db8:ffff::1"]);
        row("3fff::/20", &["3fff::1", "3fff:fff:ffff::1"]);
        assert_eq!(range("3fff:1000::1"), None);
    }

    #[test]
    fn sixto4_carrying_refused_ipv4_is_refused() {
        row(
            "2002::/16 → 127.0.0.0/8",
            &["2002:7f00:1::", "2002:7f00:0001::1"],
        );
        row("2002::/16 → 10.0.0.0/8", &["2002:a00:1::1"]);
        row("2002::/16 → 172.16.0.0/12", &["2002:ac10:1::1"]);
        row("2002::/16 → 192.168.0.0/16", &["2002:c0a8:101::1"]);
        row("2002::/16 → 169.254.0.0/16", &["2002:a9fe:a9fe::1"]);
        row("2002::/16 → 100.64.0.0/10", &["2002:6440:1::1"]);
        row("2002::/16 → 0.0.0.0/8", &["2002::1"]);
        row("2002::/16 → 224.0.0.0/4", &["2002:e000:1::1"]);
        row("2002::/16 → 192.0.2.0/24", &["2002:c000:201::1"]);
        assert_eq!(range("2002:5db8:d822::1"), None);
    }

    #[test]
    fn unique_local_link_local_site_local_and_multicast_are_refused() {
        row("fc00::/7", &["fc00::1", "fdff:ffff::1"]);
        row("fe80::/10", &["fe80::1", "febf::1"]);
        row("fec0::/10", &["fec0::1", "feff::1"]);
        row("ff00::/8", &["ff02::1", "ff0e::1"]);
    }

    #[test]
    fn everything_outside_global_unicast_is_refused() {
        // SIIT IPv4-translated, SRv6 SIDs, reserved space.
        row(
            "outside 2000::/3",
            &["::ffff:0:7f00:1", "5f00::1", "4000::1", "1::1", "e000::1"],
        );
    }

    #[test]
    fn public_addresses_pass() {
        for ip in [
            "93.184.216.34",
            "8.8.8.8",
            "1.1.1.1",
            "192.0.1.1",
            "192.88.98.1",
            "2606:2800:220:1:248:1893:25c8:1946",
            "2a00:1450:4001:81c::200e",
        ] {
            assert_eq!(range(ip), None, "{ip}");
        }
    }
}
