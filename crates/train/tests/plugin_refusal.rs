//! Plugins that break the contract are refused or contained with clear errors: one built for
//! another ABI major version, one that panics, and files that are not plugins at all.

use collapse_plugin_api::{
    abi::ABI_MAJOR, OptimizerConfig, Plugin, PluginError, PluginSpec, SessionConfig, TrainRequest,
};
use collapse_train::{train, Experiment, ProgressMode, RunOptions};

fn config(panic_in: &str) -> SessionConfig {
    SessionConfig {
        model: serde_json::json!({ "panic_in": panic_in }),
        optimizer: OptimizerConfig {
            name: "sgd".into(),
            momentum: 0.0,
            weight_decay: 0.0,
            batch_size: 1,
            extra: Default::default(),
        },
        seed: 0,
        device: "cpu".into(),
    }
}

#[test]
fn a_plugin_of_another_abi_version_is_refused_naming_both_versions() {
    let err = Plugin::open(&PluginSpec::Name("test-bad-abi".into())).unwrap_err();
    assert!(matches!(err, PluginError::AbiMismatch { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains(&format!("ABI version {}", ABI_MAJOR + 1)),
        "{msg}"
    );
    assert!(msg.contains(&format!("ABI version {ABI_MAJOR}.")), "{msg}");
    assert!(msg.contains("rebuild"), "{msg}");
}

#[test]
fn the_training_host_refuses_it_too() {
    let tmp = tempfile::tempdir().unwrap();
    let exp = Experiment {
        backend: Some("test-bad-abi".into()),
        classes: Some(2),
        per_class: Some(1),
        dim: Some(2),
        ..Experiment::default()
    };
    let opts = RunOptions {
        progress: ProgressMode::Silent,
        stop_after: None,
    };
    let err = train(&exp, &tmp.path().join("run"), opts).unwrap_err();
    assert!(err.is_bad_input());
    assert!(
        err.to_string()
            .contains("built for collapse plugin ABI version"),
        "{err}"
    );
    assert!(
        !tmp.path().join("run").exists(),
        "no run directory for a refused plugin"
    );
}

#[test]
fn a_panic_in_train_becomes_an_error_and_poisons_only_that_session() {
    let plugin = Plugin::open(&PluginSpec::Name("test-panic".into())).unwrap();
    assert_eq!(plugin.info().name, "test-panic");
    let mut s = plugin.create_session(&config("train")).unwrap();
    let req = TrainRequest {
        epoch: 1,
        lr: 0.1,
        steps: None,
    };
    let err = s.train(req).unwrap_err();
    assert!(
        matches!(err, PluginError::Panicked { call: "train", .. }),
        "{err}"
    );
    assert!(
        err.to_string().contains("deliberate panic in train"),
        "{err}"
    );
    // The session refuses further work...
    let again = s.info().unwrap_err().to_string();
    assert!(again.contains("panicked earlier"), "{again}");
    // ...while a fresh session of the same plugin works.
    let mut fresh = plugin.create_session(&config("nothing")).unwrap();
    fresh.train(req).unwrap();
    assert_eq!(fresh.info().unwrap().classes, 2);
}

#[test]
fn a_panic_in_create_or_features_is_contained() {
    let plugin = Plugin::open(&PluginSpec::Name("test-panic".into())).unwrap();
    let err = plugin.create_session(&config("create")).unwrap_err();
    assert!(
        matches!(
            err,
            PluginError::Panicked {
                call: "create_session",
                ..
            }
        ),
        "{err}"
    );

    let tmp = tempfile::tempdir().unwrap();
    let exp = Experiment {
        backend: Some("test-panic".into()),
        classes: Some(2),
        per_class: Some(1),
        dim: Some(2),
        epochs: 2,
        model: toml::from_str("panic_in = \"features\"").unwrap(),
        ..Experiment::default()
    };
    let opts = RunOptions {
        progress: ProgressMode::Silent,
        stop_after: None,
    };
    let err = train(&exp, &tmp.path().join("run"), opts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("panicked in features"), "{err}");
}

#[test]
fn files_that_are_not_plugins_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = tmp.path().join("libcollapse_plugin_fake.so");
    std::fs::write(&fake, b"not a library").unwrap();
    let err = Plugin::load(&fake).unwrap_err();
    assert!(matches!(err, PluginError::Load { .. }), "{err}");
    assert!(
        err.to_string().contains("libcollapse_plugin_fake.so"),
        "{err}"
    );

    let err = Plugin::open(&PluginSpec::Name("does-not-exist".into()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("COLLAPSE_PLUGIN_PATH"), "{err}");
}
