//! Arrays in. A native-endian NumPy float32/float64 array is read in place (no copy when it
//! is C-contiguous; one copy to row-major order, inside the GIL-free section, when it is
//! not). Anything else — torch tensors, DLPack producers, `__array__` objects, big-endian
//! or float16 arrays, Python lists — first goes through `collapse._arrays`, which views it
//! as such a NumPy array (without a copy where the source allows) or raises the documented
//! `TypeError`/`ValueError`.

use numpy::ndarray::{ArrayView2, ArrayViewD};
use numpy::{PyArray1, PyArray2, PyArrayDyn, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use std::borrow::Cow;

/// A borrowed N×d float matrix.
pub enum Floats<'py> {
    /// float32 (what networks emit).
    F32(PyReadonlyArray2<'py, f32>),
    /// float64.
    F64(PyReadonlyArray2<'py, f64>),
}

/// A view of [`Floats`] that may cross into `Python::detach`.
pub enum FloatsView<'a> {
    /// float32.
    F32(ArrayView2<'a, f32>),
    /// float64.
    F64(ArrayView2<'a, f64>),
}

/// Row-major values of a [`FloatsView`]: borrowed when contiguous, else copied once.
pub enum RowMajor<'a> {
    /// float32.
    F32(Cow<'a, [f32]>),
    /// float64.
    F64(Cow<'a, [f64]>),
}

impl<'py> Floats<'py> {
    /// Rows and columns.
    pub fn shape(&self) -> (usize, usize) {
        let s = match self {
            Floats::F32(a) => a.as_array().dim(),
            Floats::F64(a) => a.as_array().dim(),
        };
        (s.0, s.1)
    }

    /// The values, viewable without the GIL.
    pub fn view(&self) -> FloatsView<'_> {
        match self {
            Floats::F32(a) => FloatsView::F32(a.as_array()),
            Floats::F64(a) => FloatsView::F64(a.as_array()),
        }
    }
}

impl<'a> FloatsView<'a> {
    /// Row-major values; copies only a non-C-contiguous view.
    pub fn row_major(&self) -> RowMajor<'a> {
        fn cow<'a, T: Clone>(v: &ArrayView2<'a, T>) -> Cow<'a, [T]> {
            match v.to_slice() {
                Some(s) => Cow::Borrowed(s),
                None => Cow::Owned(v.iter().cloned().collect()),
            }
        }
        match self {
            FloatsView::F32(v) => RowMajor::F32(cow(v)),
            FloatsView::F64(v) => RowMajor::F64(cow(v)),
        }
    }
}

/// Borrows a native float32/float64 2-D array, if `obj` is one.
fn native_floats<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<Floats<'py>>> {
    if let Ok(a) = obj.cast::<PyArray2<f32>>() {
        return Ok(Some(Floats::F32(a.try_readonly().map_err(borrow)?)));
    }
    if let Ok(a) = obj.cast::<PyArray2<f64>>() {
        return Ok(Some(Floats::F64(a.try_readonly().map_err(borrow)?)));
    }
    Ok(None)
}

fn borrow(e: numpy::BorrowError) -> PyErr {
    PyValueError::new_err(format!(
        "the array is being written to elsewhere ({e}): pass a copy"
    ))
}

/// The Python-side normaliser `collapse._arrays.<what>(obj, name, ...)`.
fn normalise<'py>(
    obj: &Bound<'py, PyAny>,
    what: &str,
    args: impl pyo3::call::PyCallArgs<'py>,
) -> PyResult<Bound<'py, PyAny>> {
    obj.py()
        .import("collapse._arrays")?
        .getattr(what)?
        .call1(args)
}

/// An N×d float matrix named `name` (e.g. "features"), moved off a GPU only when `copy`.
pub fn floats<'py>(obj: &Bound<'py, PyAny>, name: &str, copy: bool) -> PyResult<Floats<'py>> {
    if let Some(f) = native_floats(obj)? {
        return Ok(f);
    }
    let a = normalise(obj, "floats", (obj, name, 2, copy))?;
    native_floats(&a)?.ok_or_else(|| {
        PyRuntimeError::new_err(format!(
            "internal: collapse._arrays.floats returned no float32/float64 matrix for {name}"
        ))
    })
}

/// A small float array (weights, bias) of `ndim` dimensions as row-major f64 with its shape.
pub fn small_floats(
    obj: &Bound<'_, PyAny>,
    name: &str,
    ndim: usize,
    copy: bool,
) -> PyResult<(Vec<f64>, Vec<usize>)> {
    let a = normalise(obj, "floats", (obj, name, ndim, copy))?;
    fn collect<T: Copy + Into<f64>>(v: ArrayViewD<'_, T>) -> (Vec<f64>, Vec<usize>) {
        (v.iter().map(|&x| x.into()).collect(), v.shape().to_vec())
    }
    if let Ok(x) = a.cast::<PyArrayDyn<f32>>() {
        return Ok(collect(x.try_readonly().map_err(borrow)?.as_array()));
    }
    if let Ok(x) = a.cast::<PyArrayDyn<f64>>() {
        return Ok(collect(x.try_readonly().map_err(borrow)?.as_array()));
    }
    Err(PyRuntimeError::new_err(format!(
        "internal: collapse._arrays.floats returned no float array for {name}"
    )))
}

/// N class labels named `name`, any integer width, as `usize`; a negative label is a
/// `ValueError` naming its position.
pub fn labels(obj: &Bound<'_, PyAny>, name: &str, copy: bool) -> PyResult<Vec<usize>> {
    let read = |a: PyReadonlyArray1<'_, i64>| -> PyResult<Vec<usize>> {
        let v = a.as_array();
        let mut out = Vec::with_capacity(v.len());
        for (i, &y) in v.iter().enumerate() {
            if y < 0 {
                return Err(PyValueError::new_err(format!(
                    "{name}: label at position {i} is {y}; labels must be non-negative integers"
                )));
            }
            out.push(y as usize);
        }
        Ok(out)
    };
    if let Ok(a) = obj.cast::<PyArray1<i64>>() {
        return read(a.try_readonly().map_err(borrow)?);
    }
    let a = normalise(obj, "labels", (obj, name, copy))?;
    let a = a.cast::<PyArray1<i64>>().map_err(|_| {
        PyRuntimeError::new_err(format!(
            "internal: collapse._arrays.labels returned no int64 vector for {name}"
        ))
    })?;
    read(a.try_readonly().map_err(borrow)?)
}
