#![no_main]
//! Fuzz target `point`: see `collapse_fuzz_entry::point`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| collapse_fuzz_entry::point(data));
