//! `collapse model summary` asks the candle plugin (built as a dev-dependency) for parameter
//! counts: every row of `docs/reference.md` §2's table, exactly; bad flags exit with 2.

mod common;

use collapse_backend_spec::reference_counts::{frozen_head_params, RESNET18_TRAINABLE_PARAMS};
use common::collapse;

#[test]
fn candle_resnet18_counts_match_the_reference_table() {
    for (stem, d, head, trainable) in RESNET18_TRAINABLE_PARAMS {
        let frozen = frozen_head_params(head, 10, d);
        let d = d.to_string();
        let d = d.as_str();
        let out = collapse(&[
            "model",
            "summary",
            "--backend",
            "candle",
            "--model",
            "resnet18",
            "--stem",
            stem,
            "--classifier",
            head,
            "--feature-dim",
            d,
            "--classes",
            "10",
            "--json",
        ]);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{stderr}");
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["trainable_params"], trainable, "{stem} {d} {head}");
        assert_eq!(v["total_params"], trainable + frozen, "{stem} {d} {head}");
        assert_eq!(v["feature_dim"].to_string(), d);
    }
}

#[test]
fn bad_model_flags_exit_with_2_naming_the_key() {
    let out = collapse(&[
        "model",
        "summary",
        "--backend",
        "candle",
        "--feature-dim",
        "100",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("feature_dim"), "{stderr}");
}
