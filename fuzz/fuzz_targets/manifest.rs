#![no_main]
//! Fuzz target `manifest`: see `collapse_fuzz_entry::manifest`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| collapse_fuzz_entry::manifest(data));
