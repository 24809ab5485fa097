//! Rust errors as Python exceptions, with the messages the command line prints.

use collapse_core::CoreError;
use collapse_metrics::MetricsError;
use pyo3::exceptions::{PyArithmeticError, PyValueError};
use pyo3::PyErr;

/// A metrics error: bad input is a `ValueError`; a failed factorisation an `ArithmeticError`.
pub fn metrics(e: MetricsError) -> PyErr {
    match e {
        MetricsError::Numerical(_) => PyArithmeticError::new_err(e.to_string()),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// A core error: bad input is a `ValueError`; a failed factorisation an `ArithmeticError`.
pub fn core(e: CoreError) -> PyErr {
    match e {
        CoreError::Numerical(_) => PyArithmeticError::new_err(e.to_string()),
        other => PyValueError::new_err(other.to_string()),
    }
}

/// A result serialised to Python objects (pythonize only fails on unsupported types).
pub fn pythonize(e: pythonize::PythonizeError) -> PyErr {
    pyo3::exceptions::PyRuntimeError::new_err(format!("internal: {e}"))
}
