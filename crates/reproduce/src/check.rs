//! A pass/fail check of a measured value against what the paper (or its theory) predicts.

/// One row of the report's scoreboard.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Check {
    /// What is checked, in words.
    pub name: String,
    /// What the paper or the theory says.
    pub expected: String,
    /// What we measured.
    pub measured: String,
    /// Whether the measurement is within the stated band.
    pub pass: bool,
}

impl Check {
    /// |measured − expected| ≤ tol, printed with the tolerance.
    pub fn close(name: impl Into<String>, expected: f64, measured: f64, tol: f64) -> Self {
        Self {
            name: name.into(),
            expected: format!("{expected:.10e} ± {tol:.0e}"),
            measured: format!("{measured:.10e}"),
            pass: (measured - expected).abs() <= tol,
        }
    }

    /// A categorical expectation (e.g. a verdict).
    pub fn equal(name: impl Into<String>, expected: &str, measured: &str) -> Self {
        Self {
            name: name.into(),
            expected: expected.to_string(),
            measured: measured.to_string(),
            pass: expected == measured,
        }
    }

    /// measured ≤ bound.
    pub fn at_most(name: impl Into<String>, bound: f64, measured: f64) -> Self {
        Self {
            name: name.into(),
            expected: format!("<= {bound:.1e}"),
            measured: format!("{measured:.3e}"),
            pass: measured <= bound,
        }
    }
}
