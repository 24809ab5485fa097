//! The plugin side of the boundary: generic `extern "C"` shims that wrap a [`Backend`], catch
//! panics and turn results into statuses. [`crate::export_backend!`] instantiates them.

use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::abi::{
    PluginVtable, RawBytes, RawDataSet, RawSession, RawSessionInfo, RawTrainReport,
    RawTrainRequest, Status, ABI_MAJOR, ABI_MINOR, DATA_FEATURES, DATA_IMAGES,
};
use crate::{Backend, DataSet, DataShape, PluginError, SessionConfig, Split, TrainRequest};

/// A session as the plugin stores it: the backend plus the panic that poisoned it, if any.
struct Cell<B> {
    backend: B,
    poisoned: Option<String>,
}

/// The vtable of backend `B`; used by [`crate::export_backend!`].
pub const fn vtable<B: Backend>() -> PluginVtable {
    PluginVtable {
        abi_major: ABI_MAJOR,
        abi_minor: ABI_MINOR,
        struct_size: std::mem::size_of::<PluginVtable>() as u64,
        describe: describe::<B>,
        free_bytes,
        session_create: session_create::<B>,
        session_free: session_free::<B>,
        set_data: set_data::<B>,
        train: train::<B>,
        info: info::<B>,
        features: features::<B>,
        classifier: classifier::<B>,
        save_state: save_state::<B>,
        load_state: load_state::<B>,
    }
}

/// Moves a byte vector to a plugin-owned raw buffer (freed by [`free_bytes`]).
fn into_raw(bytes: Vec<u8>) -> RawBytes {
    if bytes.is_empty() {
        return RawBytes::empty();
    }
    let boxed: Box<[u8]> = bytes.into_boxed_slice();
    let len = boxed.len();
    let ptr = Box::into_raw(boxed) as *mut u8;
    RawBytes { ptr, len }
}

unsafe extern "C" fn free_bytes(bytes: RawBytes) {
    if bytes.ptr.is_null() {
        return;
    }
    // SAFETY: non-null buffers come only from `into_raw`, which leaked a `Box<[u8]>` of
    // exactly `len` bytes allocated by this library's allocator.
    let slice = std::ptr::slice_from_raw_parts_mut(bytes.ptr, bytes.len);
    drop(unsafe { Box::from_raw(slice) });
}

fn status_of(err: &PluginError) -> Status {
    match err {
        PluginError::BadInput(_) => Status::BAD_INPUT,
        PluginError::Unsupported(_) => Status::UNSUPPORTED,
        _ => Status::FAILED,
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

/// Makes the panic output of this library name the plugin: a plugin links its own copy of
/// std, so its panic hook is its own, and the default one prints only a source location that
/// a user cannot tie to a backend. Installed once, when the host first asks for the
/// description (the first call of every load).
fn name_panics(name: &str) {
    static ONCE: std::sync::Once = std::sync::Once::new();
    let name = name.to_string();
    ONCE.call_once(move || {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            eprint!("[collapse plugin `{name}`] ");
            previous(info);
        }));
    });
}

/// Writes `message` to the error out-parameter (if the host passed one).
unsafe fn write_error(err: *mut RawBytes, message: String) {
    if !err.is_null() {
        // SAFETY: the host passes a valid, writable `RawBytes` or null.
        unsafe { err.write(into_raw(message.into_bytes())) };
    }
}

/// Runs `body`, catching panics; errors and panics become a status plus a message.
unsafe fn guard(err: *mut RawBytes, body: impl FnOnce() -> Result<(), PluginError>) -> Status {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => Status::OK,
        Ok(Err(e)) => {
            let status = status_of(&e);
            unsafe { write_error(err, e.to_string()) };
            status
        }
        Err(payload) => {
            unsafe { write_error(err, panic_message(payload.as_ref())) };
            Status::PANICKED
        }
    }
}

/// Runs `body` on the session behind `session`; a panic poisons the session.
unsafe fn with_session<B: Backend>(
    session: *mut RawSession,
    err: *mut RawBytes,
    body: impl FnOnce(&mut B) -> Result<(), PluginError>,
) -> Status {
    if session.is_null() {
        unsafe { write_error(err, "null session handle".to_string()) };
        return Status::BAD_INPUT;
    }
    // SAFETY: non-null handles come from `session_create::<B>` and stay valid until
    // `session_free::<B>`; the host never uses one handle from two threads at once.
    let cell = unsafe { &mut *(session as *mut Cell<B>) };
    if let Some(msg) = &cell.poisoned {
        let msg = format!("the session panicked earlier ({msg}) and refuses further calls");
        unsafe { write_error(err, msg) };
        return Status::POISONED;
    }
    let backend = &mut cell.backend;
    match catch_unwind(AssertUnwindSafe(|| body(backend))) {
        Ok(Ok(())) => Status::OK,
        Ok(Err(e)) => {
            let status = status_of(&e);
            unsafe { write_error(err, e.to_string()) };
            status
        }
        Err(payload) => {
            let msg = panic_message(payload.as_ref());
            cell.poisoned = Some(msg.clone());
            unsafe { write_error(err, msg) };
            Status::PANICKED
        }
    }
}

