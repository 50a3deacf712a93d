//! Event timestamps: the five shapes found in real logs, normalised to UTC.

use jiff::Timestamp;

/// Why a timestamp could not be used, so the report can tell the user what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    /// A naive local time cannot be placed on the UTC line without guessing a zone.
    #[error("timestamp `{0}` has no UTC offset; add `Z` or `+00:00`")]
    NoOffset(String),
    /// Anything else that RFC 3339 does not accept.
    #[error("timestamp `{0}` is not an RFC 3339 date-time ({1})")]
    Invalid(String, String),
}

/// Parses one event timestamp without guessing: RFC 3339 with `Z` or a numeric offset, any precision.
pub fn parse_timestamp(text: &str) -> Result<Timestamp, TimestampError> {
    let t = text.trim();
    match t.parse::<Timestamp>() {
        Ok(ts) => Ok(ts),
        Err(e) => {
            // jiff refuses naive times for Timestamp; tell the user precisely that it is the offset.
            if t.parse::<jiff::civil::DateTime>().is_ok() {
                Err(TimestampError::NoOffset(text.to_string()))
            } else {
                Err(TimestampError::Invalid(text.to_string(), e.to_string()))
            }
        }
    }
}

/// A fixed-width UTC rendering (`2026-03-01T10:00:00.000000000Z`) that sorts as text in time order.
///
/// Sort keys built from raw strings are wrong on real logs (mixed `Z`/`+00:00`, mixed precision), so every
/// key that must sort (DynamoDB SKs, cache keys) goes through this.
pub fn fixed_width(ts: Timestamp) -> String {
    let z = ts.to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:09}Z",
        z.year(),
        z.month(),
        z.day(),
        z.hour(),
        z.minute(),
        z.second(),
        z.subsec_nanosecond()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_five_real_shapes_parse_to_the_same_instant_family() {
        let shapes = [
            "2026-03-04T15:27:54.307547+00:00",
            "2026-03-04T15:27:54.307Z",
            "2026-03-04T15:27:54Z",
            "2026-03-04T15:27:54+00:00",
            "2026-03-04T15:27:54.307547Z",
        ];
        let parsed: Vec<Timestamp> = shapes.iter().map(|s| parse_timestamp(s).unwrap()).collect();
        assert_eq!(parsed[0], parsed[4]);
        assert_eq!(parsed[2], parsed[3]);
        assert!(parsed[2] < parsed[1] && parsed[1] < parsed[0]);
    }

    #[test]
    fn offsets_are_normalised_to_utc() {
        let a = parse_timestamp("2026-03-04T17:27:54+02:00").unwrap();
        let b = parse_timestamp("2026-03-04T15:27:54Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(fixed_width(a), "2026-03-04T15:27:54.000000000Z");
    }

    #[test]
    fn naive_and_garbage_are_reported_not_guessed() {
        assert!(matches!(
            parse_timestamp("2026-03-04T15:27:54"),
            Err(TimestampError::NoOffset(_))
        ));
        assert!(matches!(
            parse_timestamp("yesterday"),
            Err(TimestampError::Invalid(..))
        ));
    }

    #[test]
    fn fixed_width_sorts_like_time() {
        let a = fixed_width(parse_timestamp("2026-03-04T15:27:54.9Z").unwrap());
        let b = fixed_width(parse_timestamp("2026-03-04T15:27:55+00:00").unwrap());
        assert!(a < b);
    }
}
