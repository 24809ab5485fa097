//! `collapse.ufm.optimum`, `collapse.ufm.solve` and `collapse.certify`: the closed form, the
//! solvers and the certificate of `collapse-core`, returning what `collapse ufm optimum`,
//! `collapse ufm solve` and `collapse certify` print with `--json`.

use crate::arrays;
use crate::errors;
use crate::etf::matrix;
use collapse_core::etf::check_dimensions;
use collapse_core::{
    certify as certify_point, closed_form, solve as run_solver, Bias, CertifyOptions, Labels,
    Method, Point, SolveOptions, Ufm,
};
use faer::Mat;
use numpy::PyArray1;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// λ_b's default is λ_W (coupled weight decay), as on the command line.
fn bias_policy(bias: bool, lambda_w: f64, lambda_b: Option<f64>) -> Bias {
    if bias {
        Bias::Decayed(lambda_b.unwrap_or(lambda_w))
    } else {
        Bias::None
    }
}

/// The closed-form global optimum of the balanced UFM.
#[pyfunction]
#[pyo3(signature = (num_classes, per_class, dim, lambda_w, lambda_h, lambda_b = None))]
pub fn optimum(
    py: Python<'_>,
    num_classes: usize,
    per_class: usize,
    dim: usize,
    lambda_w: f64,
    lambda_h: f64,
    lambda_b: Option<f64>,
) -> PyResult<Bound<'_, PyAny>> {
    check_dimensions(num_classes, dim).map_err(errors::core)?;
    // Validates λ_b too, although the optimum does not depend on it (b* = 0).
    Ufm::balanced(
        num_classes,
        per_class,
        lambda_w,
        lambda_h,
        bias_policy(true, lambda_w, lambda_b),
    )
    .map_err(errors::core)?;
    let cf = closed_form(num_classes, per_class, lambda_w, lambda_h).map_err(errors::core)?;
    pythonize::pythonize(py, &cf).map_err(errors::pythonize)
}

/// Solves the balanced UFM from a seeded random start and certifies the end point.
#[pyfunction]
#[pyo3(signature = (num_classes, per_class, dim, lambda_w, lambda_h, lambda_b = None, *,
    seed = 0, init_scale = 0.1, method = "lbfgs", tol = 1e-8, max_iters = 20_000, bias = true))]
#[allow(clippy::too_many_arguments)]
pub fn solve<'py>(
    py: Python<'py>,
    num_classes: usize,
    per_class: usize,
    dim: usize,
    lambda_w: f64,
    lambda_h: f64,
    lambda_b: Option<f64>,
    seed: u64,
    init_scale: f64,
    method: &str,
    tol: f64,
    max_iters: usize,
    bias: bool,
) -> PyResult<Bound<'py, PyDict>> {
    check_dimensions(num_classes, dim).map_err(errors::core)?;
    let method = match method {
        "lbfgs" => Method::Lbfgs,
        "gd" => Method::Gd,
        other => {
            return Err(PyValueError::new_err(format!(
                "method = {other:?}: expected \"lbfgs\" or \"gd\""
            )))
        }
    };
    let ufm = Ufm::balanced(
        num_classes,
        per_class,
        lambda_w,
        lambda_h,
        bias_policy(bias, lambda_w, lambda_b),
    )
    .map_err(errors::core)?;
    let options = SolveOptions {
        method,
        tol,
        max_iters,
        ..SolveOptions::default()
    };
    let (report, cert) = py
        .detach(|| {
            let start = ufm.random_point(dim, init_scale, seed);
            let report = run_solver(&ufm, start, &options, |_| {})?;
            let cert = certify_point(
                &ufm,
                &report.point,
                &CertifyOptions {
                    grad_tol: (10.0 * tol).max(CertifyOptions::default().grad_tol),
                    ..CertifyOptions::default()
                },
            )?;
            Ok::<_, collapse_core::CoreError>((report, cert))
        })
        .map_err(errors::core)?;
    let out = PyDict::new(py);
    out.set_item("objective", report.objective)?;
    out.set_item(
        "closed_form_objective",
        ufm.closed_form().map(|c| c.objective),
    )?;
    out.set_item("grad_norm", report.grad_norm)?;
    out.set_item("iterations", report.iterations)?;
    out.set_item("evaluations", report.evaluations)?;
    out.set_item("converged", report.converged)?;
    out.set_item(
        "certificate",
        pythonize::pythonize(py, &cert.summary()).map_err(errors::pythonize)?,
    )?;
    out.set_item("point", point_dict(py, &report.point, ufm.labels())?)?;
    Ok(out)
}

/// A point as {"W": K×d, "H": d×N, "b": K or None, "labels": N} NumPy arrays.
fn point_dict<'py>(py: Python<'py>, p: &Point, labels: &Labels) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("W", matrix(py, p.w.as_ref()))?;
    d.set_item("H", matrix(py, p.h.as_ref()))?;
    d.set_item("b", p.b.as_ref().map(|b| PyArray1::from_slice(py, b)))?;
    let y: Vec<i64> = labels.as_slice().iter().map(|&l| l as i64).collect();
    d.set_item("labels", PyArray1::from_vec(py, y))?;
    Ok(d)
}

/// The critical-point certificate of a UFM point (W K×d, H d×N, optional b and labels).
#[pyfunction]
#[pyo3(signature = (W, H, b = None, labels = None, *, lambda_w, lambda_h, lambda_b = None,
    grad_tol = CertifyOptions::default().grad_tol, copy = false))]
#[allow(non_snake_case, clippy::too_many_arguments)]
pub fn certify<'py>(
    py: Python<'py>,
    W: &Bound<'py, PyAny>,
    H: &Bound<'py, PyAny>,
    b: Option<&Bound<'py, PyAny>>,
    labels: Option<&Bound<'py, PyAny>>,
    lambda_w: f64,
    lambda_h: f64,
    lambda_b: Option<f64>,
    grad_tol: f64,
    copy: bool,
) -> PyResult<Bound<'py, PyAny>> {
    // Shapes, finiteness and label range are checked by collapse-core (`Labels::new`,
    // `Ufm::check_point`), which words the errors as `collapse certify` prints them.
    let (w, ws) = arrays::small_floats(W, "W", 2, copy)?;
    let (h, hs) = arrays::small_floats(H, "H", 2, copy)?;
    let (k, d, n) = (ws[0], ws[1], hs[1]);
    let b = b
        .map(|b| arrays::small_floats(b, "b", 1, copy).map(|(v, _)| v))
        .transpose()?;
    let labels = match labels {
        Some(y) => Labels::new(k, arrays::labels(y, "labels", copy)?).map_err(errors::core)?,
        None if k > 0 && n % k == 0 => Labels::balanced(k, n / k).map_err(errors::core)?,
        None => {
            return Err(PyValueError::new_err(format!(
                "no labels and N = {n} is not a multiple of K = {k}: pass labels or use class-major balanced columns"
            )))
        }
    };
    let ufm = Ufm::new(
        labels,
        lambda_w,
        lambda_h,
        bias_policy(b.is_some(), lambda_w, lambda_b),
    )
    .map_err(errors::core)?;
    let point = Point {
        w: Mat::from_fn(k, d, |i, j| w[i * d + j]),
        h: Mat::from_fn(hs[0], n, |i, j| h[i * n + j]),
        b,
    };
    let options = CertifyOptions {
        grad_tol,
        ..CertifyOptions::default()
    };
    let cert = py
        .detach(|| certify_point(&ufm, &point, &options))
        .map_err(errors::core)?;
    pythonize::pythonize(py, &cert.summary()).map_err(errors::pythonize)
}