/// Reads a host-lent slice, refusing null pointers with a non-zero length.
unsafe fn lent<'a, T>(ptr: *const T, len: u64, what: &str) -> Result<&'a [T], PluginError> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr.is_null() {
        return Err(PluginError::BadInput(format!(
            "{what}: null pointer with length {len}"
        )));
    }
    // SAFETY: the host guarantees `len` valid, initialised elements for the call's duration.
    Ok(unsafe { std::slice::from_raw_parts(ptr, len as usize) })
}

/// Mutable counterpart of [`lent`].
unsafe fn lent_mut<'a, T>(ptr: *mut T, len: u64, what: &str) -> Result<&'a mut [T], PluginError> {
    if len == 0 {
        return Ok(&mut []);
    }
    if ptr.is_null() {
        return Err(PluginError::BadInput(format!(
            "{what}: null pointer with length {len}"
        )));
    }
    // SAFETY: the host guarantees `len` writable elements, not aliased, for the call.
    Ok(unsafe { std::slice::from_raw_parts_mut(ptr, len as usize) })
}

unsafe extern "C" fn describe<B: Backend>(out: *mut RawBytes, err: *mut RawBytes) -> Status {
    unsafe {
        guard(err, || {
            let info = B::describe();
            name_panics(&info.name);
            let json = serde_json::to_vec(&info)
                .map_err(|e| PluginError::Failed(format!("cannot encode backend info: {e}")))?;
            if out.is_null() {
                return Err(PluginError::BadInput("null output buffer".to_string()));
            }
            out.write(into_raw(json));
            Ok(())
        })
    }
}

unsafe extern "C" fn session_create<B: Backend>(
    config: *const u8,
    config_len: usize,
    out: *mut *mut RawSession,
    err: *mut RawBytes,
) -> Status {
    unsafe {
        guard(err, || {
            if out.is_null() {
                return Err(PluginError::BadInput(
                    "null session out-pointer".to_string(),
                ));
            }
            let bytes = lent(config, config_len as u64, "session config")?;
            let config: SessionConfig = serde_json::from_slice(bytes).map_err(|e| {
                PluginError::BadInput(format!("session config is not valid JSON: {e}"))
            })?;
            let backend = B::create(config)?;
            let cell = Box::new(Cell {
                backend,
                poisoned: None,
            });
            out.write(Box::into_raw(cell) as *mut RawSession);
            Ok(())
        })
    }
}

unsafe extern "C" fn session_free<B: Backend>(session: *mut RawSession) {
    if session.is_null() {
        return;
    }
    // A panicking destructor must not unwind into the host; the memory is leaked then.
    let _ = catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: the handle came from `session_create::<B>` and is freed exactly once.
        drop(unsafe { Box::from_raw(session as *mut Cell<B>) });
    }));
}

unsafe extern "C" fn set_data<B: Backend>(
    session: *mut RawSession,
    data: *const RawDataSet,
    err: *mut RawBytes,
) -> Status {
    unsafe {
        with_session::<B>(session, err, |backend| {
            if data.is_null() {
                return Err(PluginError::BadInput("null data set".to_string()));
            }
            let raw = &*data;
            let shape = match raw.kind {
                DATA_IMAGES => DataShape::Images {
                    channels: raw.channels as usize,
                    height: raw.height as usize,
                    width: raw.width as usize,
                },
                DATA_FEATURES => DataShape::Features {
                    dim: raw.width as usize,
                },
                other => {
                    return Err(PluginError::BadInput(format!(
                        "unknown data kind {other} (1 = images, 2 = features)"
                    )))
                }
            };
            let labels = lent(raw.labels, raw.labels_len, "labels")?;
            if labels.len() as u64 != raw.samples {
                return Err(PluginError::BadInput(format!(
                    "{} labels for {} samples",
                    labels.len(),
                    raw.samples
                )));
            }
            let data = DataSet {
                split: Split::from_code(raw.split)?,
                shape,
                classes: raw.classes as usize,
                values: lent(raw.values, raw.values_len, "values")?,
                labels,
            };
            data.validate()?;
            backend.set_data(data)
        })
    }
}

unsafe extern "C" fn train<B: Backend>(
    session: *mut RawSession,
    request: *const RawTrainRequest,
    out: *mut RawTrainReport,
    err: *mut RawBytes,
) -> Status {
    unsafe {
        with_session::<B>(session, err, |backend| {
            if request.is_null() || out.is_null() {
                return Err(PluginError::BadInput(
                    "null train request or report".to_string(),
                ));
            }
            let raw = *request;
            let report = backend.train(TrainRequest {
                epoch: raw.epoch,
                lr: raw.lr,
                steps: (raw.steps > 0).then_some(raw.steps),
            })?;
            out.write(RawTrainReport {
                loss: report.loss,
                accuracy: report.accuracy,
                samples: report.samples,
                steps: report.steps,
            });
            Ok(())
        })
    }
}

