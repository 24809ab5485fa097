//! Device selection, and the libtorch_cuda trap of `docs/backends.md`: the linker's
//! `--as-needed` drops `libtorch_cuda.so` from a default tch build, so libtorch never
//! registers its CUDA backend. Loading that library by hand (once, kept for the life of the
//! process) before the first CUDA call registers it where it exists and works (the full
//! PyTorch wheel on a GPU machine); on the lean CPU install it fails cleanly (its cuDNN/cuBLAS
//! dependencies are absent) and the backend stays on CPU. One binary serves both.

// dlopen is `unsafe` in libloading (a library's initialisers run arbitrary code); loading
// libtorch's own CUDA library is what libtorch does itself when linked normally.
#![allow(unsafe_code)]

use std::sync::OnceLock;

use collapse_backend_spec::DeviceName;
use tch::Device;

use crate::error::{Result, TchError};

/// The handle of `libtorch_cuda.so` (or why it could not be loaded), never unloaded.
static CUDA_LIB: OnceLock<std::result::Result<libloading::Library, String>> = OnceLock::new();

/// Loads `libtorch_cuda.so` once; `Err` carries the loader's message.
fn load_torch_cuda() -> std::result::Result<(), String> {
    let loaded = CUDA_LIB.get_or_init(|| {
        // SAFETY: the library is libtorch's own CUDA half, of the same build as the
        // libtorch_cpu this process already runs; it is never unloaded (kept in a static).
        unsafe { libloading::Library::new("libtorch_cuda.so") }.map_err(|e| e.to_string())
    });
    loaded.as_ref().map(|_| ()).map_err(Clone::clone)
}

/// Whether a CUDA device is usable (loads libtorch_cuda first).
pub fn cuda_available() -> bool {
    load_torch_cuda().is_ok() && tch::Cuda::is_available()
}

/// Whether the user asked for deterministic kernels (`COLLAPSE_DETERMINISTIC=1`): then cuDNN's
/// benchmark mode (autotuning, which may pick different algorithms run to run) stays off.
pub fn deterministic() -> bool {
    std::env::var("COLLAPSE_DETERMINISTIC").is_ok_and(|v| v == "1" || v == "true")
}

/// The device named by the config (`cpu`, `cuda`, `cuda:N`).
pub fn parse(name: &str) -> Result<Device> {
    let index = match DeviceName::parse(name)? {
        DeviceName::Cpu => return Ok(Device::Cpu),
        DeviceName::Cuda(index) => index,
    };
    if let Err(why) = load_torch_cuda() {
        return Err(TchError::Unsupported(format!(
            "device {name:?}: this libtorch has no usable CUDA ({why}); point LIBTORCH / \
             LD_LIBRARY_PATH at a CUDA build of libtorch 2.11 (e.g. the PyTorch 2.11 \
             wheel's torch/lib) or use --device cpu"
        )));
    }
    let count = tch::Cuda::device_count() as usize;
    if index >= count {
        return Err(TchError::Unsupported(format!(
            "device {name:?}: libtorch sees {count} CUDA device(s); use --device cpu or a \
             valid index"
        )));
    }
    tch::Cuda::cudnn_set_benchmark(!deterministic());
    Ok(Device::Cuda(index))
}
