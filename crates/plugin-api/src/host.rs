//! The host side: loading a plugin library, checking its ABI version, and safe wrappers around
//! every call. Libraries are never unloaded (a plugin's statics, threads and allocator must
//! outlive every buffer and handle it gave out), so the vtable is `'static`.

use std::path::{Path, PathBuf};

use libloading::Library;

use crate::abi::{
    EntryFn, PluginVtable, RawBytes, RawDataSet, RawSession, RawSessionInfo, RawTrainReport,
    RawTrainRequest, Status, VersionProbeFn, ABI_MAJOR, ABI_MINOR, DATA_FEATURES, DATA_IMAGES,
    ENTRY_SYMBOL, VERSION_SYMBOL,
};
use crate::discover::{resolve, PluginSpec};
use crate::{
    BackendInfo, Classifier, DataSet, DataShape, PluginError, SessionConfig, SessionInfo, Split,
    TrainReport, TrainRequest,
};

/// A loaded plugin whose ABI version matched.
#[derive(Debug, Clone)]
pub struct Plugin {
    path: PathBuf,
    vtable: &'static PluginVtable,
    info: BackendInfo,
}

impl std::fmt::Debug for PluginVtable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "PluginVtable(v{}.{}, {} bytes)",
            self.abi_major, self.abi_minor, self.struct_size
        )
    }
}

impl Plugin {
    /// Resolves and loads a plugin.
    pub fn open(spec: &PluginSpec) -> Result<Plugin, PluginError> {
        Plugin::load(&resolve(spec)?)
    }

    /// Loads the library at `path`: checks the version probe before anything else, then the
    /// vtable header, then asks the backend to describe itself.
    pub fn load(path: &Path) -> Result<Plugin, PluginError> {
        #[cfg(target_os = "linux")]
        crate::elf::check(path).map_err(|reason| PluginError::Load {
            path: path.to_path_buf(),
            reason,
        })?;
        // SAFETY: loading runs the library's initialisers; we load only files the user named
        // as collapse plugins, checked above to be complete. The library is leaked on purpose
        // (never unloaded).
        let lib =
            unsafe { Library::new(path.as_os_str()) }.map_err(|source| PluginError::Load {
                path: path.to_path_buf(),
                reason: loader_reason(&source),
            })?;
        let lib: &'static Library = Box::leak(Box::new(lib));
        let missing = |symbol: &str| PluginError::NotAPlugin {
            path: path.to_path_buf(),
            symbol: symbol.to_string(),
        };
        // SAFETY: the version probe's signature is frozen for every ABI version.
        let probe = unsafe { lib.get::<VersionProbeFn>(VERSION_SYMBOL) }
            .map_err(|_| missing(VERSION_SYMBOL))?;
        // SAFETY: calling the frozen probe, which takes nothing and returns a u32.
        let major = unsafe { probe() };
        if major != ABI_MAJOR {
            return Err(PluginError::AbiMismatch {
                path: path.to_path_buf(),
                plugin: major.to_string(),
                host: format!("{ABI_MAJOR}.{ABI_MINOR}"),
            });
        }
        // SAFETY: a plugin reporting our major version exports the entry of that version.
        let entry =
            unsafe { lib.get::<EntryFn>(ENTRY_SYMBOL) }.map_err(|_| missing(ENTRY_SYMBOL))?;
        // SAFETY: the entry returns a pointer to a static vtable (or null).
        let ptr = unsafe { entry() };
        if ptr.is_null() {
            return Err(PluginError::Contract {
                plugin: path.display().to_string(),
                call: "entry",
                detail: "the entry point returned a null vtable".to_string(),
            });
        }
        // SAFETY: the header (major, minor, size) has the same layout in every version; the
        // vtable lives in a library we never unload. We read the rest only after the checks.
        let vtable: &'static PluginVtable = unsafe { &*ptr };
        let needed = std::mem::size_of::<PluginVtable>() as u64;
        if vtable.abi_major != ABI_MAJOR || vtable.struct_size < needed {
            return Err(PluginError::AbiMismatch {
                path: path.to_path_buf(),
                plugin: format!(
                    "{}.{} ({}-byte vtable)",
                    vtable.abi_major, vtable.abi_minor, vtable.struct_size
                ),
                host: format!("{ABI_MAJOR}.{ABI_MINOR} ({needed}-byte vtable)"),
            });
        }
        let name = path.display().to_string();
        let json = take_bytes(vtable, &name, "describe", |out, err| unsafe {
            (vtable.describe)(out, err)
        })?;
        let info: BackendInfo =
            serde_json::from_slice(&json).map_err(|e| PluginError::Contract {
                plugin: name,
                call: "describe",
                detail: format!("backend info is not the expected JSON: {e}"),
            })?;
        Ok(Plugin {
            path: path.to_path_buf(),
            vtable,
            info,
        })
    }

