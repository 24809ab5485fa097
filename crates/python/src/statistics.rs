//! `collapse.Statistics`: the streaming first pass (`ClassStats`), the optional second pass
//! (`MeanPass`, for NC4 and for NC1 under `scatter="projected"`), merging and pickling —
//! and `.metrics()`, which hands both to `collapse_metrics::evaluate`, as `collapse metrics`
//! does.

use crate::arrays::{self, Floats, FloatsView, RowMajor};
use crate::errors;
use collapse_metrics::{
    decode, encode, evaluate, ClassStats, Evaluation, Head, MeanPass, MetricsError, PinvPolicy,
    ScatterMode, SourceDtype, StatsFile, Variant,
};
use numpy::{PyArray1, PyArray2};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

/// Version of the pickled state (a tuple of `collapse_metrics::stats_file` encodings and the
/// head); a different version is refused with a message.
const STATE_FORMAT: u32 = 1;

/// Streaming, mergeable, picklable f64 class statistics of N×d features with labels in 0..K.
#[pyclass(module = "collapse._native", name = "Statistics")]
pub struct Statistics {
    first: ClassStats,
    second: Option<SecondPass>,
    /// Element type of the features fed so far (None before the first batch).
    dtype: Option<SourceDtype>,
}

/// The second pass: started from the finished first pass, optionally with the head.
#[derive(Debug, Clone)]
struct SecondPass {
    head: Option<HeadValues>,
    train: MeanPass,
    test: Option<MeanPass>,
}

/// W (K×d row-major, with its shape) and b, as given.
#[derive(Debug, Clone, PartialEq)]
struct HeadValues {
    rows: usize,
    cols: usize,
    weights: Vec<f64>,
    bias: Option<Vec<f64>>,
}

impl HeadValues {
    fn read(
        weights: Option<&Bound<'_, PyAny>>,
        bias: Option<&Bound<'_, PyAny>>,
        dim: usize,
        copy: bool,
    ) -> PyResult<Option<Self>> {
        let Some(w) = weights else {
            if bias.is_some() {
                return Err(PyValueError::new_err(
                    "bias was given without weights: the bias b belongs to a head h -> Wh + b, so pass weights too",
                ));
            }
            return Ok(None);
        };
        let (weights, shape) = arrays::small_floats(w, "weights", 2, copy)?;
        let (rows, cols) = (shape[0], shape[1]);
        if cols != dim {
            return Err(PyValueError::new_err(format!(
                "weights: classifier weights are {rows} x {cols} but the features have d = {dim} columns: W must be K x d"
            )));
        }
        let bias = bias
            .map(|b| arrays::small_floats(b, "bias", 1, copy).map(|(v, _)| v))
            .transpose()?;
        Ok(Some(Self {
            rows,
            cols,
            weights,
            bias,
        }))
    }

    fn head(&self) -> PyResult<Head> {
        Head::new(&self.weights, self.rows, self.cols, self.bias.as_deref())
            .map_err(errors::metrics)
    }
}

/// Pushes one checked batch into a pass (either kind), without the GIL.
fn push(
    py: Python<'_>,
    view: FloatsView<'_>,
    labels: &[usize],
    mut target: impl FnMut(&RowMajor<'_>, &[usize]) -> Result<(), MetricsError> + Send,
) -> PyResult<()> {
    py.detach(|| target(&view.row_major(), labels))
        .map_err(errors::metrics)
}

fn push_first(stats: &mut ClassStats, x: &RowMajor<'_>, y: &[usize]) -> Result<(), MetricsError> {
    match x {
        RowMajor::F32(v) => stats.push(v, y),
        RowMajor::F64(v) => stats.push(v, y),
    }
}

fn push_pass(pass: &mut MeanPass, x: &RowMajor<'_>, y: &[usize]) -> Result<(), MetricsError> {
    match x {
        RowMajor::F32(v) => pass.push(v, y),
        RowMajor::F64(v) => pass.push(v, y),
    }
}

/// Reads a batch and checks it against d before any statistic may change.
fn batch<'py>(
    features: &Bound<'py, PyAny>,
    labels: &Bound<'py, PyAny>,
    dim: usize,
    copy: bool,
) -> PyResult<(Floats<'py>, Vec<usize>)> {
    let x = arrays::floats(features, "features", copy)?;
    let y = arrays::labels(labels, "labels", copy)?;
    let (rows, cols) = x.shape();
    if cols != dim {
        return Err(PyValueError::new_err(format!(
            "features has {cols} columns but these statistics have d = {dim}: pass N x {dim} features"
        )));
    }
    if rows != y.len() {
        return Err(PyValueError::new_err(format!(
            "features has {rows} rows but labels has {} labels: they must describe the same samples",
            y.len()
        )));
    }
    Ok((x, y))
}

