//! The epoch's sample order and its mini-batches. Both backends draw them here, bit for bit
//! the same, so a seed gives the same batches on candle and tch (their agreement tests).

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The mini-batches of one epoch over `n` samples with batch size `m` (1 ≤ m ≤ n).
///
/// The order is a shuffle seeded by `seed ^ epoch · 0x9E3779B97F4A7C15`, so every epoch
/// differs yet is reproducible. `steps = None` cuts the order into consecutive batches (the
/// last may be short); `Some(s)` takes `s` batches of `m`, wrapping around the order.
pub fn epoch_batches(
    seed: u64,
    epoch: u64,
    n: usize,
    m: usize,
    steps: Option<u64>,
) -> Vec<Vec<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ epoch.wrapping_mul(0x9E37_79B9_7F4A_7C15));
    let mut order: Vec<usize> = (0..n).collect();
    order.shuffle(&mut rng);
    match steps {
        None => order.chunks(m).map(<[usize]>::to_vec).collect(),
        Some(s) => (0..s as usize)
            .map(|k| (k * m..k * m + m).map(|i| order[i % n]).collect())
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_epoch_visits_every_sample_once() {
        let b = epoch_batches(7, 3, 10, 4, None);
        assert_eq!(b.iter().map(Vec::len).collect::<Vec<_>>(), [4, 4, 2]);
        let mut all: Vec<usize> = b.concat();
        all.sort_unstable();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
    }

    #[test]
    fn fixed_steps_wrap_around_the_same_order() {
        let full = epoch_batches(7, 3, 10, 4, None).concat();
        let steps = epoch_batches(7, 3, 10, 4, Some(3)).concat();
        assert_eq!(steps.len(), 12);
        for (i, s) in steps.iter().enumerate() {
            assert_eq!(*s, full[i % 10]);
        }
    }

    #[test]
    fn epochs_and_seeds_change_the_order_reproducibly() {
        let a = epoch_batches(1, 0, 50, 50, None);
        assert_eq!(a, epoch_batches(1, 0, 50, 50, None));
        assert_ne!(a, epoch_batches(1, 1, 50, 50, None));
        assert_ne!(a, epoch_batches(2, 0, 50, 50, None));
    }
}