    /// The backend's name, version and devices.
    pub fn info(&self) -> &BackendInfo {
        &self.info
    }

    /// The library file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The ABI version the plugin was built with, `major.minor`.
    pub fn abi_version(&self) -> String {
        format!("{}.{}", self.vtable.abi_major, self.vtable.abi_minor)
    }

    /// Creates a session.
    pub fn create_session(&self, config: &SessionConfig) -> Result<Session, PluginError> {
        let json = serde_json::to_vec(config)
            .map_err(|e| PluginError::BadInput(format!("cannot encode session config: {e}")))?;
        let mut raw: *mut RawSession = std::ptr::null_mut();
        let vt = self.vtable;
        check(vt, &self.info.name, "create_session", |err| unsafe {
            (vt.session_create)(json.as_ptr(), json.len(), &mut raw, err)
        })?;
        if raw.is_null() {
            return Err(PluginError::Contract {
                plugin: self.info.name.clone(),
                call: "create_session",
                detail: "returned OK but no session".to_string(),
            });
        }
        Ok(Session {
            vtable: vt,
            raw,
            plugin: self.info.name.clone(),
        })
    }
}

/// The loader's own reason (`dlerror`), which libloading keeps as the error's source.
fn loader_reason(e: &libloading::Error) -> String {
    use std::error::Error;
    match e.source() {
        Some(reason) => format!("{e}: {reason}"),
        None => e.to_string(),
    }
}

/// Runs one ABI call with an error buffer; turns a failure status into a [`PluginError`]
/// carrying the plugin's message (copied, then freed by the plugin).
fn check(
    vt: &PluginVtable,
    plugin: &str,
    call: &'static str,
    f: impl FnOnce(*mut RawBytes) -> Status,
) -> Result<(), PluginError> {
    let mut err = RawBytes::empty();
    let status = f(&mut err);
    let message = copy_and_free(vt, err);
    if status == Status::OK {
        return Ok(());
    }
    let plugin = plugin.to_string();
    let message = if message.is_empty() {
        "(no message)".to_string()
    } else {
        String::from_utf8_lossy(&message).into_owned()
    };
    Err(match status {
        Status::PANICKED => PluginError::Panicked {
            plugin,
            call,
            message,
        },
        Status(code) => PluginError::Call {
            plugin,
            call,
            status: code,
            message,
        },
    })
}

/// Like [`check`] for calls that return a plugin-owned buffer.
fn take_bytes(
    vt: &PluginVtable,
    plugin: &str,
    call: &'static str,
    f: impl FnOnce(*mut RawBytes, *mut RawBytes) -> Status,
) -> Result<Vec<u8>, PluginError> {
    let mut out = RawBytes::empty();
    check(vt, plugin, call, |err| f(&mut out, err))?;
    Ok(copy_and_free(vt, out))
}

fn copy_and_free(vt: &PluginVtable, bytes: RawBytes) -> Vec<u8> {
    if bytes.ptr.is_null() {
        return Vec::new();
    }
    // SAFETY: a non-null buffer from the plugin holds `len` initialised bytes until freed.
    let copy = unsafe { std::slice::from_raw_parts(bytes.ptr, bytes.len) }.to_vec();
    // SAFETY: handing the buffer back to the allocator that made it, exactly once.
    unsafe { (vt.free_bytes)(bytes) };
    copy
}

/// A session of a loaded plugin; freed (by the plugin) on drop. Not `Send`: a backend may
/// keep thread-affine state (a CUDA context, for instance).
pub struct Session {
    vtable: &'static PluginVtable,
    raw: *mut RawSession,
    plugin: String,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Session(plugin `{}`)", self.plugin)
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // SAFETY: `raw` came from this plugin's `session_create` and is freed exactly once.
        unsafe { (self.vtable.session_free)(self.raw) };
    }
}

impl Session {
    /// The name of the plugin this session belongs to.
    pub fn plugin_name(&self) -> &str {
        &self.plugin
    }

    fn check(
        &self,
        call: &'static str,
        f: impl FnOnce(*mut RawBytes) -> Status,
    ) -> Result<(), PluginError> {
        check(self.vtable, &self.plugin, call, f)
    }

    fn contract(&self, call: &'static str, detail: String) -> PluginError {
        PluginError::Contract {
            plugin: self.plugin.clone(),
            call,
            detail,
        }
    }

