//! Per-class counting and the paper's `sample_size m` subset (the first m examples of each
//! class, in file order). Counts come from the labels, never from a table, so a subset of
//! a subset, or an unbalanced data set like MNIST, is handled.

use crate::error::{DataError, Result};

/// Number of examples of each class `0..classes` (labels must be below `classes`).
pub fn class_counts(labels: &[usize], classes: usize) -> Vec<usize> {
    let mut counts = vec![0usize; classes];
    for &y in labels {
        counts[y] += 1;
    }
    counts
}

/// Indices (ascending) of the first `m` examples of every class. Fails, naming the class,
/// when a class has fewer than `m` examples; `source_name` names the data set in the error.
pub fn first_per_class(
    labels: &[usize],
    classes: usize,
    m: usize,
    source_name: &str,
) -> Result<Vec<usize>> {
    let counts = class_counts(labels, classes);
    if let Some((class, &available)) = counts.iter().enumerate().find(|(_, &c)| c < m) {
        return Err(DataError::SubsetTooLarge {
            source_name: source_name.to_string(),
            class,
            available,
            wanted: m,
        });
    }
    let mut taken = vec![0usize; classes];
    let mut out = Vec::with_capacity(m * classes);
    for (i, &y) in labels.iter().enumerate() {
        if taken[y] < m {
            taken[y] += 1;
            out.push(i);
        }
    }
    Ok(out)
}

/// Copies the rows `indices` (each `row_len` long) of `data` in that order.
pub(crate) fn select_rows<T: Copy>(data: &[T], row_len: usize, indices: &[usize]) -> Vec<T> {
    let mut out = Vec::with_capacity(indices.len() * row_len);
    for &i in indices {
        out.extend_from_slice(&data[i * row_len..(i + 1) * row_len]);
    }
    out
}
