//! What every end-to-end test of the `collapse` binary shares: running it the way a user
//! would, with the backend plugins that cargo built as this package's dev-dependencies.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The folder cargo builds the dev-dependency plugins into: next to this test executable.
pub fn plugin_dir() -> PathBuf {
    std::env::current_exe()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf()
}

/// Runs `collapse ARGS` with the plugins on its search path.
pub fn collapse(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_collapse"))
        .args(args)
        .env("COLLAPSE_PLUGIN_PATH", plugin_dir())
        .output()
        .expect("the collapse binary runs")
}
