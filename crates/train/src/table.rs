//! The text table `collapse runs show` prints.

use crate::row::{metric_columns, EpochRow};

/// The columns shown by default: the headline quantities of the paper.
pub const DEFAULT_COLUMNS: [&str; 10] = [
    "epoch",
    "lr",
    "train_loss",
    "train_acc",
    "test_acc",
    "nc1",
    "nc2_w",
    "nc3",
    "nc4",
    "bias",
];

/// Renders `rows` as an aligned table. `all` shows every column; otherwise the defaults
/// that the rows have.
pub fn render(rows: &[EpochRow], all: bool) -> String {
    let mut cols: Vec<String> = if all {
        let mut c: Vec<String> = crate::row::FIXED_COLUMNS
            .iter()
            .map(|s| s.to_string())
            .collect();
        c.extend(metric_columns(rows));
        c
    } else {
        DEFAULT_COLUMNS.iter().map(|s| s.to_string()).collect()
    };
    cols.retain(|c| rows.iter().any(|r| r.value(c).is_some()));
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            cols.iter()
                .map(|c| match (c.as_str(), r.value(c)) {
                    ("epoch", _) => r.epoch.to_string(),
                    (_, Some(v)) if v.is_finite() => format_value(v),
                    (_, Some(_)) => "nan".to_string(),
                    (_, None) => "-".to_string(),
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| {
            cells
                .iter()
                .map(|r| r[i].len())
                .chain([c.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |items: &[String]| {
        items
            .iter()
            .zip(&widths)
            .map(|(s, w)| format!("{s:>w$}"))
            .collect::<Vec<_>>()
            .join("  ")
    };
    let mut out = line(&cols);
    out.push('\n');
    for r in &cells {
        out.push_str(&line(r));
        out.push('\n');
    }
    out
}

fn format_value(v: f64) -> String {
    if v == 0.0 || (1e-3..1e4).contains(&v.abs()) {
        format!("{v:.4}")
    } else {
        format!("{v:.3e}")
    }
}
