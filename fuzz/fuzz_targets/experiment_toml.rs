#![no_main]
//! Fuzz target `experiment_toml`: see `collapse_fuzz_entry::experiment_toml`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| collapse_fuzz_entry::experiment_toml(data));
