#![no_main]
//! Fuzz target `npy`: see `collapse_fuzz_entry::npy`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| collapse_fuzz_entry::npy(data));
