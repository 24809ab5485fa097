//! One row of `metrics.jsonl` / `metrics.csv`: an epoch's learning rate, losses, accuracies
//! and every metric variant under its registry name.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Deserializer, Serialize};

/// The columns every row has, in CSV order; metric variants follow.
pub const FIXED_COLUMNS: [&str; 8] = [
    "epoch",
    "lr",
    "train_loss",
    "train_acc",
    "test_loss",
    "test_acc",
    "epoch_loss",
    "epoch_acc",
];

/// One epoch's record. Losses are mean cross-entropy (nats per sample), accuracies fractions
/// in [0, 1]. `train_*`/`test_*` are measured after the epoch with the model in evaluation
/// mode; `epoch_*` are the running means the optimiser saw during the epoch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EpochRow {
    /// 1-based epoch.
    pub epoch: usize,
    /// Learning rate used in this epoch.
    pub lr: f64,
    /// Cross-entropy on the training split after the epoch.
    #[serde(deserialize_with = "nan_if_null")]
    pub train_loss: f64,
    /// Accuracy on the training split after the epoch.
    #[serde(deserialize_with = "nan_if_null")]
    pub train_acc: f64,
    /// Cross-entropy on the test split, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_loss: Option<f64>,
    /// Accuracy on the test split, where there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test_acc: Option<f64>,
    /// Mean training loss reported by the backend during the epoch.
    #[serde(deserialize_with = "nan_if_null")]
    pub epoch_loss: f64,
    /// Training accuracy reported by the backend during the epoch.
    #[serde(deserialize_with = "nan_if_null")]
    pub epoch_acc: f64,
    /// Metric variants by registry name (`nc1`, `nc2_w`, `nc3`, `nc4`, `bias`, ...);
    /// `None` where the value was not finite.
    #[serde(flatten)]
    pub metrics: BTreeMap<String, Option<f64>>,
}

/// JSON has no NaN: serde_json writes it as null, so null reads back as NaN.
fn nan_if_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

impl EpochRow {
    /// The value of a column by name (fixed column or metric variant).
    pub fn value(&self, column: &str) -> Option<f64> {
        match column {
            "epoch" => Some(self.epoch as f64),
            "lr" => Some(self.lr),
            "train_loss" => Some(self.train_loss),
            "train_acc" => Some(self.train_acc),
            "test_loss" => self.test_loss,
            "test_acc" => self.test_acc,
            "epoch_loss" => Some(self.epoch_loss),
            "epoch_acc" => Some(self.epoch_acc),
            other => self.metrics.get(other).copied().flatten(),
        }
    }
}

/// The metric columns of `rows`, in the registry's order (unknown names last, sorted).
pub fn metric_columns(rows: &[EpochRow]) -> Vec<String> {
    let names: BTreeSet<&String> = rows.iter().flat_map(|r| r.metrics.keys()).collect();
    let order = |n: &str| {
        collapse_metrics::Variant::ALL
            .iter()
            .position(|v| v.name() == n)
            .unwrap_or(usize::MAX)
    };
    let mut cols: Vec<String> = names.into_iter().cloned().collect();
    cols.sort_by(|a, b| order(a).cmp(&order(b)).then_with(|| a.cmp(b)));
    cols
}

/// The rows as CSV: a header of column names, then one line per epoch; an empty cell where a
/// row has no value (no test split, non-finite metric).
pub fn to_csv(rows: &[EpochRow]) -> String {
    let metric_cols = metric_columns(rows);
    let mut cols: Vec<&str> = FIXED_COLUMNS.to_vec();
    cols.extend(metric_cols.iter().map(String::as_str));
    let mut out = cols.join(",");
    out.push('\n');
    for row in rows {
        let cells: Vec<String> = cols
            .iter()
            .map(|c| match (c, row.value(c)) {
                (&"epoch", _) => row.epoch.to_string(),
                (_, Some(v)) if v.is_finite() => format!("{v}"),
                _ => String::new(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// The rows as JSON lines.
pub fn to_jsonl(rows: &[EpochRow]) -> String {
    let mut out = String::new();
    for row in rows {
        out.push_str(&serde_json::to_string(row).expect("rows are plain data"));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(epoch: usize, nc1: Option<f64>) -> EpochRow {
        EpochRow {
            epoch,
            lr: 0.05,
            train_loss: 1.5,
            train_acc: 0.25,
            test_loss: None,
            test_acc: None,
            epoch_loss: f64::NAN,
            epoch_acc: 0.5,
            metrics: BTreeMap::from([("bias".to_string(), Some(0.1)), ("nc1".to_string(), nc1)]),
        }
    }

    #[test]
    fn jsonl_round_trips_including_nan_and_missing_values() {
        let rows = vec![row(1, Some(2.0)), row(2, None)];
        let text = to_jsonl(&rows);
        let back: Vec<EpochRow> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(back[1].metrics, rows[1].metrics);
        assert!(back[0].epoch_loss.is_nan());
        assert_eq!(back[0].metrics["nc1"], Some(2.0));
        assert!(!text.contains("test_acc"));
    }

    #[test]
    fn csv_orders_metrics_as_the_registry() {
        let csv = to_csv(&[row(1, Some(2.0)), row(2, None)]);
        let lines: Vec<&str> = csv.lines().collect();
        assert_eq!(
            lines[0],
            "epoch,lr,train_loss,train_acc,test_loss,test_acc,epoch_loss,epoch_acc,nc1,bias"
        );
        assert_eq!(lines[1], "1,0.05,1.5,0.25,,,,0.5,2,0.1");
        assert_eq!(lines[2], "2,0.05,1.5,0.25,,,,0.5,,0.1");
    }
}
