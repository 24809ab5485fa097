//! `collapse-core`: the mathematics of neural collapse in f64.
//!
//! Zhu et al. (NeurIPS 2021) show that in the unconstrained feature model (UFM) every global
//! minimiser of cross-entropy with weight decay is a simplex ETF and every other critical
//! point is a strict saddle. This crate implements what is needed to check that claim on a
//! computer: the ETF itself ([`etf`]), the UFM with exact derivatives ([`ufm`]), the
//! closed-form optimum ([`optimum`]), solvers ([`solve`]), the critical-point certificate
//! ([`certificate`]) with its Lanczos fallback ([`lanczos`]), and the small traits the rest of
//! the project builds on ([`traits`]). No I/O, no plugin knowledge: pure numerics on `faer`.

pub mod certificate;
pub mod error;
pub mod etf;
pub mod lanczos;
pub mod optimum;
pub mod random;
pub mod residuals;
pub mod solve;
pub mod traits;
pub mod ufm;

pub use certificate::{certify, Certificate, CertificateSummary, CertifyOptions, Verdict};
pub use error::{CoreError, Result};
pub use optimum::{closed_form, ClosedForm, Regime};
pub use solve::{solve, Method, SolveOptions, SolveReport};
pub use ufm::{Bias, Labels, Point, Ufm};
