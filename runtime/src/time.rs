//! Dates and timestamps with PostgreSQL's `infinity` and `-infinity`, which every `date`,
//! `timestamp` and `timestamptz` column can hold and chrono cannot: reading such a row into a bare
//! chrono type fails. Generated models hold these columns as [`Extended`].

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::{PgArgumentBuffer, PgHasArrayType, PgTypeInfo, PgValueFormat, PgValueRef};
use sqlx::{Decode, Encode, Postgres, Type};
use std::fmt;
use std::str::FromStr;

use wire::{INFINITY, NEG_INFINITY};

/// A date or timestamp, or one of the two ends of time. Ordered as PostgreSQL orders them:
/// `-infinity` before every finite value, `infinity` after.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Extended<T> {
    NegInfinity,
    Finite(T),
    Infinity,
}

impl<T> Extended<T> {
    /// The finite value, if this is one.
    pub fn finite(&self) -> Option<&T> {
        match self {
            Extended::Finite(value) => Some(value),
            _ => None,
        }
    }
}

impl<T> From<T> for Extended<T> {
    fn from(value: T) -> Self {
        Extended::Finite(value)
    }
}

/// The chrono types a column of a date or time type decodes to, with how each is spelled on the
/// wire and how wide its binary form is (the special values are its extreme integers).
pub trait Instant: Sized {
    /// Bytes of the binary form: `date` is an i32 of days, timestamps an i64 of microseconds.
    const WIDTH: usize;
    /// The value as the OpenAPI document's `date` or `date-time` format spells it.
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result;
}

impl Instant for chrono::NaiveDate {
    const WIDTH: usize = 4;
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Instant for chrono::NaiveDateTime {
    const WIDTH: usize = 8;
    // `timestamp` columns hold naive UTC; the document's `date-time` requires an offset: `Z`.
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // rfc3339 is chrono's direct writer: `format("%…")` re-parses its pattern on every value.
        f.write_str(&self.and_utc().to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl Instant for chrono::DateTime<chrono::Utc> {
    const WIDTH: usize = 8;
    fn write(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }
}

impl<T: Instant> fmt::Display for Extended<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Extended::NegInfinity => f.write_str(NEG_INFINITY),
            Extended::Finite(value) => value.write(f),
            Extended::Infinity => f.write_str(INFINITY),
        }
    }
}

impl<T: FromStr> FromStr for Extended<T> {
    type Err = T::Err;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        match text {
            INFINITY => Ok(Extended::Infinity),
            NEG_INFINITY => Ok(Extended::NegInfinity),
            finite => finite.parse().map(Extended::Finite),
        }
    }
}

impl<T: Instant> serde::Serialize for Extended<T> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Extended<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        match text.as_ref() {
            INFINITY => Ok(Extended::Infinity),
            NEG_INFINITY => Ok(Extended::NegInfinity),
            finite => {
                let reader = serde::de::value::StrDeserializer::<D::Error>::new(finite);
                T::deserialize(reader).map(Extended::Finite)
            }
        }
    }
}

impl<T: Type<Postgres>> Type<Postgres> for Extended<T> {
    fn type_info() -> PgTypeInfo {
        T::type_info()
    }
    fn compatible(ty: &PgTypeInfo) -> bool {
        T::compatible(ty)
    }
}

impl<T: PgHasArrayType> PgHasArrayType for Extended<T> {
    fn array_type_info() -> PgTypeInfo {
        T::array_type_info()
    }
}

/// The binary form of `infinity` (the type's largest integer) or `-infinity` (its smallest).
fn special(width: usize, positive: bool) -> Vec<u8> {
    let (first, rest) = if positive { (0x7f, 0xff) } else { (0x80, 0x00) };
    let mut bytes = vec![rest; width];
    bytes[0] = first;
    bytes
}

impl<'q, T: Encode<'q, Postgres> + Instant> Encode<'q, Postgres> for Extended<T> {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        match self {
            Extended::Finite(value) => value.encode_by_ref(buf),
            Extended::Infinity | Extended::NegInfinity => {
                buf.extend_from_slice(&special(T::WIDTH, matches!(self, Extended::Infinity)));
                Ok(IsNull::No)
            }
        }
    }
    fn size_hint(&self) -> usize {
        T::WIDTH
    }
}

impl<'r, T: Decode<'r, Postgres>> Decode<'r, Postgres> for Extended<T> {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        let special_value = match value.format() {
            PgValueFormat::Binary => {
                let bytes = value.as_bytes()?;
                let width = bytes.len();
                if width > 0 && bytes == special(width, true) {
                    Some(Extended::Infinity)
                } else if width > 0 && bytes == special(width, false) {
                    Some(Extended::NegInfinity)
                } else {
                    None
                }
            }
            PgValueFormat::Text => match value.as_str()? {
                INFINITY => Some(Extended::Infinity),
                NEG_INFINITY => Some(Extended::NegInfinity),
                _ => None,
            },
        };
        match special_value {
            Some(special) => Ok(special),
            None => T::decode(value).map(Extended::Finite),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveDateTime, Utc};

    #[test]
    fn the_ends_of_time_order_around_every_value_and_travel_as_postgres_spells_them() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
        let mut days = [Extended::Infinity, Extended::Finite(day), Extended::NegInfinity];
        days.sort();
        assert_eq!(days, [Extended::NegInfinity, Extended::Finite(day), Extended::Infinity]);
        let json = serde_json::to_string(&days).unwrap();
        assert_eq!(json, r#"["-infinity","2026-01-31","infinity"]"#);
        assert_eq!(serde_json::from_str::<Vec<Extended<NaiveDate>>>(&json).unwrap(), days);
        let at: Extended<NaiveDateTime> = serde_json::from_str(r#""2026-01-31T12:00:00.5""#).unwrap();
        assert_eq!(serde_json::to_string(&at).unwrap(), r#""2026-01-31T12:00:00.500Z""#);
        let tz: Extended<chrono::DateTime<Utc>> = "infinity".parse().unwrap();
        assert_eq!((tz, tz.finite()), (Extended::Infinity, None));
        assert!(serde_json::from_str::<Extended<NaiveDate>>(r#""Infinity""#).is_err(), "PostgreSQL's spelling only");
    }

    #[test]
    fn the_special_values_are_the_extreme_integers_of_the_binary_form() {
        assert_eq!(special(4, true), i32::MAX.to_be_bytes());
        assert_eq!(special(4, false), i32::MIN.to_be_bytes());
        assert_eq!(special(8, true), i64::MAX.to_be_bytes());
        assert_eq!(special(8, false), i64::MIN.to_be_bytes());
    }
}
