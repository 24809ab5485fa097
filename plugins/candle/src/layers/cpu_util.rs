//! Plumbing shared by the CPU custom ops: typed access to a contiguous CPU storage, the
//! dtype dispatch (f32 and f64 only: the dtypes the backend trains in), a thread-aware
//! parallel loop, and matrix products through candle's own CPU matmul (the `gemm` crate),
//! so the kernels need no `unsafe`.

use candle_core::backend::BackendStorage;
use candle_core::{bail, CpuStorage, Layout, Result, Storage, Tensor, WithDType};
use rayon::prelude::*;

/// The elements of a contiguous layout of `s`, from its start offset.
pub fn slice<'a, T: WithDType>(s: &'a CpuStorage, l: &Layout) -> Result<&'a [T]> {
    match l.contiguous_offsets() {
        Some((a, b)) => Ok(&T::cpu_storage_as_slice(s)?[a..b]),
        None => bail!("CPU custom op: non-contiguous input"),
    }
}

/// Runs `f` on the CPU storage of `t` (which must live on the CPU).
pub fn with_cpu<R>(t: &Tensor, f: impl FnOnce(&CpuStorage, &Layout) -> Result<R>) -> Result<R> {
    let (s, l) = t.storage_and_layout();
    match &*s {
        Storage::Cpu(c) => f(c, l),
        _ => bail!("CPU custom op on a non-CPU tensor"),
    }
}

/// Calls `$f::<f32>` or `$f::<f64>` according to `$dtype`.
macro_rules! dispatch_float {
    ($dtype:expr, $f:ident ( $($arg:expr),* $(,)? )) => {
        match $dtype {
            candle_core::DType::F32 => $f::<f32>($($arg),*),
            candle_core::DType::F64 => $f::<f64>($($arg),*),
            d => candle_core::bail!("CPU custom op: unsupported dtype {d:?}"),
        }
    };
}
pub(crate) use dispatch_float;

/// Whether to split loops over threads (candle's own thread count: `CANDLE_NUM_THREADS`
/// or `RAYON_NUM_THREADS`), so one thread stays free of rayon's scheduling overhead.
pub fn parallel() -> bool {
    candle_core::utils::get_num_threads() > 1
}

/// `f(i, chunk)` for every `len`-element chunk of `out`, on rayon's pool when
/// [`parallel`]. Each chunk is written by one thread in a fixed order: deterministic.
pub fn for_chunks<T: Send>(out: &mut [T], len: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    if parallel() && out.len() > len {
        out.par_chunks_mut(len)
            .enumerate()
            .for_each(|(i, c)| f(i, c));
    } else {
        out.chunks_mut(len).enumerate().for_each(|(i, c)| f(i, c));
    }
}

/// An m×k by k×n matrix product; `a` and `b` are read through their layouts (any 2-D
/// strides, e.g. a transposed view), the result is a contiguous m×n vector.
pub fn matmul<T: WithDType>(
    a: &CpuStorage,
    a_layout: &Layout,
    b: &CpuStorage,
    b_layout: &Layout,
    (m, n, k): (usize, usize, usize),
) -> Result<Vec<T>> {
    T::cpu_storage_data(a.matmul(b, (1, m, n, k), a_layout, b_layout)?)
}

/// The layout of the transpose of a contiguous rows×cols matrix starting at `offset`.
pub fn transposed(rows: usize, cols: usize, offset: usize) -> Layout {
    Layout::new((cols, rows).into(), vec![1, cols], offset)
}