/// `variants`: None (every variant the inputs allow), one name, or a sequence of names.
fn parse_variants(variants: Option<&Bound<'_, PyAny>>) -> PyResult<Vec<Variant>> {
    let Some(v) = variants else {
        return Ok(Vec::new());
    };
    let names: Vec<String> = if v.is_instance_of::<PyString>() {
        vec![v.extract()?]
    } else {
        v.extract().map_err(|_| {
            PyTypeError::new_err("variants must be None, a variant name or a list of names (see collapse.variants())")
        })?
    };
    names
        .iter()
        .map(|n| Variant::from_name(n.trim()).map_err(errors::metrics))
        .collect()
}

/// `pinv`: "rank", "reference" (the paper code's cutoff d·ε_f32·λ_max) or a float rcond.
fn parse_pinv(pinv: &Bound<'_, PyAny>, dim: usize) -> PyResult<PinvPolicy> {
    if let Ok(s) = pinv.extract::<String>() {
        return match s.as_str() {
            "rank" => Ok(PinvPolicy::RankTruncated),
            "reference" => Ok(PinvPolicy::reference(dim)),
            other => Err(PyValueError::new_err(format!(
                "pinv = {other:?}: expected \"rank\" (invert the K-1 largest eigenvalues of Sigma_B), \"reference\" (the paper code's cutoff) or a float rcond"
            ))),
        };
    }
    match pinv.extract::<f64>() {
        Ok(rcond) if rcond.is_finite() && rcond >= 0.0 => Ok(PinvPolicy::RelativeCutoff { rcond }),
        _ => Err(PyTypeError::new_err(
            "pinv must be \"rank\", \"reference\" or a non-negative float rcond",
        )),
    }
}

fn scatter_name(mode: ScatterMode) -> &'static str {
    match mode {
        ScatterMode::Full => "full",
        ScatterMode::TraceOnly => "projected",
    }
}

#[pymethods]
impl Statistics {
    /// Empty statistics for `num_classes` classes of `dim`-dimensional features.
    #[new]
    #[pyo3(signature = (num_classes, dim, scatter = "full"))]
    fn new(num_classes: usize, dim: usize, scatter: &str) -> PyResult<Self> {
        let mode = match scatter {
            "full" => ScatterMode::Full,
            "projected" => ScatterMode::TraceOnly,
            other => {
                return Err(PyValueError::new_err(format!(
                    "scatter = {other:?}: expected \"full\" (keep the d x d within-class scatter: NC1 in one pass) or \"projected\" (O(K^2 + Kd) memory: NC1 from a second pass)"
                )))
            }
        };
        Ok(Self {
            first: ClassStats::new(num_classes, dim, mode).map_err(errors::metrics)?,
            second: None,
            dtype: None,
        })
    }

    /// Adds a batch of the first pass.
    #[pyo3(signature = (features, labels, *, copy = false))]
    fn update(
        &mut self,
        py: Python<'_>,
        features: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        copy: bool,
    ) -> PyResult<()> {
        if self.second.is_some() {
            return Err(PyValueError::new_err(
                "update() feeds the first pass, which is closed: start_second_pass() was called, so the class means are final; feed the training samples again with update_second(), or start a new Statistics",
            ));
        }
        let (x, y) = batch(features, labels, self.first.dim(), copy)?;
        let first = &mut self.first;
        push(py, x.view(), &y, |x, y| push_first(first, x, y))?;
        let dtype = match x {
            Floats::F32(_) => SourceDtype::Float32,
            Floats::F64(_) => SourceDtype::Float64,
        };
        self.dtype = Some(self.dtype.map_or(dtype, |d| d.combine(dtype)));
        Ok(())
    }

