#![no_main]
//! Fuzz target `idx`: see `collapse_fuzz_entry::idx_file`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| collapse_fuzz_entry::idx_file(data));
