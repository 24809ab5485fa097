//! Session behaviour without the host: determinism on CPU, exact resume from a saved state
//! (SGD and Adam buffers and the L-BFGS history included), and clear refusals.

use collapse_plugin_api::{
    Backend, DataSet, DataShape, OptimizerConfig, PluginError, SessionConfig, Split, TrainRequest,
};
use collapse_plugin_tch::TchSession;
use serde_json::json;

fn config(optimizer: &str, device: &str) -> SessionConfig {
    let mut extra = serde_json::Map::new();
    if optimizer == "lbfgs" {
        extra.insert("max_iter".into(), json!(3));
    }
    SessionConfig {
        model: json!({"classes": 4, "model": "resnet18", "width": 4, "stem": "3x3",
                      "input_shape": [3, 8, 8], "feature_dim": 4, "classifier": "etf"}),
        optimizer: OptimizerConfig {
            name: optimizer.into(),
            momentum: 0.9,
            weight_decay: 5e-4,
            batch_size: 6,
            extra,
        },
        seed: 17,
        device: device.into(),
    }
}

fn session(optimizer: &str) -> TchSession {
    let mut s = TchSession::create(config(optimizer, "cpu")).unwrap();
    let n = 20;
    let values: Vec<f32> = (0..n * 3 * 8 * 8)
        .map(|i| ((i * 7919) % 101) as f32 / 50.0 - 1.0)
        .collect();
    let labels: Vec<u32> = (0..n).map(|i| (i % 4) as u32).collect();
    s.set_data(DataSet {
        split: Split::Train,
        shape: DataShape::Images {
            channels: 3,
            height: 8,
            width: 8,
        },
        classes: 4,
        values: &values,
        labels: &labels,
    })
    .unwrap();
    s
}

fn epoch(s: &mut TchSession, e: u64) -> f64 {
    let r = s
        .train(TrainRequest {
            epoch: e,
            lr: 0.01,
            steps: None,
        })
        .unwrap();
    assert_eq!(r.steps, 4, "20 samples in batches of 6: 6, 6, 6, 2");
    r.loss
}

#[test]
fn training_is_deterministic_and_resumes_exactly() {
    for opt in ["sgd", "adam", "lbfgs"] {
        let mut a = session(opt);
        let mut b = session(opt);
        let la: Vec<f64> = (0..3).map(|e| epoch(&mut a, e)).collect();
        let lb: Vec<f64> = (0..3).map(|e| epoch(&mut b, e)).collect();
        assert_eq!(la, lb, "{opt}: two sessions of one seed differ");
        assert_eq!(a.save_state().unwrap(), b.save_state().unwrap());
        // Interrupted after epoch 0, restored into a fresh session, continued.
        let mut c = session(opt);
        epoch(&mut c, 0);
        let saved = c.save_state().unwrap();
        let mut d = session(opt);
        d.load_state(&saved).unwrap();
        let ld: Vec<f64> = (1..3).map(|e| epoch(&mut d, e)).collect();
        assert_eq!(ld, la[1..], "{opt}: the resumed run differs");
        assert_eq!(d.save_state().unwrap(), a.save_state().unwrap());
    }
}

#[test]
fn a_state_of_another_optimizer_or_shape_is_refused() {
    let sgd = session("sgd").save_state().unwrap();
    let err = session("adam").load_state(&sgd).unwrap_err();
    assert!(
        matches!(err, PluginError::BadInput(ref m) if m.contains("optimizer")),
        "{err}"
    );
    let mut wide = config("sgd", "cpu");
    wide.model["width"] = json!(8);
    let mut other = TchSession::create(wide).unwrap();
    let err = other.load_state(&sgd).unwrap_err();
    assert!(
        matches!(err, PluginError::BadInput(ref m) if m.contains("shape")),
        "{err}"
    );
}

#[test]
fn unsupported_requests_say_what_to_do() {
    let mut rmsprop = config("sgd", "cpu");
    rmsprop.optimizer.name = "rmsprop".into();
    let err = TchSession::create(rmsprop).unwrap_err();
    assert!(
        matches!(err, PluginError::Unsupported(ref m) if m.contains("sgd, adam and lbfgs")),
        "{err}"
    );
    let err = TchSession::create(config("sgd", "tpu")).unwrap_err();
    assert!(
        matches!(err, PluginError::BadInput(ref m) if m.contains("cuda")),
        "{err}"
    );
    if !collapse_plugin_tch::device::cuda_available() {
        // The lean CPU libtorch: libtorch_cuda.so is there but cannot load (no cuDNN/cuBLAS).
        let err = TchSession::create(config("sgd", "cuda")).unwrap_err();
        assert!(
            matches!(err, PluginError::Unsupported(ref m) if m.contains("LIBTORCH")),
            "{err}"
        );
        assert_eq!(TchSession::describe().devices, ["cpu"]);
    }
}

#[test]
fn the_fixed_etf_head_stays_exactly_fixed_under_every_optimizer() {
    for opt in ["sgd", "adam", "lbfgs"] {
        let mut s = session(opt);
        let before = s.save_state().unwrap();
        epoch(&mut s, 0);
        let after = s.save_state().unwrap();
        let (a, b) = (
            safetensors::SafeTensors::deserialize(&before).unwrap(),
            safetensors::SafeTensors::deserialize(&after).unwrap(),
        );
        let data =
            |st: &safetensors::SafeTensors<'_>, n: &str| st.tensor(n).unwrap().data().to_vec();
        assert_eq!(
            data(&a, "fc.weight"),
            data(&b, "fc.weight"),
            "{opt}: the ETF moved"
        );
        assert_ne!(
            data(&a, "fc.bias"),
            data(&b, "fc.bias"),
            "{opt}: the bias did not train"
        );
        assert_ne!(
            data(&a, "conv1.weight"),
            data(&b, "conv1.weight"),
            "{opt}: nothing trained"
        );
    }
}

/// The shared session contract (`collapse_backend_spec::conformance`), as candle runs it.
mod conformance {
    use collapse_backend_spec::conformance;
    use collapse_plugin_tch::TchSession;

    #[test]
    fn fixed_etf_head_stays_exactly_fixed_under_every_optimizer() {
        conformance::fixed_etf_head_stays_exactly_fixed_under_every_optimizer::<TchSession>();
    }

    #[test]
    fn saved_state_resumes_bit_for_bit() {
        conformance::saved_state_resumes_bit_for_bit::<TchSession>();
    }

    #[test]
    fn state_names_follow_torchvision_and_other_states_are_refused() {
        conformance::state_names_follow_torchvision_and_other_states_are_refused::<TchSession>();
    }

    #[test]
    fn bad_descriptions_are_refused_naming_the_key() {
        conformance::bad_descriptions_are_refused_naming_the_key::<TchSession>();
    }

    #[test]
    fn augmentation_changes_the_training_batches_reproducibly_and_resumes() {
        conformance::augmentation_changes_the_training_batches_reproducibly_and_resumes::<TchSession>(
        );
    }
}