    /// Closes the first pass and starts the second, against the final class means.
    #[pyo3(signature = (weights = None, bias = None, *, copy = false))]
    fn start_second_pass(
        &mut self,
        weights: Option<&Bound<'_, PyAny>>,
        bias: Option<&Bound<'_, PyAny>>,
        copy: bool,
    ) -> PyResult<()> {
        if self.second.is_some() {
            return Err(PyValueError::new_err(
                "the second pass has already started: call start_second_pass() once, after the last update()",
            ));
        }
        let head = HeadValues::read(weights, bias, self.first.dim(), copy)?;
        let built = head.as_ref().map(HeadValues::head).transpose()?;
        let train = MeanPass::new(&self.first, built.as_ref()).map_err(errors::metrics)?;
        self.second = Some(SecondPass {
            head,
            train,
            test: None,
        });
        Ok(())
    }

    /// Adds a batch of training samples to the second pass.
    #[pyo3(signature = (features, labels, *, copy = false))]
    fn update_second(
        &mut self,
        py: Python<'_>,
        features: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        copy: bool,
    ) -> PyResult<()> {
        let dim = self.first.dim();
        let second = self
            .second
            .as_mut()
            .ok_or_else(not_started("update_second"))?;
        let (x, y) = batch(features, labels, dim, copy)?;
        let pass = &mut second.train;
        push(py, x.view(), &y, |x, y| push_pass(pass, x, y))
    }

    /// Adds a batch of test samples (for nc4_test), compared with the training means.
    #[pyo3(signature = (features, labels, *, copy = false))]
    fn update_test(
        &mut self,
        py: Python<'_>,
        features: &Bound<'_, PyAny>,
        labels: &Bound<'_, PyAny>,
        copy: bool,
    ) -> PyResult<()> {
        let dim = self.first.dim();
        let first = &self.first;
        let second = self
            .second
            .as_mut()
            .ok_or_else(not_started("update_test"))?;
        let (x, y) = batch(features, labels, dim, copy)?;
        if second.test.is_none() {
            let head = second.head.as_ref().map(HeadValues::head).transpose()?;
            second.test = Some(MeanPass::new(first, head.as_ref()).map_err(errors::metrics)?);
        }
        let pass = second.test.as_mut().expect("created above");
        push(py, x.view(), &y, |x, y| push_pass(pass, x, y))
    }

    /// Merges statistics accumulated elsewhere (another worker, shard or batch range).
    fn merge(&mut self, py: Python<'_>, other: PyRef<'_, Statistics>) -> PyResult<()> {
        let other = &*other;
        match (&mut self.second, &other.second) {
            (None, None) => {
                let first = &mut self.first;
                py.detach(|| first.merge(&other.first))
                    .map_err(errors::metrics)?;
                self.dtype = match (self.dtype, other.dtype) {
                    (Some(a), Some(b)) => Some(a.combine(b)),
                    (a, b) => a.or(b),
                };
                Ok(())
            }
            (Some(a), Some(b)) => {
                if self.first != other.first || a.head != b.head {
                    return Err(PyValueError::new_err(
                        "cannot combine statistics: second passes merge only when both started from the same merged first-pass statistics and the same head (merge the first passes, copy the result to every worker, then start_second_pass() there)",
                    ));
                }
                a.train.merge(&b.train).map_err(errors::metrics)?;
                match (&mut a.test, &b.test) {
                    (Some(t), Some(u)) => t.merge(u).map_err(errors::metrics)?,
                    (None, Some(u)) => a.test = Some(u.clone()),
                    _ => {}
                }
                Ok(())
            }
            _ => Err(PyValueError::new_err(
                "cannot combine statistics: one is in its second pass and the other is not; merge first passes before start_second_pass(), and second passes only with second passes",
            )),
        }
    }

