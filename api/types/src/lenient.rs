//! Integers as JSON Schema counts them: `5.0` is the integer 5. Clients
//! generated from the OpenAPI document (and query strings, which are text)
//! may send integral numbers in that form; refusing them would refuse
//! input the document calls valid.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Visitor};

/// `Option<T>` for an integer in a JSON body: `5` or `5.0`, not `"5"`.
pub fn opt_int<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    deserializer.deserialize_option(OptionVisitor { text: false, kind: PhantomData })
}

/// A required integer in a JSON body: `5` or `5.0`, not `"5"`.
pub fn int<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    deserializer.deserialize_any(IntVisitor { text: false, kind: PhantomData })
}

/// `Option<T>` for an integer in a query string, where every value is text:
/// `5` or `5.0`.
pub fn opt_int_query<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: TryFrom<i64>,
{
    deserializer.deserialize_option(OptionVisitor { text: true, kind: PhantomData })
}

struct OptionVisitor<T> {
    text: bool,
    kind: PhantomData<T>,
}

impl<'de, T: TryFrom<i64>> Visitor<'de> for OptionVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(IntVisitor { text: self.text, kind: PhantomData }).map(Some)
    }
}

struct IntVisitor<T> {
    /// Whether text holding a number counts (query strings), or not (JSON).
    text: bool,
    kind: PhantomData<T>,
}

impl<T: TryFrom<i64>> IntVisitor<T> {
    fn fit<E: de::Error>(n: i64) -> Result<T, E> {
        T::try_from(n).map_err(|_| E::custom(format!("{n} is out of range")))
    }
}

impl<T: TryFrom<i64>> Visitor<'_> for IntVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }

    fn visit_i64<E: de::Error>(self, n: i64) -> Result<T, E> {
        Self::fit(n)
    }

    fn visit_u64<E: de::Error>(self, n: u64) -> Result<T, E> {
        Self::fit(i64::try_from(n).map_err(|_| E::custom(format!("{n} is out of range")))?)
    }

    fn visit_f64<E: de::Error>(self, n: f64) -> Result<T, E> {
        // Exactly representable and integral: 5.0 yes, 5.5 and 1e300 no.
        if n.fract() == 0.0 && n.abs() < 9_007_199_254_740_992.0 {
            Self::fit(n as i64)
        } else {
            Err(E::custom(format!("{n} is not an integer")))
        }
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<T, E> {
        if !self.text {
            return Err(E::invalid_type(de::Unexpected::Str(s), &self));
        }
        let s = s.trim();
        match s.parse::<i64>() {
            Ok(n) => Self::fit(n),
            Err(_) => match s.parse::<f64>() {
                Ok(n) if n.is_finite() => self.visit_f64(n),
                _ => Err(E::custom(format!("{s:?} is not an integer"))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize, Debug, PartialEq)]
    struct Body {
        #[serde(default, deserialize_with = "super::opt_int")]
        n: Option<i32>,
    }

    fn parse(json: &str) -> Option<Option<i32>> {
        serde_json::from_str::<Body>(json).ok().map(|b| b.n)
    }

    #[test]
    fn integral_numbers_in_any_spelling() {
        assert_eq!(parse(r#"{"n": 5}"#), Some(Some(5)));
        assert_eq!(parse(r#"{"n": 5.0}"#), Some(Some(5)));
        assert_eq!(parse(r#"{"n": -2e1}"#), Some(Some(-20)));
        assert_eq!(parse(r#"{"n": null}"#), Some(None));
        assert_eq!(parse(r#"{}"#), Some(None));
        assert_eq!(parse(r#"{"n": 5.5}"#), None);
        assert_eq!(parse(r#"{"n": 1e300}"#), None);
        assert_eq!(parse(r#"{"n": 3000000000}"#), None);
        assert_eq!(parse(r#"{"n": "x"}"#), None);
        assert_eq!(parse(r#"{"n": "5"}"#), None, "text is not a JSON integer");
    }
}
