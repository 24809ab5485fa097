//! ReLU fused into the op before it, on the CPU. candle's ReLU backward builds the mask
//! from four tensor ops (zeros, compare, cast, multiply); here the mask is one pass over
//! the op's own output, which is positive exactly where the ReLU let the gradient through.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp2, Device, Layout, Result, Shape, Tensor, WithDType};

use super::cpu_util::{dispatch_float, for_chunks, slice, with_cpu};

/// Elements per parallel chunk of the elementwise loops.
const CHUNK: usize = 1 << 14;

/// g where y > 0, else 0: the gradient through y = relu(·), given y.
pub fn relu_grad<T: WithDType>(g: &[T], y: &[T]) -> Vec<T> {
    let zero = T::from_f64(0.0);
    let mut out = vec![zero; g.len()];
    for_chunks(&mut out, CHUNK, |i, o| {
        let at = i * CHUNK;
        for ((o, &g), &y) in o.iter_mut().zip(&g[at..]).zip(&y[at..]) {
            *o = if y > zero { g } else { zero };
        }
    });
    out
}

/// [`relu_grad`] of two CPU tensors of one shape, as a tensor.
pub fn relu_grad_tensor(g: &Tensor, y: &Tensor) -> Result<Tensor> {
    let g = g.contiguous()?;
    with_cpu(&g, |sg, lg| {
        with_cpu(y, |sy, ly| {
            fn run<T: WithDType>(
                g: (&CpuStorage, &Layout),
                y: (&CpuStorage, &Layout),
            ) -> Result<Tensor> {
                let m = relu_grad(slice::<T>(g.0, g.1)?, slice::<T>(y.0, y.1)?);
                Tensor::from_vec(m, g.1.shape(), &Device::Cpu)
            }
            dispatch_float!(sg.dtype(), run((sg, lg), (sy, ly)))
        })
    })
}

/// relu(a + b), the end of a residual block.
struct AddRelu;

fn add_relu<T: WithDType>(
    a: (&CpuStorage, &Layout),
    b: (&CpuStorage, &Layout),
) -> Result<(CpuStorage, Shape)> {
    let (xa, xb) = (slice::<T>(a.0, a.1)?, slice::<T>(b.0, b.1)?);
    let zero = T::from_f64(0.0);
    let mut out = vec![zero; xa.len()];
    for_chunks(&mut out, CHUNK, |i, o| {
        let at = i * CHUNK;
        for ((o, &a), &b) in o.iter_mut().zip(&xa[at..]).zip(&xb[at..]) {
            let s = a + b;
            *o = if s > zero { s } else { zero };
        }
    });
    Ok((T::to_cpu_storage_owned(out), a.1.shape().clone()))
}

impl CustomOp2 for AddRelu {
    fn name(&self) -> &'static str {
        "add-relu-cpu"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        if l1.shape() != l2.shape() {
            candle_core::bail!("add-relu: shapes {:?} and {:?}", l1.dims(), l2.dims());
        }
        dispatch_float!(s1.dtype(), add_relu((s1, l1), (s2, l2)))
    }

    fn bwd(
        &self,
        a: &Tensor,
        b: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let m = relu_grad_tensor(grad, res)?;
        Ok((a.track_op().then(|| m.clone()), b.track_op().then_some(m)))
    }
}

/// relu(a + b) of two CPU tensors of one shape; differentiable in both.
pub fn add_relu_cpu(a: &Tensor, b: &Tensor) -> Result<Tensor> {
    a.contiguous()?.apply_op2(&b.contiguous()?, AddRelu)
}
