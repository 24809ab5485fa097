//! The backend driven directly (no ABI) on small random images: the fixed ETF head stays
//! exactly fixed under every optimiser, a saved state resumes bit for bit, sessions are
//! deterministic for a seed, and bad descriptions are refused with the key named.

use collapse_core::etf::{simplex_etf, Placement};
use collapse_plugin_api::{
    Backend, DataSet, DataShape, OptimizerConfig, PluginError, SessionConfig, Split, TrainRequest,
};
use collapse_plugin_candle::CandleSession;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

const K: usize = 4;
const N: usize = 24;

fn config(model: serde_json::Value, optimizer: &str) -> SessionConfig {
    let mut extra = serde_json::Map::new();
    if optimizer == "lbfgs" {
        extra.insert("max_iter".into(), json!(3));
    }
    SessionConfig {
        model,
        optimizer: OptimizerConfig {
            name: optimizer.into(),
            momentum: 0.9,
            weight_decay: 5e-3,
            batch_size: 8,
            extra,
        },
        seed: 11,
        device: "cpu".into(),
    }
}

fn resnet(head: &str, d: Option<usize>) -> serde_json::Value {
    let mut m = json!({"classes": K, "model": "resnet18", "width": 2, "input_shape": [3, 16, 16],
                       "classifier": head});
    if let Some(d) = d {
        m["feature_dim"] = json!(d);
    }
    m
}

fn session(cfg: &SessionConfig) -> CandleSession {
    let mut s = CandleSession::create(cfg.clone()).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let values: Vec<f32> = (0..N * 3 * 16 * 16)
        .map(|_| rng.random_range(-1.0..1.0))
        .collect();
    let labels: Vec<u32> = (0..N as u32).map(|i| i % K as u32).collect();
    s.set_data(DataSet {
        split: Split::Train,
        shape: DataShape::Images {
            channels: 3,
            height: 16,
            width: 16,
        },
        classes: K,
        values: &values,
        labels: &labels,
    })
    .unwrap();
    s
}

fn epoch(s: &mut CandleSession, e: u64, lr: f64) {
    s.train(TrainRequest {
        epoch: e,
        lr,
        steps: None,
    })
    .unwrap();
}

#[test]
fn fixed_etf_head_stays_exactly_fixed_under_every_optimizer() {
    for opt in ["sgd", "adam", "lbfgs"] {
        for (d, rot) in [(Some(K), None), (None, Some(7u64))] {
            let mut model = resnet("etf", d);
            if let Some(seed) = rot {
                model["etf_rotation_seed"] = json!(seed);
            }
            let mut s = session(&config(model, opt));
            let before = s.classifier().unwrap();
            let dim = before.dim;
            let placement = rot.map_or(Placement::Canonical, |seed| Placement::Rotated { seed });
            let etf = simplex_etf(K, dim, placement).unwrap();
            for i in 0..K {
                for j in 0..dim {
                    let w = before.weights[i * dim + j];
                    assert!((w - etf[(i, j)]).abs() < 1e-6, "{opt}: W[{i},{j}] = {w}");
                }
            }
            epoch(&mut s, 1, 0.05);
            epoch(&mut s, 2, 0.05);
            let after = s.classifier().unwrap();
            assert_eq!(after.weights, before.weights, "{opt}: the ETF moved");
            assert_ne!(after.bias, before.bias, "{opt}: the bias is trainable");
        }
    }
}

/// Two states are byte-identical; otherwise names the first tensor that differs.
fn same(a: &[u8], b: &[u8], what: &str) {
    if a == b {
        return;
    }
    let (sa, sb) = (
        safetensors::SafeTensors::deserialize(a).unwrap(),
        safetensors::SafeTensors::deserialize(b).unwrap(),
    );
    let mut names = sa.names();
    names.sort();
    for n in names {
        let (x, y) = (sa.tensor(n).unwrap(), sb.tensor(n));
        match y {
            Ok(y) if y.data() == x.data() => {}
            _ => panic!("{what}: tensor {n} differs"),
        }
    }
    panic!("{what}: states differ in their tensor sets or metadata");
}

#[test]
fn saved_state_resumes_bit_for_bit() {
    let models = [
        resnet("learned", None),
        json!({"classes": K, "model": "mlp", "width": 16, "depth": 2,
               "input_shape": [3, 16, 16]}),
    ];
    for model in models {
        for opt in ["sgd", "adam", "lbfgs"] {
            let cfg = config(model.clone(), opt);
            let mut a = session(&cfg);
            epoch(&mut a, 1, 0.05);
            let state = a.save_state().unwrap();
            let mut b = session(&cfg);
            b.load_state(&state).unwrap();
            same(
                &b.save_state().unwrap(),
                &state,
                &format!("{opt}: load then save"),
            );
            // Same seed, fresh session: the same trajectory (CPU determinism).
            let mut c = session(&cfg);
            epoch(&mut c, 1, 0.05);
            same(
                &c.save_state().unwrap(),
                &state,
                &format!("{opt}: determinism"),
            );
            epoch(&mut a, 2, 0.03);
            epoch(&mut b, 2, 0.03);
            same(
                &a.save_state().unwrap(),
                &b.save_state().unwrap(),
                &format!("{opt} {}: resumed epoch", model["model"]),
            );
        }
    }
}

