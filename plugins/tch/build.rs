//! Bakes libtorch's library folder into the plugin's (and its tests') run path, so the
//! cdylib loads without `LD_LIBRARY_PATH`. torch-sys reports the folder it linked against as
//! `DEP_TCH_LIBTORCH_LIB` (its `links = "tch"` metadata) to crates depending on it directly.

fn main() {
    println!("cargo:rerun-if-env-changed=DEP_TCH_LIBTORCH_LIB");
    if let Ok(lib) = std::env::var("DEP_TCH_LIBTORCH_LIB") {
        if std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os != "windows") {
            println!("cargo:rustc-link-arg=-Wl,-rpath,{lib}");
        }
    }
}
