//! Collapse residuals of a UFM point, computed exactly from the full feature matrix: the
//! quantities that go to zero along a solve. The streaming, variant-complete versions for
//! real networks live in `collapse-metrics`; these serve the theory checks.

use crate::etf::gram_distance;
use crate::traits::{ClassifierHead, FeatureModel, Metric};
use faer::Mat;

/// Class means of the features, d×K.
pub fn class_means(model: &dyn FeatureModel) -> Mat<f64> {
    let h = model.features();
    let k = model.classes();
    let mut means = Mat::<f64>::zeros(h.nrows(), k);
    let mut counts = vec![0usize; k];
    for (j, &y) in model.labels().iter().enumerate() {
        counts[y] += 1;
        for i in 0..h.nrows() {
            means[(i, y)] += h[(i, j)];
        }
    }
    for (c, &n) in counts.iter().enumerate() {
        for i in 0..h.nrows() {
            means[(i, c)] /= n.max(1) as f64;
        }
    }
    means
}

/// Within-class variability relative to the spread of the class means:
/// Σ_i ‖h_i − μ_{y_i}‖² / Σ_i ‖μ_{y_i} − μ_G‖²: 0 at collapse (and, by convention, at H = 0).
pub struct WithinClassVariation;

impl Metric for WithinClassVariation {
    fn name(&self) -> &'static str {
        "within_class_variation"
    }
    fn compute(&self, model: &dyn FeatureModel, _head: &dyn ClassifierHead) -> f64 {
        let h = model.features();
        let means = class_means(model);
        let d = h.nrows();
        let n = h.ncols() as f64;
        let global: Vec<f64> = (0..d)
            .map(|i| (0..h.ncols()).map(|j| h[(i, j)]).sum::<f64>() / n)
            .collect();
        let (mut within, mut between) = (0.0, 0.0);
        for (j, &y) in model.labels().iter().enumerate() {
            for i in 0..d {
                within += (h[(i, j)] - means[(i, y)]).powi(2);
                between += (means[(i, y)] - global[i]).powi(2);
            }
        }
        if between == 0.0 {
            0.0
        } else {
            within / between
        }
    }
}

/// NC2 on the classifier: ‖WWᵀ/‖WWᵀ‖_F − E‖_F.
pub struct EtfGramDistance;

impl Metric for EtfGramDistance {
    fn name(&self) -> &'static str {
        "nc2_w"
    }
    fn compute(&self, _features: &dyn FeatureModel, head: &dyn ClassifierHead) -> f64 {
        gram_distance(head.weights())
    }
}
