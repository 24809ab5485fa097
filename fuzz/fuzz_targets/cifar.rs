#![no_main]
//! Fuzz target `cifar`: see `collapse_fuzz_entry::cifar_file`.

libfuzzer_sys::fuzz_target!(|data: &[u8]| collapse_fuzz_entry::cifar_file(data));
