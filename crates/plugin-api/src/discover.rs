//! Where the host looks for plugins: an explicit path, or a name resolved on a search path.

use std::path::{Path, PathBuf};

use crate::PluginError;

/// Environment variable holding extra plugin folders (`:`-separated on Unix), searched first.
pub const PLUGIN_PATH_VAR: &str = "COLLAPSE_PLUGIN_PATH";

/// How the user named a plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginSpec {
    /// `--plugin PATH`: exactly this file.
    Path(PathBuf),
    /// `--backend NAME`: `libcollapse_plugin_NAME.so` (platform naming) on the search path.
    Name(String),
}

/// The library file a plugin named `name` builds to on this platform
/// (`libcollapse_plugin_ufm.so` for `ufm` on Linux).
pub fn library_file_name(name: &str) -> String {
    format!(
        "{}collapse_plugin_{}{}",
        std::env::consts::DLL_PREFIX,
        name.replace('-', "_"),
        std::env::consts::DLL_SUFFIX
    )
}

/// The folders searched for a named plugin, in order: [`PLUGIN_PATH_VAR`], the folder of the
/// running executable and its parent (so test binaries in `target/*/deps` find plugins in
/// `target/*`), and the target folders of the workspace this crate was built in.
pub fn search_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(var) = std::env::var_os(PLUGIN_PATH_VAR) {
        dirs.extend(std::env::split_paths(&var).filter(|p| !p.as_os_str().is_empty()));
    }
    if let Ok(exe) = std::env::current_exe() {
        if let Some(dir) = exe.parent() {
            dirs.push(dir.to_path_buf());
            if let Some(parent) = dir.parent() {
                dirs.push(parent.to_path_buf());
            }
        }
    }
    // This crate lives in `<workspace>/crates/plugin-api`.
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let workspace = manifest_dir
        .parent()
        .and_then(Path::parent)
        .unwrap_or(manifest_dir);
    let target = option_env!("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    for profile in ["debug", "release"] {
        dirs.push(target.join(profile));
    }
    let mut seen = std::collections::HashSet::new();
    dirs.retain(|d| seen.insert(d.clone()));
    dirs
}

/// Resolves a spec to a library file, without loading it.
pub fn resolve(spec: &PluginSpec) -> Result<PathBuf, PluginError> {
    match spec {
        PluginSpec::Path(path) => Ok(path.clone()),
        PluginSpec::Name(name) => {
            let valid = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return Err(PluginError::InvalidName(name.clone()));
            }
            let file = library_file_name(name);
            let searched = search_dirs();
            searched
                .iter()
                .map(|d| d.join(&file))
                .find(|p| p.is_file())
                .ok_or_else(|| PluginError::NotFound {
                    name: name.clone(),
                    file,
                    searched,
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_names_follow_cargo_naming() {
        let f = library_file_name("test-panic");
        assert!(f.contains("collapse_plugin_test_panic"), "{f}");
        assert!(f.ends_with(std::env::consts::DLL_SUFFIX));
    }

    #[test]
    fn unknown_name_lists_the_folders_searched() {
        let err = resolve(&PluginSpec::Name("no-such-backend-xyz".into())).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("no-such-backend-xyz"), "{msg}");
        assert!(msg.contains("target"), "{msg}");
        assert!(msg.contains("--plugin PATH"), "{msg}");
    }

    #[test]
    fn names_with_path_characters_are_refused() {
        let err = resolve(&PluginSpec::Name("../evil".into())).unwrap_err();
        assert!(matches!(err, PluginError::InvalidName(_)), "{err}");
    }
}
