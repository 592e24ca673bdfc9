//! The DER documents this crate writes from a key's parts (RFC 5480 / RFC 8410
//! `SubjectPublicKeyInfo`, RFC 5208 / RFC 5958 PKCS#8 `PrivateKeyInfo` of an Ed25519 seed or a
//! P-256 scalar), and the object identifiers of the three key types.

use der::Encode as _;
use der::asn1::{AnyRef, BitStringRef, OctetStringRef};
use pkcs8::PrivateKeyInfo;
use sec1::EcPrivateKey;
use spki::{AlgorithmIdentifierRef, ObjectIdentifier, SubjectPublicKeyInfoRef};
use zeroize::Zeroizing;

use crate::Error;

/// `rsaEncryption` (RFC 8017).
pub(super) const OID_RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
/// `id-ecPublicKey` (RFC 5480).
pub(super) const OID_EC: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
/// `secp256r1` (RFC 5480).
pub(super) const OID_P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
/// `id-Ed25519` (RFC 8410).
pub(super) const OID_ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");

/// A DER `SubjectPublicKeyInfo` of `key` under `oid` (with `parameters`, RFC 5480 / RFC 8410).
pub(super) fn spki_der(
    oid: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    key: &[u8],
) -> Result<Vec<u8>, Error> {
    let spki = SubjectPublicKeyInfoRef {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        subject_public_key: BitStringRef::from_bytes(key)
            .map_err(|e| Error::invalid_key_caused(e.to_string(), e))?,
    };
    spki.to_der()
        .map_err(|e| Error::invalid_key_caused(e.to_string(), e))
}

/// A PKCS#8 v1 document of an Ed25519 seed (RFC 8410: the key is an OCTET STRING in the
/// `privateKey` OCTET STRING).
pub(super) fn ed25519_pkcs8(seed: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bad = |e: der::Error| Error::invalid_key_caused(e.to_string(), e);
    let inner = Zeroizing::new(
        OctetStringRef::new(seed)
            .map_err(bad)?
            .to_der()
            .map_err(bad)?,
    );
    private_key_info(OID_ED25519, None, &inner)
}

/// A PKCS#8 v1 document of a P-256 key: `ECPrivateKey { 1, d, publicKey }` without the curve
/// (the algorithm identifier names it), the form `ring` writes.
pub(super) fn p256_pkcs8(d: &[u8], point: &[u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let bad = |e: der::Error| Error::invalid_key_caused(e.to_string(), e);
    let ec = EcPrivateKey {
        private_key: d,
        parameters: None,
        public_key: Some(point),
    };
    let inner = Zeroizing::new(ec.to_der().map_err(bad)?);
    private_key_info(OID_EC, Some(AnyRef::from(&OID_P256)), &inner)
}

fn private_key_info(
    oid: ObjectIdentifier,
    parameters: Option<AnyRef<'_>>,
    private_key: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let info = PrivateKeyInfo {
        algorithm: AlgorithmIdentifierRef { oid, parameters },
        private_key,
        public_key: None,
    };
    Ok(Zeroizing::new(info.to_der().map_err(|e| {
        Error::invalid_key_caused(e.to_string(), e)
    })?))
}
