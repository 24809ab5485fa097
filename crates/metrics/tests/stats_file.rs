//! Statistics files: bit-exact round trips of both passes, merges of decoded shards equal to
//! merges in memory, refusals of mismatched merges, and no panic on damaged bytes.

use collapse_metrics::{
    decode, encode, merge_named, ClassStats, Head, MeanPass, MetricsError, ScatterMode,
    SourceDtype, Statistics, StatsFile,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Features of K classes in d dimensions far from the origin, and their labels.
fn data(k: usize, d: usize, n: usize, seed: u64) -> (Vec<f64>, Vec<usize>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let labels: Vec<usize> = (0..n).map(|i| i % k).collect();
    let feats = labels
        .iter()
        .flat_map(|&y| (0..d).map(move |j| (y * 7 + j) as f64))
        .map(|c| 30.0 + c + rng.random::<f64>())
        .collect();
    (feats, labels)
}

fn head(k: usize, d: usize) -> Head {
    let w: Vec<f64> = (0..k * d).map(|i| ((i * 37) % 11) as f64 - 5.0).collect();
    let b: Vec<f64> = (0..k).map(|c| c as f64 * 0.1).collect();
    Head::new(&w, k, d, Some(&b)).unwrap()
}

fn first(mode: ScatterMode, feats: &[f64], labels: &[usize], k: usize, d: usize) -> ClassStats {
    let mut s = ClassStats::new(k, d, mode).unwrap();
    s.push(feats, labels).unwrap();
    s
}

fn file(stats: Statistics) -> StatsFile {
    StatsFile {
        dtype: SourceDtype::Float32,
        stats,
    }
}

#[test]
fn both_passes_round_trip_bit_exactly() {
    let (k, d) = (4, 6);
    let (x, y) = data(k, d, 50, 1);
    for mode in [ScatterMode::Full, ScatterMode::TraceOnly] {
        let s = first(mode, &x, &y, k, d);
        let f = file(Statistics::First(s.clone()));
        let back = decode(&encode(&f)).unwrap();
        assert_eq!(back, f);
        let mut pass = MeanPass::new(&s, Some(&head(k, d))).unwrap();
        pass.push(&x, &y).unwrap();
        for stats in [
            Statistics::SecondTrain(pass.clone()),
            Statistics::SecondTest(pass.clone()),
        ] {
            let f = file(stats);
            let bytes = encode(&f);
            assert_eq!(decode(&bytes).unwrap(), f);
            assert_eq!(encode(&decode(&bytes).unwrap()), bytes);
        }
        let mut headless = MeanPass::new(&s, None).unwrap();
        headless.push(&x, &y).unwrap();
        let f = file(Statistics::SecondTrain(headless));
        assert_eq!(decode(&encode(&f)).unwrap(), f);
    }
}

#[test]
fn decoded_shards_merge_like_the_accumulators() {
    let (k, d) = (3, 5);
    let (x, y) = data(k, d, 60, 2);
    let cut = 25;
    let a = first(ScatterMode::Full, &x[..cut * d], &y[..cut], k, d);
    let b = first(ScatterMode::Full, &x[cut * d..], &y[cut..], k, d);
    let mut direct = a.clone();
    direct.merge(&b).unwrap();
    let named = vec![
        (
            "a".to_string(),
            decode(&encode(&file(Statistics::First(a)))).unwrap(),
        ),
        (
            "b".to_string(),
            decode(&encode(&file(Statistics::First(b)))).unwrap(),
        ),
    ];
    let merged = merge_named(named).unwrap();
    assert_eq!(merged.stats, Statistics::First(direct));
    assert_eq!(merged.dtype, SourceDtype::Float32);
}

#[test]
fn mismatched_merges_are_refused_naming_both_files() {
    let (k, d) = (3, 4);
    let (x, y) = data(k, d, 30, 3);
    let s = first(ScatterMode::TraceOnly, &x, &y, k, d);
    let other = first(ScatterMode::TraceOnly, &x[..15 * d], &y[..15], k, d);
    let (x5, y5) = data(4, d, 30, 3);
    let wider = first(ScatterMode::TraceOnly, &x5, &y5, 4, d);
    let pass_of = |stats: &ClassStats| {
        let mut p = MeanPass::new(stats, None).unwrap();
        p.push(&x, &y).unwrap();
        file(Statistics::SecondTrain(p))
    };
    let cases = [
        (
            file(Statistics::First(s.clone())),
            pass_of(&s),
            "first-pass",
        ),
        (
            file(Statistics::First(s.clone())),
            file(Statistics::First(wider)),
            "K = 3",
        ),
        (
            file(Statistics::First(s.clone())),
            file(Statistics::First(first(ScatterMode::Full, &x, &y, k, d))),
            "scatter modes",
        ),
        (pass_of(&s), pass_of(&other), "different class means"),
    ];
    for (a, b, needle) in cases {
        let err = merge_named(vec![
            ("shard_a.cstats".into(), a),
            ("shard_b.cstats".into(), b),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("shard_a.cstats")
                && err.contains("shard_b.cstats")
                && err.contains(needle),
            "{err}"
        );
    }
}

#[test]
fn damaged_bytes_are_refused_without_panicking() {
    let (k, d) = (3, 4);
    let (x, y) = data(k, d, 30, 4);
    let s = first(ScatterMode::Full, &x, &y, k, d);
    let mut pass = MeanPass::new(&s, Some(&head(k, d))).unwrap();
    pass.push(&x, &y).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for stats in [Statistics::First(s), Statistics::SecondTrain(pass)] {
        let bytes = encode(&file(stats));
        for len in 0..bytes.len() {
            let err = decode(&bytes[..len]).unwrap_err();
            assert!(matches!(err, MetricsError::BadStats { .. }), "{err}");
        }
        let mut padded = bytes.clone();
        padded.push(0);
        assert!(decode(&padded).is_err());
        for _ in 0..2000 {
            let mut flipped = bytes.clone();
            let i = rng.random_range(0..flipped.len());
            flipped[i] ^= 1 << rng.random_range(0..8);
            let err = decode(&flipped).unwrap_err().to_string();
            assert!(err.contains("not a valid statistics file"), "{err}");
        }
        // Random garbage after a valid magic and version.
        for _ in 0..500 {
            let mut junk: Vec<u8> = (0..rng.random_range(0..300))
                .map(|_| rng.random())
                .collect();
            if junk.len() >= 12 {
                junk[..8].copy_from_slice(b"CLPSTATS");
                junk[8..12].copy_from_slice(&1u32.to_le_bytes());
            }
            assert!(decode(&junk).is_err());
        }
    }
    let err = decode(b"\x93NUMPY not stats").unwrap_err().to_string();
    assert!(err.contains("--save-stats"), "{err}");
}
