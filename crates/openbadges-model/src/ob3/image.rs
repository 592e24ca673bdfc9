//! The Image class: an image by IRI (often a data URI) with an optional caption.

use serde::{Deserialize, Serialize};

use super::{Extra, TypeSet};
use crate::Iri;

/// An image with metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Image {
    /// The image URI or Data URI.
    pub id: Iri,
    /// Must be `Image`.
    #[serde(rename = "type")]
    pub types: TypeSet,
    /// Caption.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    /// Extensions.
    #[serde(flatten)]
    pub extra: Extra,
}

impl Image {
    /// An image by IRI, without caption.
    pub fn new(id: Iri) -> Self {
        Image {
            id,
            types: TypeSet::one("Image"),
            caption: None,
            extra: Extra::new(),
        }
    }
}
