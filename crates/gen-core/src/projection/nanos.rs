//! Timestamps of fold state and records serialised as integer nanoseconds since the Unix epoch.
//!
//! The edge crate caches folds and records (postcard, never shown to anyone); jiff's default serde form,
//! an RFC 3339 string, costs a format and a parse per timestamp, which dominated encoding and decoding
//! those caches. Reports (`StatusReport` and friends) are separate types and keep their own forms.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

fn to_nanos(t: Option<Timestamp>) -> Option<i128> {
    t.map(|t| t.as_nanosecond())
}

fn from_nanos<'de, D: Deserializer<'de>>(n: Option<i128>) -> Result<Option<Timestamp>, D::Error> {
    n.map(|n| Timestamp::from_nanosecond(n).map_err(serde::de::Error::custom))
        .transpose()
}

/// `Option<Timestamp>` as `Option<i128>`.
pub(crate) mod opt {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(t: &Option<Timestamp>, s: S) -> Result<S::Ok, S::Error> {
        to_nanos(*t).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        from_nanos::<D>(Option::<i128>::deserialize(d)?)
    }
}

/// An open `edge_started`: its id and time.
pub(crate) mod open_start {
    use super::*;

    type Value = Option<(Box<str>, Option<Timestamp>)>;

    pub(crate) fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref().map(|(id, t)| (&**id, to_nanos(*t))).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        Option::<(Box<str>, Option<i128>)>::deserialize(d)?
            .map(|(id, n)| Ok((id, from_nanos::<D>(n)?)))
            .transpose()
    }
}

/// The order key of the last record folded.
pub(crate) mod last_key {
    use super::*;

    type Value = Option<(bool, Option<Timestamp>, u8, String)>;

    pub(crate) fn serialize<S: Serializer>(v: &Value, s: S) -> Result<S::Ok, S::Error> {
        v.as_ref()
            .map(|(untimed, t, rank, id)| (*untimed, to_nanos(*t), *rank, id.as_str()))
            .serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Value, D::Error> {
        Option::<(bool, Option<i128>, u8, String)>::deserialize(d)?
            .map(|(untimed, n, rank, id)| Ok((untimed, from_nanos::<D>(n)?, rank, id)))
            .transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{EdgeAcc, Fold};
    use jiff::Timestamp;

    #[test]
    fn timestamps_round_trip_as_integers_to_the_nanosecond() {
        let t: Timestamp = "2026-03-01T10:00:00.123456789Z".parse().unwrap();
        let edge = EdgeAcc {
            started_at: Some(t),
            open_start: Some(("e-1".into(), Some(t))),
            last_at: Some(Timestamp::MIN),
            converged_at: Some(Timestamp::MAX),
            ..EdgeAcc::default()
        };
        let fold = Fold {
            last_key: Some((false, Some(t), 3, "e-1".into())),
            latest: Some(t),
            ..Fold::default()
        };
        let json = serde_json::to_string(&edge).unwrap();
        assert!(!json.contains("2026"), "{json}");
        assert_eq!(serde_json::from_str::<EdgeAcc>(&json).unwrap(), edge);
        let json = serde_json::to_string(&fold).unwrap();
        assert_eq!(serde_json::from_str::<Fold>(&json).unwrap(), fold);
    }
}
