//! A plugin built against a (hypothetical) next major version of the collapse plugin ABI.
//! It exports the frozen version probe with that version and the next version's entry
//! symbol; the host must refuse it after the probe, naming both versions, without calling
//! anything else.

// Exporting unmangled symbols by hand (what `export_backend!` does for real plugins)
// requires `#[unsafe(no_mangle)]`.
#![allow(unsafe_code)]

/// The ABI major this plugin claims.
pub const CLAIMED_MAJOR: u32 = collapse_plugin_api::abi::ABI_MAJOR + 1;

/// The frozen version probe, reporting the next major version.
#[unsafe(no_mangle)]
pub extern "C" fn collapse_plugin_abi_version() -> u32 {
    CLAIMED_MAJOR
}

/// The next version's entry point; a host of this version must never call it.
#[unsafe(no_mangle)]
pub extern "C" fn collapse_plugin_entry_v2() -> *const u8 {
    std::ptr::null()
}
