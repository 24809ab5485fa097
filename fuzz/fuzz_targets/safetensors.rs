#![no_main]
//! Fuzz target `safetensors`: see `collapse_fuzz_entry::safetensors`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| collapse_fuzz_entry::safetensors(data));
