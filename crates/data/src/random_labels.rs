//! Balanced random labels (the memorisation experiment): every class gets ⌊n/K⌋ or ⌈n/K⌉
//! examples — exactly n/K when K divides n, as in the paper's 5000 per class — assigned by a
//! seeded shuffle, so the same seed gives the same labels on every machine.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// `n` labels in `0..classes`, balanced, in a random order fixed by `seed`.
/// The first `n mod K` classes get the extra example when K does not divide n.
pub fn balanced_random_labels(n: usize, classes: usize, seed: u64) -> Vec<usize> {
    assert!(classes > 0, "random labels need at least one class");
    let mut labels: Vec<usize> = (0..n).map(|i| i % classes).collect();
    labels.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    labels
}