#[test]
fn state_names_follow_torchvision_and_other_states_are_refused() {
    let mut a = session(&config(resnet("learned", None), "sgd"));
    epoch(&mut a, 1, 0.05);
    let bytes = a.save_state().unwrap();
    let st = safetensors::SafeTensors::deserialize(&bytes).unwrap();
    let names = st.names();
    for want in [
        "conv1.weight",
        "bn1.running_var",
        "bn1.num_batches_tracked",
        "layer4.0.downsample.1.running_mean",
        "fc.weight",
        "fc.bias",
        "optimizer.fc.weight.momentum_buffer",
    ] {
        assert!(names.contains(&want), "missing {want}");
    }
    assert_eq!(st.tensor("fc.weight").unwrap().shape(), &[K, 16]);
    // Another optimiser, another head, another width: refused, not silently loaded.
    for cfg in [
        config(resnet("learned", None), "adam"),
        config(resnet("etf", None), "sgd"),
        config(resnet("learned", Some(K)), "sgd"),
    ] {
        let mut b = session(&cfg);
        match b.load_state(&bytes) {
            Err(PluginError::BadInput(m)) => assert!(m.contains("state"), "{m}"),
            other => panic!("expected BadInput, got {other:?}"),
        }
    }
}

#[test]
fn bad_descriptions_are_refused_naming_the_key() {
    let cases = [
        (json!({"classes": K, "model": "vgg"}), "model"),
        (
            json!({"classes": K, "model": "resnet18", "feature_dim": 100}),
            "feature_dim",
        ),
        (
            json!({"classes": K, "model": "mlp", "width": 8, "feature_dim": 9}),
            "feature_dim",
        ),
        (json!({"classes": K, "stem": "5x5"}), "stem"),
        (
            json!({"classes": K, "etf_rotation_seed": 3}),
            "etf_rotation_seed",
        ),
        (json!({"classes": K, "colour": "red"}), "colour"),
        (json!({"classes": 1}), "classes"),
    ];
    for (model, key) in cases {
        match CandleSession::create(config(model.clone(), "sgd")) {
            Err(PluginError::BadInput(m)) => assert!(m.contains(key), "{model}: {m}"),
            other => panic!("{model}: expected BadInput, got {other:?}"),
        }
    }
    let mut cfg = config(resnet("learned", None), "rmsprop");
    assert!(matches!(
        CandleSession::create(cfg.clone()),
        Err(PluginError::Unsupported(_))
    ));
    cfg.optimizer.name = "adam".into();
    cfg.optimizer.extra.insert("history".into(), json!(3));
    match CandleSession::create(cfg) {
        Err(PluginError::BadInput(m)) => assert!(m.contains("history"), "{m}"),
        other => panic!("expected BadInput, got {other:?}"),
    }
}

#[test]
fn augmentation_changes_the_training_batches_reproducibly_and_resumes() {
    let plain = json!({"classes": K, "model": "mlp", "width": 16, "depth": 2,
                       "input_shape": [3, 16, 16]});
    let mut augmented = plain.clone();
    augmented["augment"] = json!({"padding": 2, "fill": [-0.5, 0.0, 0.5]});
    let (cp, ca) = (config(plain, "sgd"), config(augmented, "sgd"));
    let (mut p, mut a) = (session(&cp), session(&ca));
    // Same seed, same initial weights: evaluation (un-augmented data) agrees before training.
    same(&p.save_state().unwrap(), &a.save_state().unwrap(), "init");
    epoch(&mut p, 1, 0.05);
    epoch(&mut a, 1, 0.05);
    assert_ne!(
        p.save_state().unwrap(),
        a.save_state().unwrap(),
        "augmentation did not change the training batches"
    );
    // Reproducible for the seed, and a resumed session draws the same crops in epoch 2.
    let saved = a.save_state().unwrap();
    let mut b = session(&ca);
    epoch(&mut b, 1, 0.05);
    same(&b.save_state().unwrap(), &saved, "augmented determinism");
    let mut r = session(&ca);
    r.load_state(&saved).unwrap();
    epoch(&mut a, 2, 0.05);
    epoch(&mut r, 2, 0.05);
    same(
        &a.save_state().unwrap(),
        &r.save_state().unwrap(),
        "augmented resume",
    );
    let mut bad = config(
        json!({"classes": K, "model": "mlp", "input_shape": [3, 16, 16]}),
        "sgd",
    );
    bad.model["augment"] = json!({"fill": [0.0]});
    match CandleSession::create(bad) {
        Err(PluginError::BadInput(m)) => assert!(m.contains("model.augment.fill"), "{m}"),
        other => panic!("expected BadInput, got {other:?}"),
    }
}
