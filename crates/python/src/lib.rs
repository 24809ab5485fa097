//! `collapse._native`: the PyO3 extension behind the `collapse` Python package.
//!
//! A thin boundary over the Rust code the `collapse` binary runs: `collapse-metrics` for the
//! statistics and every metric, `collapse-core` for the simplex ETF, the UFM optimum, the
//! solvers and the certificate. Nothing here computes a metric itself. Arrays cross without a
//! copy where their layout allows (`arrays`), the GIL is released during the numerical work
//! (`Python::detach`), and every error becomes a `ValueError`/`TypeError` carrying the
//! message the command line prints (`errors`). The pure-Python parts (array normalisation,
//! the one-shot `metrics`, `collapse.torch`) live in `python/collapse/`.

mod arrays;
mod errors;
mod etf;
mod statistics;
mod ufm;
mod variants;

use pyo3::prelude::*;

/// The native module; `collapse/__init__.py` re-exports its public names.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<statistics::Statistics>()?;
    m.add_function(wrap_pyfunction!(variants::variants, m)?)?;
    m.add_function(wrap_pyfunction!(etf::simplex_etf, m)?)?;
    m.add_function(wrap_pyfunction!(ufm::optimum, m)?)?;
    m.add_function(wrap_pyfunction!(ufm::solve, m)?)?;
    m.add_function(wrap_pyfunction!(ufm::certify, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
