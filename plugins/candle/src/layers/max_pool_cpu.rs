//! The stem's 3×3 stride-2 padding-1 max-pool on the CPU as one custom op: a direct loop
//! forward, and a backward that sends each output's gradient to the first maximum of its
//! window (PyTorch's choice), where the slice form was nine strided views, eight
//! `maximum`s and their masks.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp1, Device, Layout, Result, Shape, Tensor, WithDType};

use super::cpu_util::{dispatch_float, for_chunks, slice, with_cpu};

/// Input plane and output plane sizes.
#[derive(Debug, Clone, Copy)]
struct Planes {
    h: usize,
    w: usize,
    ho: usize,
    wo: usize,
}

impl Planes {
    fn of(dims: &[usize]) -> Result<(usize, Planes)> {
        let &[n, c, h, w] = dims else {
            candle_core::bail!("max-pool: input of rank {}, not 4", dims.len())
        };
        let (ho, wo) = ((h.max(1) - 1) / 2 + 1, (w.max(1) - 1) / 2 + 1);
        Ok((n * c, Planes { h, w, ho, wo }))
    }

    /// The flat index in the input plane of the first maximum of output (i, j)'s window;
    /// padding counts as −∞.
    fn argmax<T: WithDType>(&self, x: &[T], i: usize, j: usize) -> usize {
        let (r0, r1) = ((2 * i).saturating_sub(1), (2 * i + 2).min(self.h));
        let (s0, s1) = ((2 * j).saturating_sub(1), (2 * j + 2).min(self.w));
        let mut best = r0 * self.w + s0;
        for r in r0..r1 {
            for s in s0..s1 {
                if x[r * self.w + s] > x[best] {
                    best = r * self.w + s;
                }
            }
        }
        best
    }
}

struct MaxPool;

fn forward<T: WithDType>(x: (&CpuStorage, &Layout)) -> Result<(CpuStorage, Shape)> {
    let (planes, p) = Planes::of(x.1.dims())?;
    let xs = slice::<T>(x.0, x.1)?;
    let mut y = vec![T::from_f64(0.0); planes * p.ho * p.wo];
    for_chunks(&mut y, p.ho * p.wo, |pi, out| {
        let plane = &xs[pi * p.h * p.w..][..p.h * p.w];
        for (idx, o) in out.iter_mut().enumerate() {
            *o = plane[p.argmax(plane, idx / p.wo, idx % p.wo)];
        }
    });
    let d = x.1.dims();
    Ok((T::to_cpu_storage_owned(y), (d[0], d[1], p.ho, p.wo).into()))
}

fn backward<T: WithDType>(x: (&CpuStorage, &Layout), g: (&CpuStorage, &Layout)) -> Result<Tensor> {
    let (_, p) = Planes::of(x.1.dims())?;
    let (xs, gs) = (slice::<T>(x.0, x.1)?, slice::<T>(g.0, g.1)?);
    let mut dx = vec![T::from_f64(0.0); xs.len()];
    for_chunks(&mut dx, p.h * p.w, |pi, out| {
        let plane = &xs[pi * p.h * p.w..][..p.h * p.w];
        let gp = &gs[pi * p.ho * p.wo..][..p.ho * p.wo];
        for (idx, &gv) in gp.iter().enumerate() {
            out[p.argmax(plane, idx / p.wo, idx % p.wo)] += gv;
        }
    });
    Tensor::from_vec(dx, x.1.shape(), &Device::Cpu)
}

impl CustomOp1 for MaxPool {
    fn name(&self) -> &'static str {
        "max-pool-3x3-s2-p1-cpu"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> Result<(CpuStorage, Shape)> {
        dispatch_float!(s.dtype(), forward((s, l)))
    }

    fn bwd(&self, x: &Tensor, _res: &Tensor, grad: &Tensor) -> Result<Option<Tensor>> {
        let grad = grad.contiguous()?;
        let dx = with_cpu(x, |sx, lx| {
            with_cpu(&grad, |sg, lg| {
                dispatch_float!(sx.dtype(), backward((sx, lx), (sg, lg)))
            })
        })?;
        Ok(Some(dx))
    }
}

/// Max over 3×3 windows at stride 2 with one row/column of −∞ padding, of a CPU tensor.
pub fn max_pool_3x3_s2_p1_cpu(x: &Tensor) -> Result<Tensor> {
    x.contiguous()?.apply_op1(MaxPool)
}
