//! How bytes and image formats appear in the issuer's serde types: bytes as standard base64
//! text (compact in JSON), image formats as `"png"` / `"svg"`.

/// `Vec<u8>` as base64 text.
pub(crate) mod base64_bytes {
    use base64::Engine as _;
    use base64::engine::general_purpose::STANDARD;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `bytes` as base64 text.
    pub(crate) fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(bytes))
    }

    /// Reads base64 text back into bytes.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}

/// [`ImageFormat`](openbadges_bake::ImageFormat) as `"png"` / `"svg"`.
pub(crate) mod image_format {
    use openbadges_bake::ImageFormat;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes the format's name.
    pub(crate) fn serialize<S: Serializer>(f: &ImageFormat, s: S) -> Result<S::Ok, S::Error> {
        match f {
            ImageFormat::Png => s.serialize_str("png"),
            ImageFormat::Svg => s.serialize_str("svg"),
            _ => Err(serde::ser::Error::custom("unknown image format")),
        }
    }

    /// Reads a format's name back.
    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<ImageFormat, D::Error> {
        match String::deserialize(d)?.as_str() {
            "png" => Ok(ImageFormat::Png),
            "svg" => Ok(ImageFormat::Svg),
            other => Err(serde::de::Error::custom(format!(
                "unknown image format {other:?}"
            ))),
        }
    }
}
