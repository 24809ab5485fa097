//! Replays every kept fuzz input (the seeds and the crashers found, `fuzz/seeds/<target>/`
//! and `fuzz/regressions/<target>/`) through the target's entry point, on stable: a crasher
//! committed after its fix stays fixed.

use std::path::Path;

fn inputs(kind: &str, target: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz")
        .join(kind)
        .join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.expect("readable folder").path())
        .filter(|p| p.is_file() && !p.ends_with(".gitkeep"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_kept_input_is_refused_or_read_without_a_crash() {
    let mut replayed = 0;
    for (target, entry) in collapse_fuzz_entry::TARGETS {
        let seeds = inputs("seeds", target);
        assert!(!seeds.is_empty(), "fuzz/seeds/{target} has no seed input");
        for file in seeds.iter().chain(&inputs("regressions", target)) {
            let data = std::fs::read(file).expect("readable input");
            // A panic names the file through the test's failure output.
            eprintln!("replaying {}", file.display());
            entry(&data);
            replayed += 1;
        }
    }
    assert!(replayed >= collapse_fuzz_entry::TARGETS.len());
}

#[test]
fn every_target_has_a_fuzz_binary() {
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/Cargo.toml"),
    )
    .expect("fuzz/Cargo.toml");
    for (target, _) in collapse_fuzz_entry::TARGETS {
        assert!(
            manifest.contains(&format!("name = \"{target}\"")),
            "fuzz/Cargo.toml has no [[bin]] {target}"
        );
        assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("../../fuzz/fuzz_targets/{target}.rs"))
            .is_file());
    }
}
