//! Numeric parameters: finite and inside a range. The one rule every numeric flag, config
//! value and library option goes through (a NaN tolerance compares false with everything and
//! silently changes a verdict; a negative one silently inverts it).

use thiserror::Error;

/// A parameter outside its range, with the name as the user spells it.
#[derive(Debug, Clone, PartialEq, Error)]
#[error("invalid {name} = {value}: {requirement}")]
pub struct NumberError {
    /// The parameter (a flag such as `--grad-tol`, or a config key).
    pub name: String,
    /// The value given, as text.
    pub value: String,
    /// What it must satisfy, e.g. "must be finite and > 0".
    pub requirement: String,
}

/// One end of a [`Range`].
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    Open,
    Inclusive(f64),
    Exclusive(f64),
}

/// The finite values a parameter may take: optionally bounded below and above, each end
/// inclusive or exclusive. Every range excludes NaN and ±∞.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    low: End,
    high: End,
}

impl Range {
    /// Any finite value.
    pub const FINITE: Range = Range {
        low: End::Open,
        high: End::Open,
    };
    /// Finite and > 0 (tolerances, step sizes, weight decays that must act).
    pub const POSITIVE: Range = Range::above(0.0);
    /// Finite and ≥ 0.
    pub const NON_NEGATIVE: Range = Range::at_least(0.0);
    /// [0, 1): momentum, fractions that must stay below one.
    pub const UNIT_HALF_OPEN: Range = Range::half_open(0.0, 1.0);

    /// Finite and ≥ `low`.
    pub const fn at_least(low: f64) -> Range {
        Range {
            low: End::Inclusive(low),
            high: End::Open,
        }
    }

    /// Finite and > `low`.
    pub const fn above(low: f64) -> Range {
        Range {
            low: End::Exclusive(low),
            high: End::Open,
        }
    }

    /// [low, high].
    pub const fn closed(low: f64, high: f64) -> Range {
        Range {
            low: End::Inclusive(low),
            high: End::Inclusive(high),
        }
    }

    /// [low, high).
    pub const fn half_open(low: f64, high: f64) -> Range {
        Range {
            low: End::Inclusive(low),
            high: End::Exclusive(high),
        }
    }

    /// (low, high).
    pub const fn open(low: f64, high: f64) -> Range {
        Range {
            low: End::Exclusive(low),
            high: End::Exclusive(high),
        }
    }

    /// Whether `value` is finite and inside the range.
    pub fn contains(&self, value: f64) -> bool {
        value.is_finite()
            && match self.low {
                End::Open => true,
                End::Inclusive(l) => value >= l,
                End::Exclusive(l) => value > l,
            }
            && match self.high {
                End::Open => true,
                End::Inclusive(h) => value <= h,
                End::Exclusive(h) => value < h,
            }
    }

    /// The requirement in words: "must be finite and > 0", "must be finite and in [0, 1)".
    pub fn requirement(&self) -> String {
        let tail = match (self.low, self.high) {
            (End::Open, End::Open) => String::new(),
            (End::Inclusive(l), End::Open) => format!(" and >= {l}"),
            (End::Exclusive(l), End::Open) => format!(" and > {l}"),
            (End::Open, End::Inclusive(h)) => format!(" and <= {h}"),
            (End::Open, End::Exclusive(h)) => format!(" and < {h}"),
            (low, high) => {
                let (l, lb) = match low {
                    End::Inclusive(l) => (l, '['),
                    End::Exclusive(l) => (l, '('),
                    End::Open => unreachable!("matched above"),
                };
                let (h, hb) = match high {
                    End::Inclusive(h) => (h, ']'),
                    End::Exclusive(h) => (h, ')'),
                    End::Open => unreachable!("matched above"),
                };
                format!(" and in {lb}{l}, {h}{hb}")
            }
        };
        format!("must be finite{tail}")
    }
}

/// Checks `value` against `range`; `name` is how the user spells the parameter.
pub fn check(name: &str, value: f64, range: Range) -> Result<f64, NumberError> {
    if range.contains(value) {
        Ok(value)
    } else {
        Err(NumberError {
            name: name.to_string(),
            value: value.to_string(),
            requirement: range.requirement(),
        })
    }
}

/// Checks an integer parameter against `min..=max`.
pub fn check_count(name: &str, value: u64, min: u64, max: u64) -> Result<u64, NumberError> {
    if (min..=max).contains(&value) {
        return Ok(value);
    }
    let requirement = if max == u64::MAX {
        format!("must be at least {min}")
    } else {
        format!("must be an integer in {min}..={max}")
    };
    Err(NumberError {
        name: name.to_string(),
        value: value.to_string(),
        requirement,
    })
}

/// Parses command-line text as f64 and checks it; the error is the requirement alone (the
/// argument parser names the flag and the text).
pub fn parse_f64(text: &str, range: Range) -> Result<f64, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("not a number; {}", range.requirement()))?;
    check("", value, range).map_err(|e| e.requirement)
}

/// Parses command-line text as an integer in `min..=max`.
pub fn parse_count(text: &str, min: u64, max: u64) -> Result<u64, String> {
    let value: u64 = text
        .trim()
        .parse()
        .map_err(|_| "not a non-negative integer".to_string())?;
    check_count("", value, min, max).map_err(|e| e.requirement)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_and_infinities_are_outside_every_range() {
        for r in [
            Range::FINITE,
            Range::POSITIVE,
            Range::NON_NEGATIVE,
            Range::closed(-1.0, 1.0),
        ] {
            for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                assert!(check("x", v, r).is_err(), "{v} accepted by {r:?}");
            }
        }
    }

    #[test]
    fn ends_are_inclusive_or_exclusive_as_declared() {
        assert!(check("x", 0.0, Range::POSITIVE).is_err());
        assert!(check("x", 0.0, Range::NON_NEGATIVE).is_ok());
        assert!(check("x", -1e-300, Range::NON_NEGATIVE).is_err());
        assert!(check("x", 1.0, Range::UNIT_HALF_OPEN).is_err());
        assert!(check("x", 0.0, Range::UNIT_HALF_OPEN).is_ok());
        assert!(check("x", 1.0, Range::closed(0.0, 1.0)).is_ok());
        assert!(check("x", 0.5, Range::open(0.0, 1.0)).is_ok());
        assert!(check("x", 0.0, Range::open(0.0, 1.0)).is_err());
    }

    #[test]
    fn messages_name_the_parameter_and_the_requirement() {
        let e = check("--grad-tol", -1.0, Range::POSITIVE).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid --grad-tol = -1: must be finite and > 0"
        );
        let e = check("momentum", 1.0, Range::UNIT_HALF_OPEN).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid momentum = 1: must be finite and in [0, 1)"
        );
        assert_eq!(
            parse_f64("NaN", Range::POSITIVE),
            Err("must be finite and > 0".to_string())
        );
        assert!(parse_f64("abc", Range::POSITIVE)
            .unwrap_err()
            .contains("not a number"));
        assert_eq!(
            check_count("classes", 1, 2, u64::MAX)
                .unwrap_err()
                .requirement,
            "must be at least 2"
        );
        assert_eq!(parse_count("7", 1, 10), Ok(7));
        assert!(parse_count("-1", 0, 10).is_err());
    }
}
