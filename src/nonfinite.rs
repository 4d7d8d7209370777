//! `#[serde(with = "crate::nonfinite")]` for `f64` fields that may be NaN or infinite (a
//! diverging loss, a learning rate typed as `NaN`): JSON has no such numbers (serde_json writes
//! `null` and cannot read it back), so they are written as the strings `"NaN"`, `"inf"` and
//! `"-inf"`. Finite values stay plain numbers; `null` reads back as NaN.

use serde::{Deserialize, Deserializer, Serializer};

pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value.is_finite() {
        serializer.serialize_f64(*value)
    } else if value.is_nan() {
        serializer.serialize_str("NaN")
    } else if *value > 0.0 {
        serializer.serialize_str("inf")
    } else {
        serializer.serialize_str("-inf")
    }
}

pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Number {
        Plain(f64),
        Word(String),
        Null(()),
    }
    match Number::deserialize(deserializer)? {
        Number::Plain(value) => Ok(value),
        Number::Null(()) => Ok(f64::NAN),
        Number::Word(word) => match word.as_str() {
            "NaN" => Ok(f64::NAN),
            "inf" => Ok(f64::INFINITY),
            "-inf" => Ok(f64::NEG_INFINITY),
            other => Err(serde::de::Error::custom(format!(
                "\"{other}\" is not a number"
            ))),
        },
    }
}
