//! The session contract, driven through the plugin trait on small random images: the fixed
//! ETF head stays exactly fixed under every optimiser, a saved state resumes bit for bit,
//! sessions are deterministic for a seed, states follow torchvision's names and a foreign
//! state is refused, bad descriptions are refused with the key named, and crop+flip
//! augmentation is reproducible and resumes.

use collapse_core::etf::{simplex_etf, Placement};
use collapse_plugin_api::{
    Backend, DataSet, DataShape, OptimizerConfig, PluginError, SessionConfig, Split, TrainRequest,
};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;

const K: usize = 4;
const N: usize = 24;

fn session_config(model: serde_json::Value, optimizer: &str) -> SessionConfig {
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

fn session<B: Backend>(cfg: &SessionConfig) -> B {
    let mut s = B::create(cfg.clone()).unwrap();
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

fn epoch<B: Backend>(s: &mut B, e: u64, lr: f64) {
    s.train(TrainRequest {
        epoch: e,
        lr,
        steps: None,
    })
    .unwrap();
}

/// The fixed ETF head (canonical with d = K, rotated with d = 8·width) starts as
/// `collapse_core::etf` and never moves under SGD, Adam or L-BFGS; its bias trains.
pub fn fixed_etf_head_stays_exactly_fixed_under_every_optimizer<B: Backend>() {
    for opt in ["sgd", "adam", "lbfgs"] {
        for (d, rot) in [(Some(K), None), (None, Some(7u64))] {
            let mut model = resnet("etf", d);
            if let Some(seed) = rot {
                model["etf_rotation_seed"] = json!(seed);
            }
            let mut s = session::<B>(&session_config(model, opt));
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

/// For a ResNet and an MLP under every optimiser: load-then-save is the identity, a fresh
/// session of the same seed repeats the trajectory, and a resumed epoch equals the
/// uninterrupted one, byte for byte.
pub fn saved_state_resumes_bit_for_bit<B: Backend>() {
    let models = [
        resnet("learned", None),
        json!({"classes": K, "model": "mlp", "width": 16, "depth": 2,
               "input_shape": [3, 16, 16]}),
    ];
    for model in models {
        for opt in ["sgd", "adam", "lbfgs"] {
            let cfg = session_config(model.clone(), opt);
            let mut a = session::<B>(&cfg);
            epoch(&mut a, 1, 0.05);
            let state = a.save_state().unwrap();
            let mut b = session::<B>(&cfg);
            b.load_state(&state).unwrap();
            same(
                &b.save_state().unwrap(),
                &state,
                &format!("{opt}: load then save"),
            );
            // Same seed, fresh session: the same trajectory (CPU determinism).
            let mut c = session::<B>(&cfg);
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

/// State names are torchvision's (`optimizer.*` after them); a state of another optimiser,
/// head or width is refused as bad input naming the state.
pub fn state_names_follow_torchvision_and_other_states_are_refused<B: Backend>() {
    let mut a = session::<B>(&session_config(resnet("learned", None), "sgd"));
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
        session_config(resnet("learned", None), "adam"),
        session_config(resnet("etf", None), "sgd"),
        session_config(resnet("learned", Some(K)), "sgd"),
    ] {
        let mut b = session::<B>(&cfg);
        match b.load_state(&bytes) {
            Err(PluginError::BadInput(m)) => assert!(m.contains("state"), "{m}"),
            other => panic!("expected BadInput, got {other:?}"),
        }
    }
}

/// Wrong model keys are bad input naming the key; an unknown optimiser is unsupported; an
/// option of another optimiser is bad input naming it.
pub fn bad_descriptions_are_refused_naming_the_key<B: Backend>() {
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
        match B::create(session_config(model.clone(), "sgd")).map(|_| ()) {
            Err(PluginError::BadInput(m)) => assert!(m.contains(key), "{model}: {m}"),
            other => panic!("{model}: expected BadInput, got {other:?}"),
        }
    }
    let mut cfg = session_config(resnet("learned", None), "rmsprop");
    assert!(matches!(
        B::create(cfg.clone()).map(|_| ()),
        Err(PluginError::Unsupported(_))
    ));
    cfg.optimizer.name = "adam".into();
    cfg.optimizer.extra.insert("history".into(), json!(3));
    match B::create(cfg).map(|_| ()) {
        Err(PluginError::BadInput(m)) => assert!(m.contains("history"), "{m}"),
        other => panic!("expected BadInput, got {other:?}"),
    }
}

/// Crop+flip changes the training batches, is reproducible for the seed, resumes with the
/// same crops, and a bad `model.augment.fill` is refused naming it.
pub fn augmentation_changes_the_training_batches_reproducibly_and_resumes<B: Backend>() {
    let plain = json!({"classes": K, "model": "mlp", "width": 16, "depth": 2,
                       "input_shape": [3, 16, 16]});
    let mut augmented = plain.clone();
    augmented["augment"] = json!({"padding": 2, "fill": [-0.5, 0.0, 0.5]});
    let (cp, ca) = (
        session_config(plain, "sgd"),
        session_config(augmented, "sgd"),
    );
    let (mut p, mut a) = (session::<B>(&cp), session::<B>(&ca));
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
    let mut b = session::<B>(&ca);
    epoch(&mut b, 1, 0.05);
    same(&b.save_state().unwrap(), &saved, "augmented determinism");
    let mut r = session::<B>(&ca);
    r.load_state(&saved).unwrap();
    epoch(&mut a, 2, 0.05);
    epoch(&mut r, 2, 0.05);
    same(
        &a.save_state().unwrap(),
        &r.save_state().unwrap(),
        "augmented resume",
    );
    let mut bad = session_config(
        json!({"classes": K, "model": "mlp", "input_shape": [3, 16, 16]}),
        "sgd",
    );
    bad.model["augment"] = json!({"fill": [0.0]});
    match B::create(bad).map(|_| ()) {
        Err(PluginError::BadInput(m)) => assert!(m.contains("model.augment.fill"), "{m}"),
        other => panic!("expected BadInput, got {other:?}"),
    }
}
