//! Model objects to and from JSON: the one place that reads a typed object from a JSON value
//! (reporting the JSON pointer of the first node that does not fit) and writes it back, for the
//! OB 2.0 and the OB 3.0 / CLR 2.0 models alike.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::{Error, Limits};

/// Reads a typed OB 2.0 or OB 3.0 / CLR 2.0 object from JSON.
///
/// # Errors
/// [`Error::Shape`] with the JSON pointer of the first node that does not fit (a missing
/// required property, a number where a string belongs, …). Use the version's `validate` to list
/// every structural problem instead.
pub fn from_value<T: DeserializeOwned>(value: &Value) -> Result<T, Error> {
    serde_path_to_error::deserialize(value).map_err(Error::from_path_to_error)
}

/// Writes a typed object back to JSON (the same JSON it was read from, for read objects).
///
/// # Errors
/// [`Error::Shape`] if serialization fails (it does not for the model's types).
pub fn to_value<T: Serialize>(item: &T) -> Result<Value, Error> {
    serde_json::to_value(item).map_err(Error::from_serialize)
}

/// Parses untrusted bytes within `limits` into a typed object.
///
/// # Errors
/// The errors of [`crate::parse_json`], then those of [`from_value`].
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8], limits: &Limits) -> Result<T, Error> {
    let value = crate::parse_json(bytes, limits)?;
    from_value(&value)
}

/// Gives each listed model type the methods `from_value`, `from_slice` and `to_value` (the
/// functions of this module), `FromStr` (JSON text within the default [`Limits`]) and
/// `TryFrom<&Value>`.
macro_rules! json_methods {
    ($($t:ty),* $(,)?) => {$(
        impl $t {
            /// Reads the object from a parsed JSON value.
            ///
            /// # Errors
            /// [`Error::Shape`](crate::Error::Shape) with the JSON pointer of the first node whose
            /// JSON shape does not fit (required-but-absent properties are not errors here: the
            /// version's `validate` reports them).
            pub fn from_value(value: &::serde_json::Value) -> Result<Self, $crate::Error> {
                $crate::typed::from_value(value)
            }

            /// Reads the object from untrusted JSON bytes within `limits`.
            ///
            /// # Errors
            /// The errors of [`crate::parse_json`], then those of `from_value`.
            pub fn from_slice(bytes: &[u8], limits: &$crate::Limits) -> Result<Self, $crate::Error> {
                $crate::typed::from_slice(bytes, limits)
            }

            /// Serializes the object to a JSON value (the shapes read are the shapes written).
            ///
            /// # Errors
            /// [`Error::Shape`](crate::Error::Shape) if serialization fails (it does not for
            /// values built from JSON).
            pub fn to_value(&self) -> Result<::serde_json::Value, $crate::Error> {
                $crate::typed::to_value(self)
            }
        }

        impl ::std::str::FromStr for $t {
            type Err = $crate::Error;
            /// Parses JSON text within the default [`Limits`](crate::Limits).
            fn from_str(s: &str) -> Result<Self, $crate::Error> {
                Self::from_slice(s.as_bytes(), &$crate::Limits::default())
            }
        }

        impl TryFrom<&::serde_json::Value> for $t {
            type Error = $crate::Error;
            fn try_from(v: &::serde_json::Value) -> Result<Self, $crate::Error> {
                Self::from_value(v)
            }
        }
    )*};
}
pub(crate) use json_methods;
