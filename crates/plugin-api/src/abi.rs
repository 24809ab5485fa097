//! The raw C ABI: every type that crosses the boundary between host and plugin.
//!
//! Why a hand-written C ABI: Rust has no stable ABI, so a plugin built by another compiler
//! version (or in C++) can only be trusted with `#[repr(C)]` plain data, function pointers and
//! opaque handles. Rules this module follows:
//!
//! - the vtable starts with the ABI major/minor version and its own size, so fields can be
//!   appended in a minor version and an old host can still read a newer plugin;
//! - a version probe ([`VERSION_SYMBOL`]) that never changes shape is checked before anything
//!   else, and the entry symbol ([`ENTRY_SYMBOL`]) carries the major version, so a host can never
//!   call into a vtable of another major version;
//! - bulk data travels as pointer + length; the side that allocates a buffer frees it (plugin
//!   buffers come back through [`PluginVtable::free_bytes`]), because each cdylib has its own
//!   allocator;
//! - options travel as a JSON document so new knobs do not change the ABI;
//! - every call returns a [`Status`] and, on failure, a message in a plugin-owned buffer.

use std::ffi::c_void;

/// Major version of the ABI: a plugin of another major version is refused.
pub const ABI_MAJOR: u32 = 1;
/// Minor version: appended vtable fields; a host accepts any minor ≥ the fields it uses.
pub const ABI_MINOR: u32 = 0;
/// The version probe every plugin exports: `extern "C" fn() -> u32` returning its ABI major.
/// Its name and signature are frozen for all versions.
pub const VERSION_SYMBOL: &str = "collapse_plugin_abi_version";
/// The entry point of this major version: `extern "C" fn() -> *const PluginVtable`.
pub const ENTRY_SYMBOL: &str = "collapse_plugin_entry_v1";

/// Result of every ABI call.
#[repr(transparent)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Status(pub i32);

impl Status {
    /// Success.
    pub const OK: Status = Status(0);
    /// The backend failed (message in the error buffer).
    pub const FAILED: Status = Status(1);
    /// The host passed something the backend cannot accept.
    pub const BAD_INPUT: Status = Status(2);
    /// The backend does not implement this call or option.
    pub const UNSUPPORTED: Status = Status(3);
    /// The backend panicked; the panic was caught at the boundary.
    pub const PANICKED: Status = Status(4);
    /// The session panicked earlier and refuses further work.
    pub const POISONED: Status = Status(5);
}

/// A byte buffer allocated by the plugin; the host must hand it back to
/// [`PluginVtable::free_bytes`] after copying it. `ptr` is null when empty.
#[repr(C)]
#[derive(Debug)]
pub struct RawBytes {
    /// Start of the buffer (null when `len == 0`).
    pub ptr: *mut u8,
    /// Length in bytes.
    pub len: usize,
}

impl RawBytes {
    /// The empty buffer, used to initialise out-parameters.
    pub const fn empty() -> Self {
        RawBytes {
            ptr: std::ptr::null_mut(),
            len: 0,
        }
    }
}

/// Opaque session handle: only the plugin knows what it points at.
#[repr(C)]
pub struct RawSession {
    _private: [u8; 0],
    _marker: std::marker::PhantomData<*mut c_void>,
}

/// Split code of the training set.
pub const SPLIT_TRAIN: u32 = 0;
/// Split code of the test set.
pub const SPLIT_TEST: u32 = 1;
/// Data kind code: images, `channels × height × width` values per sample.
pub const DATA_IMAGES: u32 = 1;
/// Data kind code: free feature vectors, `width` values per sample (`channels = height = 1`).
pub const DATA_FEATURES: u32 = 2;

/// A labelled data set lent by the host for the duration of one `set_data` call; the plugin
/// copies what it keeps.
#[repr(C)]
#[derive(Debug)]
pub struct RawDataSet {
    /// [`SPLIT_TRAIN`] or [`SPLIT_TEST`].
    pub split: u32,
    /// [`DATA_IMAGES`] or [`DATA_FEATURES`].
    pub kind: u32,
    /// Number of classes K; labels lie in `0..classes`.
    pub classes: u32,
    /// Image channels (1 for features).
    pub channels: u32,
    /// Image height (1 for features).
    pub height: u32,
    /// Image width, or the feature dimension.
    pub width: u32,
    /// Number of samples.
    pub samples: u64,
    /// Sample-major values, `samples × channels × height × width` of them.
    pub values: *const f32,
    /// Number of values.
    pub values_len: u64,
    /// One label per sample.
    pub labels: *const u32,
    /// Number of labels.
    pub labels_len: u64,
}

/// What one `train` call should do.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct RawTrainRequest {
    /// 1-based epoch number (plugins seed their shuffles from it, so a resumed run repeats).
    pub epoch: u64,
    /// Learning rate for every step of this call.
    pub lr: f64,
    /// Number of optimiser steps; 0 means one full pass over the training set.
    pub steps: u64,
}

/// What one `train` call did.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct RawTrainReport {
    /// Mean training loss over the samples seen (as the optimiser saw them).
    pub loss: f64,
    /// Fraction of the samples seen that were classified correctly.
    pub accuracy: f64,
    /// Samples seen.
    pub samples: u64,
    /// Optimiser steps taken.
    pub steps: u64,
}

