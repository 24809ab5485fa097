//! `Backend::features` for a network backend: how many samples a call returns, the check of
//! the host's buffer, and the eval-mode forward passes in chunks of [`EVAL_CHUNK`] samples.

use collapse_plugin_api::PluginError;

/// Samples per eval-mode forward pass when computing features.
pub const EVAL_CHUNK: usize = 256;

/// Fills `features` (row-major, `d` values a sample) and `labels` for the samples
/// `start..start + count` of a split whose labels are `split_labels`, where `count` is as
/// many as `labels` holds and the split has left. `forward(first, n)` returns the n×d
/// features of samples `first..first + n` (n ≤ [`EVAL_CHUNK`]). Returns `count`.
pub fn fill_features<E: Into<PluginError>>(
    d: usize,
    split_labels: &[u32],
    start: usize,
    features: &mut [f64],
    labels: &mut [u32],
    mut forward: impl FnMut(usize, usize) -> Result<Vec<f64>, E>,
) -> Result<usize, PluginError> {
    let count = labels.len().min(split_labels.len().saturating_sub(start));
    if features.len() < count * d {
        return Err(PluginError::BadInput(format!(
            "feature buffer holds {} values, {count} samples need {}",
            features.len(),
            count * d
        )));
    }
    let mut done = 0;
    while done < count {
        let n = EVAL_CHUNK.min(count - done);
        let h = forward(start + done, n).map_err(Into::into)?;
        features[done * d..(done + n) * d].copy_from_slice(&h);
        done += n;
    }
    labels[..count].copy_from_slice(&split_labels[start..start + count]);
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_request_and_stop_at_the_split_end() {
        let split_labels: Vec<u32> = (0..600).map(|i| i % 7).collect();
        let (mut feats, mut labels) = (vec![0.0; 2 * 700], vec![9u32; 700]);
        let mut calls = Vec::new();
        let got = fill_features(2, &split_labels, 50, &mut feats, &mut labels, |s, n| {
            calls.push((s, n));
            Ok::<_, PluginError>((s..s + n).flat_map(|i| [i as f64, -(i as f64)]).collect())
        })
        .unwrap();
        assert_eq!(got, 550);
        assert_eq!(calls, [(50, 256), (306, 256), (562, 38)]);
        assert_eq!(&feats[..4], &[50.0, -50.0, 51.0, -51.0]);
        assert_eq!(feats[2 * 549], 599.0);
        assert_eq!(&labels[..550], &split_labels[50..]);
        assert!(labels[550..].iter().all(|&l| l == 9));
        let e = fill_features(3, &split_labels, 0, &mut [0.0; 5], &mut [0; 2], |_, _| {
            Ok::<_, PluginError>(vec![])
        })
        .unwrap_err();
        assert!(
            e.to_string().contains("feature buffer holds 5 values"),
            "{e}"
        );
    }
}