    /// Hands a data set to the backend.
    pub fn set_data(&mut self, data: &DataSet<'_>) -> Result<(), PluginError> {
        data.validate()?;
        let (kind, channels, height, width) = match data.shape {
            DataShape::Images {
                channels,
                height,
                width,
            } => (DATA_IMAGES, channels, height, width),
            DataShape::Features { dim } => (DATA_FEATURES, 1, 1, dim),
        };
        let narrow = |v: usize, what: &str| {
            u32::try_from(v).map_err(|_| PluginError::BadInput(format!("{what} {v} exceeds u32")))
        };
        let raw = RawDataSet {
            split: data.split.code(),
            kind,
            classes: narrow(data.classes, "class count")?,
            channels: narrow(channels, "channel count")?,
            height: narrow(height, "height")?,
            width: narrow(width, "width")?,
            samples: data.labels.len() as u64,
            values: data.values.as_ptr(),
            values_len: data.values.len() as u64,
            labels: data.labels.as_ptr(),
            labels_len: data.labels.len() as u64,
        };
        let (vt, s) = (self.vtable, self.raw);
        self.check("set_data", |err| unsafe { (vt.set_data)(s, &raw, err) })
    }

    /// Trains one epoch or a number of steps.
    pub fn train(&mut self, request: TrainRequest) -> Result<TrainReport, PluginError> {
        let raw = RawTrainRequest {
            epoch: request.epoch,
            lr: request.lr,
            steps: request.steps.unwrap_or(0),
        };
        let mut out = RawTrainReport::default();
        let (vt, s) = (self.vtable, self.raw);
        self.check("train", |err| unsafe { (vt.train)(s, &raw, &mut out, err) })?;
        Ok(TrainReport {
            loss: out.loss,
            accuracy: out.accuracy,
            samples: out.samples,
            steps: out.steps,
        })
    }

    /// Shapes and resource use.
    pub fn info(&mut self) -> Result<SessionInfo, PluginError> {
        let mut out = RawSessionInfo::default();
        let (vt, s) = (self.vtable, self.raw);
        self.check("info", |err| unsafe { (vt.info)(s, &mut out, err) })?;
        let size = |v: u64| usize::try_from(v).unwrap_or(usize::MAX);
        Ok(SessionInfo {
            dim: size(out.dim),
            classes: size(out.classes),
            train_samples: size(out.train_samples),
            test_samples: size(out.test_samples),
            trainable_parameters: out.trainable_parameters,
            peak_memory_bytes: out.peak_memory_bytes,
        })
    }

    /// Fills `features` (sample-major, `dim` per sample) and `labels` with samples `start..` of
    /// `split`; returns the number written (0 past the end).
    pub fn features(
        &mut self,
        split: Split,
        start: usize,
        dim: usize,
        features: &mut [f64],
        labels: &mut [u32],
    ) -> Result<usize, PluginError> {
        let count = labels.len().min(features.len() / dim.max(1));
        let mut written = 0u64;
        let (vt, s) = (self.vtable, self.raw);
        self.check("features", |err| unsafe {
            (vt.features)(
                s,
                split.code(),
                start as u64,
                count as u64,
                features.as_mut_ptr(),
                features.len() as u64,
                labels.as_mut_ptr(),
                labels.len() as u64,
                &mut written,
                err,
            )
        })?;
        if written > count as u64 {
            return Err(self.contract("features", format!("wrote {written} of {count} samples")));
        }
        Ok(written as usize)
    }

    /// The classifier (W, b) of a session with `classes` classes and dimension `dim`.
    pub fn classifier(&mut self, classes: usize, dim: usize) -> Result<Classifier, PluginError> {
        let mut weights = vec![0.0; classes * dim];
        let mut bias = vec![0.0; classes];
        let (vt, s) = (self.vtable, self.raw);
        self.check("classifier", |err| unsafe {
            (vt.classifier)(
                s,
                weights.as_mut_ptr(),
                weights.len() as u64,
                bias.as_mut_ptr(),
                bias.len() as u64,
                err,
            )
        })?;
        Ok(Classifier {
            classes,
            dim,
            weights,
            bias,
        })
    }

    /// The training state as safetensors bytes.
    pub fn save_state(&mut self) -> Result<Vec<u8>, PluginError> {
        let (vt, s) = (self.vtable, self.raw);
        take_bytes(vt, &self.plugin, "save_state", |out, err| unsafe {
            (vt.save_state)(s, out, err)
        })
    }

    /// Restores a state written by [`Session::save_state`].
    pub fn load_state(&mut self, state: &[u8]) -> Result<(), PluginError> {
        let (vt, s) = (self.vtable, self.raw);
        self.check("load_state", |err| unsafe {
            (vt.load_state)(s, state.as_ptr(), state.len(), err)
        })
    }
}