/// Shapes and resource use of a session.
#[repr(C)]
#[derive(Debug, Clone, Copy, Default)]
pub struct RawSessionInfo {
    /// Feature dimension d (input dimension of the final linear layer).
    pub dim: u64,
    /// Number of classes K.
    pub classes: u64,
    /// Samples in the training split (0 until data is set, for backends that need data).
    pub train_samples: u64,
    /// Samples in the test split (0 when there is none).
    pub test_samples: u64,
    /// Number of trainable scalar parameters.
    pub trainable_parameters: u64,
    /// Peak memory held by the session, in bytes, as the backend measures it.
    pub peak_memory_bytes: u64,
}

/// Returns the plugin's `BackendInfo` as JSON in `out`.
pub type DescribeFn = unsafe extern "C" fn(out: *mut RawBytes, err: *mut RawBytes) -> Status;
/// Frees a buffer the plugin allocated.
pub type FreeBytesFn = unsafe extern "C" fn(bytes: RawBytes);
/// Creates a session from a JSON `SessionConfig`.
pub type SessionCreateFn = unsafe extern "C" fn(
    config: *const u8,
    config_len: usize,
    out: *mut *mut RawSession,
    err: *mut RawBytes,
) -> Status;
/// Frees a session (null is allowed and ignored).
pub type SessionFreeFn = unsafe extern "C" fn(session: *mut RawSession);
/// Hands a data set to the session.
pub type SetDataFn = unsafe extern "C" fn(
    session: *mut RawSession,
    data: *const RawDataSet,
    err: *mut RawBytes,
) -> Status;
/// Trains for one epoch or a number of steps.
pub type TrainFn = unsafe extern "C" fn(
    session: *mut RawSession,
    request: *const RawTrainRequest,
    out: *mut RawTrainReport,
    err: *mut RawBytes,
) -> Status;
/// Reports shapes and resource use.
pub type InfoFn = unsafe extern "C" fn(
    session: *mut RawSession,
    out: *mut RawSessionInfo,
    err: *mut RawBytes,
) -> Status;
/// Writes the features (and labels) of samples `start..start + count` of a split into host
/// buffers; `written` receives the number of samples written (less than `count` at the end).
pub type FeaturesFn = unsafe extern "C" fn(
    session: *mut RawSession,
    split: u32,
    start: u64,
    count: u64,
    features: *mut f64,
    features_len: u64,
    labels: *mut u32,
    labels_len: u64,
    written: *mut u64,
    err: *mut RawBytes,
) -> Status;
/// Writes the classifier W (K×d, row-major) and b (K) into host buffers.
pub type ClassifierFn = unsafe extern "C" fn(
    session: *mut RawSession,
    weights: *mut f64,
    weights_len: u64,
    bias: *mut f64,
    bias_len: u64,
    err: *mut RawBytes,
) -> Status;
/// Serialises the session's state (safetensors bytes) into a plugin-owned buffer.
pub type SaveStateFn = unsafe extern "C" fn(
    session: *mut RawSession,
    out: *mut RawBytes,
    err: *mut RawBytes,
) -> Status;
/// Restores the session's state from safetensors bytes lent by the host.
pub type LoadStateFn = unsafe extern "C" fn(
    session: *mut RawSession,
    state: *const u8,
    state_len: usize,
    err: *mut RawBytes,
) -> Status;

/// The table of functions a plugin exports through [`ENTRY_SYMBOL`]. Fields are only ever
/// appended (raising [`ABI_MINOR`]); `struct_size` tells the host how many the plugin has.
#[repr(C)]
pub struct PluginVtable {
    /// [`ABI_MAJOR`] of the plugin's build.
    pub abi_major: u32,
    /// [`ABI_MINOR`] of the plugin's build.
    pub abi_minor: u32,
    /// `size_of::<PluginVtable>()` in the plugin's build.
    pub struct_size: u64,
    /// See [`DescribeFn`].
    pub describe: DescribeFn,
    /// See [`FreeBytesFn`].
    pub free_bytes: FreeBytesFn,
    /// See [`SessionCreateFn`].
    pub session_create: SessionCreateFn,
    /// See [`SessionFreeFn`].
    pub session_free: SessionFreeFn,
    /// See [`SetDataFn`].
    pub set_data: SetDataFn,
    /// See [`TrainFn`].
    pub train: TrainFn,
    /// See [`InfoFn`].
    pub info: InfoFn,
    /// See [`FeaturesFn`].
    pub features: FeaturesFn,
    /// See [`ClassifierFn`].
    pub classifier: ClassifierFn,
    /// See [`SaveStateFn`].
    pub save_state: SaveStateFn,
    /// See [`LoadStateFn`].
    pub load_state: LoadStateFn,
}

/// Signature of [`VERSION_SYMBOL`].
pub type VersionProbeFn = unsafe extern "C" fn() -> u32;
/// Signature of [`ENTRY_SYMBOL`].
pub type EntryFn = unsafe extern "C" fn() -> *const PluginVtable;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_symbol_carries_the_major_version() {
        assert_eq!(ENTRY_SYMBOL, format!("collapse_plugin_entry_v{ABI_MAJOR}"));
    }

    #[test]
    fn vtable_header_is_at_fixed_offsets() {
        // The header must stay readable by every host: major at 0, minor at 4, size at 8.
        assert_eq!(std::mem::offset_of!(PluginVtable, abi_major), 0);
        assert_eq!(std::mem::offset_of!(PluginVtable, abi_minor), 4);
        assert_eq!(std::mem::offset_of!(PluginVtable, struct_size), 8);
    }
}
