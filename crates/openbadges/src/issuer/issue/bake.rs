//! The last step of an issuance: each issued form baked into the badge image
//! ([`BakedImage`], one per [`Form`]).

use openbadges_bake::{BakeOptions, ImageFormat};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::BadgeImage;
use super::ob2::Ob2Forms;
use super::ob3::Ob3Forms;
use crate::Error;

/// Which form of the badge a baked image carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Form {
    /// The OB 2.0 hosted assertion (JSON).
    Ob2Hosted,
    /// The OB 2.0 signed assertion (compact JWS).
    Ob2Signed,
    /// The OB 3.0 credential with its Data Integrity proof (JSON).
    Ob3DataIntegrity,
    /// The OB 3.0 credential as a VC-JWT.
    Ob3Jwt,
}

/// A badge baked into its image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BakedImage {
    /// The form baked in.
    pub form: Form,
    /// PNG or SVG (`"png"` / `"svg"` in serde).
    #[serde(with = "crate::issuer::serde_bytes::image_format")]
    pub format: ImageFormat,
    /// The image bytes (base64 in serde).
    #[serde(with = "crate::issuer::serde_bytes::base64_bytes")]
    pub bytes: Vec<u8>,
}

/// Bakes every issued form into `image`: the hosted assertion, the signed assertion, the
/// Data Integrity credential and the VC-JWT, in that order.
///
/// # Errors
/// [`Error::Bake`] when the image cannot carry a payload; [`Error::Json`] when a document
/// cannot be serialized.
pub(super) fn bake_forms(
    image: &BadgeImage<'_>,
    ob2: &Ob2Forms,
    ob3: &Ob3Forms,
) -> Result<Vec<BakedImage>, Error> {
    let format = ImageFormat::detect(image.bytes).unwrap_or(ImageFormat::Png);
    let opts = BakeOptions::default();
    let mut baked = Vec::new();
    let mut bake = |form: Form, payload: &str| -> Result<(), Error> {
        let bytes = openbadges_bake::bake(image.bytes, payload, &opts)?;
        baked.push(BakedImage {
            form,
            format,
            bytes,
        });
        Ok(())
    };
    if let Some(a) = &ob2.hosted {
        bake(Form::Ob2Hosted, &to_string(a)?)?;
    }
    if let Some(j) = &ob2.signed {
        bake(Form::Ob2Signed, j)?;
    }
    if let Some(c) = &ob3.credential {
        bake(Form::Ob3DataIntegrity, &to_string(c)?)?;
    }
    if let Some(j) = &ob3.jwt {
        bake(Form::Ob3Jwt, j)?;
    }
    Ok(baked)
}

/// The compact JSON a baked image carries.
fn to_string(v: &Value) -> Result<String, Error> {
    Ok(serde_json::to_string(v)?)
}
