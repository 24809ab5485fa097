//! A plugin's panic output names the plugin (issue 10): the default hook prints only a
//! source location inside the plugin, which a user cannot tie to a backend. Run in a child
//! process (this test binary re-executed) so its stderr can be read.

use collapse_plugin_api::{OptimizerConfig, Plugin, PluginSpec, SessionConfig, TrainRequest};
use std::process::Command;

const CHILD: &str = "COLLAPSE_TEST_PANIC_CHILD";

#[test]
fn a_panic_inside_a_plugin_is_printed_with_the_plugin_name() {
    if std::env::var_os(CHILD).is_some() {
        let plugin = Plugin::open(&PluginSpec::Name("test-panic".into())).unwrap();
        let config = SessionConfig {
            model: serde_json::json!({ "panic_in": "train" }),
            optimizer: OptimizerConfig {
                name: "sgd".into(),
                momentum: 0.0,
                weight_decay: 0.0,
                batch_size: 1,
                extra: Default::default(),
            },
            seed: 0,
            device: "cpu".into(),
        };
        let mut session = plugin.create_session(&config).unwrap();
        let request = TrainRequest {
            epoch: 1,
            lr: 0.1,
            steps: None,
        };
        assert!(session.train(request).is_err());
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "a_panic_inside_a_plugin_is_printed_with_the_plugin_name",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    // The plugin's hook writes its name, then the standard report (which starts on a line of
    // its own: "thread '…' panicked at …").
    let lines: Vec<&str> = err.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("panicked at"))
        .unwrap_or_else(|| panic!("no panic output: {err}"));
    assert!(at > 0, "{err}");
    assert_eq!(
        lines[at - 1].trim_end(),
        "[collapse plugin `test-panic`]",
        "{err}"
    );
    assert!(err.contains("deliberate panic in train"), "{err}");
}
