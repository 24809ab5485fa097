//! The plugin guide's example backend, loaded through the ABI: data sets cross the boundary
//! (train and test split), training learns, features stream in chunks into the host's
//! evaluation (including the test-split metrics), and state round-trips.

use collapse_plugin_api::{
    DataSet, DataShape, OptimizerConfig, Plugin, PluginSpec, Session, SessionConfig, Split,
    TrainRequest,
};
use collapse_train::evaluate::evaluate_epoch;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};

const K: usize = 3;
const INPUT: usize = 5;

/// K Gaussian blobs in INPUT dimensions, `per_class` samples each, class-major.
fn blobs(per_class: usize, seed: u64) -> (Vec<f32>, Vec<u32>) {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let noise = Normal::new(0.0, 0.3).unwrap();
    let mut values = Vec::new();
    let mut labels = Vec::new();
    for c in 0..K {
        for _ in 0..per_class {
            for t in 0..INPUT {
                let centre = if t == c { 2.0 } else { 0.0 };
                values.push((centre + noise.sample(&mut rng)) as f32);
            }
            labels.push(c as u32);
        }
    }
    (values, labels)
}

fn session(plugin: &Plugin) -> Session {
    let config = SessionConfig {
        model: serde_json::json!({ "classes": K, "dim": 16 }),
        optimizer: OptimizerConfig {
            name: "sgd".into(),
            momentum: 0.9,
            weight_decay: 1e-3,
            batch_size: 10,
            extra: Default::default(),
        },
        seed: 4,
        device: "cpu".into(),
    };
    plugin.create_session(&config).unwrap()
}

fn give(s: &mut Session, split: Split, values: &[f32], labels: &[u32]) {
    s.set_data(&DataSet {
        split,
        shape: DataShape::Features { dim: INPUT },
        classes: K,
        values,
        labels,
    })
    .unwrap();
}

#[test]
fn the_example_backend_learns_through_the_abi() {
    let plugin = Plugin::open(&PluginSpec::Name("example".into())).unwrap();
    assert_eq!(plugin.info().name, "example");
    let mut s = session(&plugin);
    let (tv, tl) = blobs(40, 1);
    let (sv, sl) = blobs(20, 2);
    give(&mut s, Split::Train, &tv, &tl);
    give(&mut s, Split::Test, &sv, &sl);
    let info = s.info().unwrap();
    assert_eq!(
        (info.train_samples, info.test_samples, info.dim),
        (120, 60, 16)
    );

    let before = evaluate_epoch(&mut s, &info, 0).unwrap();
    for epoch in 1..=15 {
        s.train(TrainRequest {
            epoch,
            lr: 0.2,
            steps: None,
        })
        .unwrap();
    }
    let after = evaluate_epoch(&mut s, &info, 15).unwrap();
    let (test_loss, test_acc) = after.test.unwrap();
    assert!(after.train_acc > 0.95, "train accuracy {}", after.train_acc);
    assert!(test_acc > 0.9, "test accuracy {test_acc}");
    assert!(test_loss < before.test.unwrap().0);
    assert!(
        after.metrics.contains_key("nc4_test"),
        "{:?}",
        after.metrics.keys()
    );

    // State round trip: a fresh session with the same data continues identically.
    let state = s.save_state().unwrap();
    let mut t = session(&plugin);
    give(&mut t, Split::Train, &tv, &tl);
    give(&mut t, Split::Test, &sv, &sl);
    t.load_state(&state).unwrap();
    let r1 = s
        .train(TrainRequest {
            epoch: 16,
            lr: 0.2,
            steps: Some(3),
        })
        .unwrap();
    let r2 = t
        .train(TrainRequest {
            epoch: 16,
            lr: 0.2,
            steps: Some(3),
        })
        .unwrap();
    assert_eq!(r1, r2);
    assert_eq!(r1.steps, 3);
    assert_eq!(s.classifier(K, 16).unwrap(), t.classifier(K, 16).unwrap());
}

#[test]
fn bad_data_is_refused_with_the_plugins_message() {
    let plugin = Plugin::open(&PluginSpec::Name("example".into())).unwrap();
    let mut s = session(&plugin);
    let (v, l) = blobs(2, 3);
    let err = s
        .set_data(&DataSet {
            split: Split::Train,
            shape: DataShape::Features { dim: INPUT },
            classes: K + 1,
            values: &v,
            labels: &l,
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("4 classes, the model 3"), "{err}");
    // The host validates sizes before crossing the boundary.
    let err = s
        .set_data(&DataSet {
            split: Split::Train,
            shape: DataShape::Features { dim: INPUT + 1 },
            classes: K,
            values: &v,
            labels: &l,
        })
        .unwrap_err()
        .to_string();
    assert!(err.contains("values for"), "{err}");
}
