//! `collapse.variants()`: the registry of `collapse_metrics::Variant`, with each definition
//! and source read from the tables of `docs/metrics.md` (their one owner), embedded at build
//! time.

use collapse_metrics::Variant;
use pyo3::prelude::*;
use pyo3::types::PyDict;

const METRICS_MD: &str = include_str!("../../../docs/metrics.md");

/// (definition, source) of `name` from its row `| \`name\` | definition | source |`.
fn documented(name: &str) -> (String, String) {
    let key = format!("| `{name}` |");
    METRICS_MD
        .lines()
        .find(|l| l.starts_with(&key))
        .map(|l| {
            // `\|` is a literal bar inside a cell.
            let cells: Vec<String> = l
                .replace("\\|", "\u{0}")
                .split('|')
                .map(|c| c.trim().replace('\u{0}', "|"))
                .collect();
            (
                cells.get(2).cloned().unwrap_or_default(),
                cells.get(3).cloned().unwrap_or_default(),
            )
        })
        .unwrap_or_default()
}

/// Every metric variant, in report order: name, definition, source and needed inputs.
#[pyfunction]
pub fn variants(py: Python<'_>) -> PyResult<Vec<Bound<'_, PyDict>>> {
    Variant::ALL
        .iter()
        .map(|v| {
            let (definition, source) = documented(v.name());
            let needs = v.needs();
            let d = PyDict::new(py);
            d.set_item("name", v.name())?;
            d.set_item("definition", definition)?;
            d.set_item("source", source)?;
            d.set_item("needs_head", needs.head)?;
            d.set_item("needs_second_pass", needs.train_pass)?;
            d.set_item("needs_test", needs.test_pass)?;
            Ok(d)
        })
        .collect()
}
