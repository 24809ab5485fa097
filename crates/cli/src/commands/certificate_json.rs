//! The JSON form of a certificate: the contract `certify` and `ufm solve` share.

use collapse_core::Certificate;
use serde_json::{json, Value};

/// Every field of the certificate except the direction itself.
pub fn to_json(cert: &Certificate) -> Value {
    json!({
        "verdict": cert.verdict,
        "grad_norm": cert.grad_norm,
        "sigma1": cert.sigma1,
        "threshold": cert.threshold,
        "curvature": cert.curvature,
        "curvature_predicted": cert.curvature_predicted,
        "curvature_fd": cert.curvature_fd,
        "curvature_method": cert.method,
        "theorem_applies": cert.theorem_applies,
        "objective": cert.objective,
        "closed_form_objective": cert.closed_form_objective,
        "note": cert.note,
    })
}