unsafe extern "C" fn info<B: Backend>(
    session: *mut RawSession,
    out: *mut RawSessionInfo,
    err: *mut RawBytes,
) -> Status {
    unsafe {
        with_session::<B>(session, err, |backend| {
            if out.is_null() {
                return Err(PluginError::BadInput("null info out-pointer".to_string()));
            }
            let i = backend.info();
            out.write(RawSessionInfo {
                dim: i.dim as u64,
                classes: i.classes as u64,
                train_samples: i.train_samples as u64,
                test_samples: i.test_samples as u64,
                trainable_parameters: i.trainable_parameters,
                peak_memory_bytes: i.peak_memory_bytes,
            });
            Ok(())
        })
    }
}

#[allow(clippy::too_many_arguments)]
unsafe extern "C" fn features<B: Backend>(
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
) -> Status {
    unsafe {
        with_session::<B>(session, err, |backend| {
            if written.is_null() {
                return Err(PluginError::BadInput(
                    "null `written` out-pointer".to_string(),
                ));
            }
            let split = Split::from_code(split)?;
            let dim = backend.info().dim as u64;
            if labels_len < count || features_len < count.saturating_mul(dim) {
                return Err(PluginError::BadInput(format!(
                    "feature buffers too small for {count} samples of dimension {dim}: \
                     {features_len} values, {labels_len} labels"
                )));
            }
            let feats = lent_mut(features, count * dim, "features")?;
            let labs = lent_mut(labels, count, "labels")?;
            let n = backend.features(split, start as usize, feats, labs)?;
            if n as u64 > count {
                return Err(PluginError::Failed(format!(
                    "backend wrote {n} samples into a buffer of {count}"
                )));
            }
            written.write(n as u64);
            Ok(())
        })
    }
}

unsafe extern "C" fn classifier<B: Backend>(
    session: *mut RawSession,
    weights: *mut f64,
    weights_len: u64,
    bias: *mut f64,
    bias_len: u64,
    err: *mut RawBytes,
) -> Status {
    unsafe {
        with_session::<B>(session, err, |backend| {
            let c = backend.classifier()?;
            if c.weights.len() != c.classes * c.dim || c.bias.len() != c.classes {
                return Err(PluginError::Failed(format!(
                    "classifier has {} weights and {} biases for K = {}, d = {}",
                    c.weights.len(),
                    c.bias.len(),
                    c.classes,
                    c.dim
                )));
            }
            if weights_len != c.weights.len() as u64 || bias_len != c.bias.len() as u64 {
                return Err(PluginError::BadInput(format!(
                    "classifier buffers hold {weights_len} weights and {bias_len} biases, \
                     the classifier has {} and {}",
                    c.weights.len(),
                    c.bias.len()
                )));
            }
            lent_mut(weights, weights_len, "weights")?.copy_from_slice(&c.weights);
            lent_mut(bias, bias_len, "bias")?.copy_from_slice(&c.bias);
            Ok(())
        })
    }
}

unsafe extern "C" fn save_state<B: Backend>(
    session: *mut RawSession,
    out: *mut RawBytes,
    err: *mut RawBytes,
) -> Status {
    unsafe {
        with_session::<B>(session, err, |backend| {
            if out.is_null() {
                return Err(PluginError::BadInput("null output buffer".to_string()));
            }
            let bytes = backend.save_state()?;
            out.write(into_raw(bytes));
            Ok(())
        })
    }
}

unsafe extern "C" fn load_state<B: Backend>(
    session: *mut RawSession,
    state: *const u8,
    state_len: usize,
    err: *mut RawBytes,
) -> Status {
    unsafe {
        with_session::<B>(session, err, |backend| {
            let bytes = lent(state, state_len as u64, "state")?;
            backend.load_state(bytes)
        })
    }
}

/// Exports a [`Backend`] implementation as a collapse plugin: defines the version probe and
/// the entry symbol of this ABI version. Use once, at the root of a `cdylib` crate:
///
/// ```text
/// collapse_plugin_api::export_backend!(MyBackend);
/// ```
#[macro_export]
macro_rules! export_backend {
    ($backend:ty) => {
        // A panic must unwind to the boundary's catch_unwind; under `panic = "abort"` it would
        // kill the host with SIGABRT and no message.
        #[cfg(panic = "abort")]
        compile_error!(
            "collapse plugins must be built with panic = \"unwind\" (the default): remove `panic = \"abort\"` from the profile (or -C panic=abort from RUSTFLAGS); the host catches a plugin's panics at the ABI boundary, which an aborting plugin cannot allow"
        );

        /// Version probe of the collapse plugin ABI (frozen signature).
        #[allow(unsafe_code)]
        #[unsafe(no_mangle)]
        pub extern "C" fn collapse_plugin_abi_version() -> u32 {
            $crate::abi::ABI_MAJOR
        }

        /// Entry point of collapse plugin ABI version 1: the vtable.
        #[allow(unsafe_code)]
        #[unsafe(no_mangle)]
        pub extern "C" fn collapse_plugin_entry_v1() -> *const $crate::abi::PluginVtable {
            static VTABLE: $crate::abi::PluginVtable = $crate::export::vtable::<$backend>();
            &VTABLE
        }
    };
}
