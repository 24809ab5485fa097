//! `export_backend!` refuses to compile under `panic = "abort"` (issue 10): such a plugin's
//! panic would kill the host with SIGABRT and no message instead of unwinding to the ABI
//! boundary. Checked by `cargo check` of a one-file plugin with that profile.

use std::process::Command;

const PLUGIN: &str = r#"
use collapse_plugin_api::*;
pub struct B;
impl Backend for B {
    fn describe() -> BackendInfo { unimplemented!() }
    fn create(_: SessionConfig) -> Result<Self, PluginError> { unimplemented!() }
    fn train(&mut self, _: TrainRequest) -> Result<TrainReport, PluginError> { unimplemented!() }
    fn info(&self) -> SessionInfo { unimplemented!() }
    fn features(&mut self, _: Split, _: usize, _: &mut [f64], _: &mut [u32]) -> Result<usize, PluginError> { unimplemented!() }
    fn classifier(&self) -> Result<Classifier, PluginError> { unimplemented!() }
    fn save_state(&self) -> Result<Vec<u8>, PluginError> { unimplemented!() }
    fn load_state(&mut self, _: &[u8]) -> Result<(), PluginError> { unimplemented!() }
}
export_backend!(B);
"#;

fn check(panic: &str) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let api = env!("CARGO_MANIFEST_DIR");
    std::fs::write(
        dir.path().join("Cargo.toml"),
        format!(
            "[package]\nname = \"abort-plugin\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\
             [lib]\ncrate-type = [\"cdylib\"]\npath = \"lib.rs\"\n\
             [dependencies]\ncollapse-plugin-api = {{ path = {api:?} }}\n\
             [profile.dev]\npanic = \"{panic}\"\n[workspace]\n"
        ),
    )
    .unwrap();
    std::fs::write(dir.path().join("lib.rs"), PLUGIN).unwrap();
    // The workspace's lock file, so the check resolves offline to the same versions.
    let lock = std::path::Path::new(api).join("../../Cargo.lock");
    std::fs::copy(lock, dir.path().join("Cargo.lock")).unwrap();
    let target = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("panic-abort-check");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .current_dir(dir.path())
        .args(["check", "--offline", "--quiet"])
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn a_plugin_built_with_panic_abort_does_not_compile() {
    let (ok, err) = check("abort");
    assert!(!ok, "compiled under panic = \"abort\"");
    assert!(
        err.contains("collapse plugins must be built with panic = \"unwind\""),
        "{err}"
    );
    // The same plugin with the default strategy compiles: the refusal is about the profile.
    let (ok, err) = check("unwind");
    assert!(ok, "{err}");
}
