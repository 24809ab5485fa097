//! The JSON form of a certificate: the contract `certify` and `ufm solve` share
//! ([`collapse_core::CertificateSummary`], which the Python package returns too).

use collapse_core::Certificate;
use serde_json::Value;

/// Every field of the certificate except the direction itself.
pub fn to_json(cert: &Certificate) -> Value {
    serde_json::to_value(cert.summary()).expect("a certificate summary serialises")
}