    /// Every metric the inputs allow (or those named), as `collapse metrics --json` prints.
    #[pyo3(signature = (weights = None, bias = None, test = None, variants = None, pinv = None, *, copy = false))]
    #[allow(clippy::too_many_arguments)]
    fn metrics<'py>(
        &self,
        py: Python<'py>,
        weights: Option<&Bound<'py, PyAny>>,
        bias: Option<&Bound<'py, PyAny>>,
        test: Option<&Bound<'py, PyAny>>,
        variants: Option<&Bound<'py, PyAny>>,
        pinv: Option<&Bound<'py, PyAny>>,
        copy: bool,
    ) -> PyResult<Bound<'py, PyAny>> {
        let d = self.first.dim();
        let variants = parse_variants(variants)?;
        let pinv = match pinv {
            None => PinvPolicy::RankTruncated,
            Some(p) => parse_pinv(p, d)?,
        };
        let wants = |v: &[Variant]| variants.is_empty() || variants.iter().any(|x| v.contains(x));
        if self.first.mode() == ScatterMode::TraceOnly
            && self.second.is_none()
            && wants(&[Variant::Nc1, Variant::Nc1Papyan])
        {
            return Err(PyValueError::new_err(
                "nc1 under scatter=\"projected\" needs a second pass over the training samples: after the last update(), call start_second_pass(), feed the same training batches to update_second(), then call metrics(); or accumulate with scatter=\"full\", or name other variants",
            ));
        }
        if self.second.is_none() && variants.contains(&Variant::Nc4) {
            return Err(PyValueError::new_err(
                "nc4 compares every training sample with the final class means, so it needs a second pass: after the last update(), call start_second_pass(weights, bias), feed the training batches to update_second(), then call metrics()",
            ));
        }
        self.first.check_complete().map_err(errors::metrics)?;
        let given = HeadValues::read(weights, bias, d, copy)?;
        let started = self.second.as_ref().and_then(|s| s.head.clone());
        let head_values = match (given, started) {
            (Some(g), Some(s)) if g != s => {
                return Err(PyValueError::new_err(
                    "weights/bias differ from the head given to start_second_pass(), which the second pass compared the samples with: pass the same head, or none",
                ))
            }
            (Some(g), _) => Some(g),
            (None, s) => s,
        };
        let head = head_values.as_ref().map(HeadValues::head).transpose()?;
        let test_pass = match test {
            None => None,
            Some(t) => {
                if self.second.as_ref().is_some_and(|s| s.test.is_some()) {
                    return Err(PyValueError::new_err(
                        "test samples were already fed with update_test(): pass test=None",
                    ));
                }
                let t = t
                    .cast::<PyTuple>()
                    .ok()
                    .filter(|t| t.len() == 2)
                    .ok_or_else(|| {
                        PyTypeError::new_err("test must be a (features, labels) pair")
                    })?;
                let (x, y) = batch(&t.get_item(0)?, &t.get_item(1)?, d, copy)?;
                let mut pass =
                    MeanPass::new(&self.first, head.as_ref()).map_err(errors::metrics)?;
                push(py, x.view(), &y, |x, y| push_pass(&mut pass, x, y))?;
                Some(pass)
            }
        };
        let second = self.second.as_ref();
        let input = Evaluation {
            train: &self.first,
            train_pass: second.map(|s| &s.train),
            test_pass: test_pass.as_ref().or(second.and_then(|s| s.test.as_ref())),
            head: head.as_ref(),
            pinv,
        };
        let report = py
            .detach(|| evaluate(&input, &variants))
            .map_err(errors::metrics)?;
        pythonize::pythonize(py, &report).map_err(errors::pythonize)
    }

    /// Number of classes K.
    #[getter]
    fn num_classes(&self) -> usize {
        self.first.classes()
    }

    /// Feature dimension d.
    #[getter]
    fn dim(&self) -> usize {
        self.first.dim()
    }

    /// "full" or "projected".
    #[getter]
    fn scatter(&self) -> &'static str {
        scatter_name(self.first.mode())
    }

    /// "first" until start_second_pass(), then "second".
    #[getter]
    fn phase(&self) -> &'static str {
        if self.second.is_some() {
            "second"
        } else {
            "first"
        }
    }

    /// Samples seen by the first pass, N.
    #[getter]
    fn samples(&self) -> u64 {
        self.first.samples()
    }

    /// Samples per class N_c (list of K ints).
    #[getter]
    fn counts(&self) -> Vec<u64> {
        self.first.counts().to_vec()
    }

    /// Class means μ_c as a new K×d float64 array.
    #[getter]
    fn means<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let (k, d) = (self.first.classes(), self.first.dim());
        let rows: Vec<Vec<f64>> = self.first.means().chunks(d).map(<[f64]>::to_vec).collect();
        debug_assert_eq!(rows.len(), k);
        PyArray2::from_vec2(py, &rows).map_err(|e| PyValueError::new_err(e.to_string()))
    }

    /// The count-weighted global mean μ_G as a new float64 array of length d.
    #[getter]
    fn global_mean<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        PyArray1::from_slice(py, self.first.global_mean())
    }

    fn __getnewargs__(&self) -> (usize, usize, &'static str) {
        (self.first.classes(), self.first.dim(), self.scatter())
    }

    /// `(format, first pass, head, second pass, test pass)`: the passes as
    /// `collapse_metrics::stats_file` bytes (bit-exact), the head as float lists.
    fn __getstate__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let dtype = self.dtype.unwrap_or(SourceDtype::Unknown);
        let bytes = |stats: collapse_metrics::Statistics| {
            PyBytes::new(py, &encode(&StatsFile { dtype, stats }))
        };
        let first = bytes(collapse_metrics::Statistics::First(self.first.clone()));
        let (head, train, test) = match &self.second {
            None => (None, None, None),
            Some(s) => (
                s.head
                    .as_ref()
                    .map(|h| (h.rows, h.cols, h.weights.clone(), h.bias.clone())),
                Some(bytes(collapse_metrics::Statistics::SecondTrain(
                    s.train.clone(),
                ))),
                s.test
                    .clone()
                    .map(|t| bytes(collapse_metrics::Statistics::SecondTest(t))),
            ),
        };
        (STATE_FORMAT, first, head, train, test).into_pyobject(py)
    }

    fn __setstate__(&mut self, state: &Bound<'_, PyAny>) -> PyResult<()> {
        type Head = Option<(usize, usize, Vec<f64>, Option<Vec<f64>>)>;
        type Raw = (u32, Vec<u8>, Head, Option<Vec<u8>>, Option<Vec<u8>>);
        let bad = |e: String| {
            PyValueError::new_err(format!("not a pickled collapse.Statistics state: {e}"))
        };
        let format: u32 = state
            .get_item(0)
            .and_then(|f| f.extract())
            .map_err(|e| bad(e.to_string()))?;
        if format != STATE_FORMAT {
            return Err(PyValueError::new_err(format!(
                "pickled collapse.Statistics state of format {format} cannot be read by this version (format {STATE_FORMAT}): pickle it again with the same collapse version"
            )));
        }
        let (_, first, head, train, test) =
            state.extract::<Raw>().map_err(|e| bad(e.to_string()))?;
        let decode_pass = |b: &[u8]| decode(b).map_err(|e| bad(e.to_string()));
        let first_file = decode_pass(&first)?;
        let collapse_metrics::Statistics::First(first) = first_file.stats else {
            return Err(bad("the first entry is not a first pass".into()));
        };
        let second = match train {
            None => None,
            Some(t) => {
                let collapse_metrics::Statistics::SecondTrain(train) = decode_pass(&t)?.stats
                else {
                    return Err(bad(
                        "the second-pass entry is not a second pass over training samples".into(),
                    ));
                };
                let test = match test {
                    None => None,
                    Some(t) => match decode_pass(&t)?.stats {
                        collapse_metrics::Statistics::SecondTest(p) => Some(p),
                        _ => {
                            return Err(
                                bad("the test entry is not a pass over test samples".into()),
                            )
                        }
                    },
                };
                Some(SecondPass {
                    head: head.map(|(rows, cols, weights, bias)| HeadValues {
                        rows,
                        cols,
                        weights,
                        bias,
                    }),
                    train,
                    test,
                })
            }
        };
        self.first = first;
        self.second = second;
        self.dtype = Some(first_file.dtype).filter(|d| *d != SourceDtype::Unknown);
        Ok(())
    }

    fn __repr__(&self) -> String {
        format!(
            "Statistics(num_classes={}, dim={}, scatter={:?}, samples={}, phase={:?})",
            self.first.classes(),
            self.first.dim(),
            self.scatter(),
            self.first.samples(),
            self.phase()
        )
    }
}

fn not_started(method: &'static str) -> impl FnOnce() -> PyErr {
    move || {
        PyValueError::new_err(format!(
            "{method}() feeds the second pass, which has not started: after the last update() of the first pass, call start_second_pass()"
        ))
    }
}
