//! Bakes libtorch's library folder into the plugin's (and its tests') run path, so the
//! cdylib loads without `LD_LIBRARY_PATH`. torch-sys reports the folder it linked against as
//! `DEP_TCH_LIBTORCH_LIB` (its `links = "tch"` metadata) to crates depending on it directly.
//!
//! The agreement tests link this crate and the candle plugin as libraries, and both define
//! the plugin ABI's entry points (`collapse_plugin_entry_v1`, ...). Nothing in a test binary
//! looks those up, so duplicate definitions are allowed there; the plugins themselves are
//! separate shared objects, each with its own.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    let unix = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os != "windows");
    if let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        if unix {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
        }
    }
    if unix {
        println!("cargo:rustc-link-arg-tests=-Wl,--allow-multiple-definition");
    }
}
