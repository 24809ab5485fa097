//! BatchNorm on the CPU as one custom op. Train mode: per-channel batch statistics in two
//! passes (mean, then centred squares), normalise + affine in one pass, and a backward of
//! two passes (the per-channel sums, then dx). The tensor-op form took about ten
//! elementwise and reduction ops, each a pass over memory and an autograd node. Eval mode
//! (the feature passes): the same normalise + affine (+ ReLU) pass with the running
//! statistics, where the tensor-op form made five passes over the activations.
//!
//! Statistics and per-channel coefficients are accumulated in f64; the elementwise passes
//! run in the tensor's dtype.

use candle_core::backend::BackendStorage;
use candle_core::{CpuStorage, CustomOp3, Device, Layout, Result, Shape, Tensor, WithDType};
use rayon::prelude::*;

use super::cpu_util::{dispatch_float, for_chunks, parallel, slice, with_cpu};
use super::relu_cpu::relu_grad_tensor;

/// x viewed as N×C×`inner` (inner = H·W, or 1 for N×C).
#[derive(Debug, Clone, Copy)]
struct Dims {
    n: usize,
    c: usize,
    inner: usize,
}

impl Dims {
    fn of(shape: &[usize]) -> Dims {
        Dims {
            n: shape[0],
            c: shape[1],
            inner: shape[2..].iter().product(),
        }
    }

    /// Elements per channel: the M of the batch statistics.
    fn per_channel(&self) -> usize {
        self.n * self.inner
    }

    /// The `inner`-long runs of channel `ci`, one per sample.
    fn planes<'a, T>(&self, x: &'a [T], ci: usize) -> impl Iterator<Item = &'a [T]> + 'a {
        let (c, inner) = (self.c, self.inner);
        (0..self.n).map(move |ni| &x[(ni * c + ci) * inner..][..inner])
    }
}

/// `f(ci)` for every channel, across threads when [`parallel`]; in channel order.
fn per_channel<R: Send>(c: usize, f: impl Fn(usize) -> R + Sync) -> Vec<R> {
    if parallel() {
        (0..c).into_par_iter().map(&f).collect()
    } else {
        (0..c).map(f).collect()
    }
}

/// Σ f(a[i], b[i]) in eight interleaved f64 partial sums, which the compiler keeps in
/// vector registers: a single running sum waits on each add's latency.
fn sum8<T: WithDType>(a: &[T], b: &[T], f: impl Fn(f64, f64) -> f64) -> f64 {
    let mut acc = [0.0f64; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail: f64 = (ca.remainder().iter().zip(cb.remainder()))
        .map(|(&x, &y)| f(x.to_f64(), y.to_f64()))
        .sum();
    for (xa, xb) in ca.zip(cb) {
        for ((s, &x), &y) in acc.iter_mut().zip(xa).zip(xb) {
            *s += f(x.to_f64(), y.to_f64());
        }
    }
    acc.iter().sum::<f64>() + tail
}

/// Per-channel mean and biased variance.
fn stats<T: WithDType>(x: &[T], d: Dims) -> (Vec<f64>, Vec<f64>) {
    let m = d.per_channel() as f64;
    per_channel(d.c, |ci| {
        let s: f64 = d.planes(x, ci).map(|p| sum8(p, p, |v, _| v)).sum();
        let mean = s / m;
        let q: f64 = (d.planes(x, ci))
            .map(|p| sum8(p, p, |v, _| (v - mean) * (v - mean)))
            .sum();
        (mean, q / m)
    })
    .into_iter()
    .unzip()
}

/// out = (x − shift[c]) · scale[c] + add[c] (+ g · g_scale[c] when `g` is given), per
/// sample; clamped at 0 when `relu`.
fn affine<T: WithDType>(
    x: &[T],
    g: Option<&[T]>,
    d: Dims,
    coef: &[[f64; 4]],
    relu: bool,
) -> Vec<T> {
    let zero = T::from_f64(0.0);
    let mut out = vec![T::from_f64(0.0); x.len()];
    let sample = d.c * d.inner;
    for_chunks(&mut out, sample, |ni, o| {
        for (ci, (o, &[shift, scale, add, g_scale])) in o.chunks_mut(d.inner).zip(coef).enumerate()
        {
            let at = (ni * d.c + ci) * d.inner;
            let xs = &x[at..][..d.inner];
            let (shift, scale, add) = (T::from_f64(shift), T::from_f64(scale), T::from_f64(add));
            match g {
                None if relu => {
                    for (o, &x) in o.iter_mut().zip(xs) {
                        let y = (x - shift) * scale + add;
                        *o = if y > zero { y } else { zero };
                    }
                }
                None => {
                    for (o, &x) in o.iter_mut().zip(xs) {
                        *o = (x - shift) * scale + add;
                    }
                }
                Some(g) => {
                    let gs = &g[at..][..d.inner];
                    let g_scale = T::from_f64(g_scale);
                    for ((o, &x), &g) in o.iter_mut().zip(xs).zip(gs) {
                        *o = g * g_scale + (x - shift) * scale + add;
                    }
                }
            }
        }
    });
    out
}

/// The normalisation op (x, γ, β) → y, holding the statistics it was built with: the
/// batch's (`batch_stats`, train mode: they depend on x, which the backward accounts for)
/// or the running ones (eval mode: constants); `relu`: y = relu(BN(x)).
struct BatchNormCpu {
    mean: Vec<f64>,
    invstd: Vec<f64>,
    relu: bool,
    batch_stats: bool,
}

fn forward<T: WithDType>(
    x: (&CpuStorage, &Layout),
    gamma: (&CpuStorage, &Layout),
    beta: (&CpuStorage, &Layout),
    bn: &BatchNormCpu,
) -> Result<(CpuStorage, Shape)> {
    let (mean, invstd) = (&bn.mean, &bn.invstd);
    let d = Dims::of(x.1.dims());
    let (gamma, beta) = (slice::<T>(gamma.0, gamma.1)?, slice::<T>(beta.0, beta.1)?);
    let coef: Vec<[f64; 4]> = (0..d.c)
        .map(|ci| {
            let a = invstd[ci] * gamma[ci].to_f64();
            [mean[ci], a, beta[ci].to_f64(), 0.0]
        })
        .collect();
    let y = affine(slice::<T>(x.0, x.1)?, None, d, &coef, bn.relu);
    Ok((T::to_cpu_storage_owned(y), x.1.shape().clone()))
}

/// (dx, dγ, dβ) from x, the output gradient g and γ; `batch_stats`: μ and σ are the batch's
/// (functions of x), otherwise constants.
fn backward<T: WithDType>(
    x: (&CpuStorage, &Layout),
    g: (&CpuStorage, &Layout),
    gamma: &[f64],
    mean: &[f64],
    invstd: &[f64],
    batch_stats: bool,
) -> Result<(Vec<T>, Vec<f64>, Vec<f64>)> {
    let d = Dims::of(x.1.dims());
    let (x, g) = (slice::<T>(x.0, x.1)?, slice::<T>(g.0, g.1)?);
    // Σ g and Σ g·(x − μ) per channel.
    let sums = per_channel(d.c, |ci| {
        let (mut sg, mut sgx) = (0.0, 0.0);
        for (xp, gp) in d.planes(x, ci).zip(d.planes(g, ci)) {
            sg += sum8(gp, gp, |g, _| g);
            sgx += sum8(xp, gp, |x, g| g * (x - mean[ci]));
        }
        (sg, sgx)
    });
    let m = d.per_channel() as f64;
    let dbeta: Vec<f64> = sums.iter().map(|s| s.0).collect();
    let dgamma: Vec<f64> = sums.iter().zip(invstd).map(|(s, i)| s.1 * i).collect();
    if !batch_stats {
        // dx = γσ⁻¹ g.
        let coef: Vec<[f64; 4]> = (0..d.c)
            .map(|ci| [0.0, 0.0, 0.0, gamma[ci] * invstd[ci]])
            .collect();
        return Ok((affine(x, Some(g), d, &coef, false), dgamma, dbeta));
    }
    // dx = γσ⁻¹ (g − Σg/M − x̂ dγ/M), x̂ = (x − μ)σ⁻¹.
    let coef: Vec<[f64; 4]> = (0..d.c)
        .map(|ci| {
            let k1 = gamma[ci] * invstd[ci];
            let k2 = -k1 * invstd[ci] * dgamma[ci] / m;
            [mean[ci], k2, -k1 * dbeta[ci] / m, k1]
        })
        .collect();
    Ok((affine(x, Some(g), d, &coef, false), dgamma, dbeta))
}

impl CustomOp3 for BatchNormCpu {
    fn name(&self) -> &'static str {
        if self.batch_stats {
            "batch-norm-train-cpu"
        } else {
            "batch-norm-eval-cpu"
        }
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
        s3: &CpuStorage,
        l3: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        dispatch_float!(s1.dtype(), forward((s1, l1), (s2, l2), (s3, l3), self))
    }

    fn bwd(
        &self,
        x: &Tensor,
        gamma: &Tensor,
        _beta: &Tensor,
        res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>, Option<Tensor>)> {
        let grad = if self.relu {
            relu_grad_tensor(grad, res)?
        } else {
            grad.contiguous()?
        };
        let gamma_v = gamma.to_dtype(candle_core::DType::F64)?.to_vec1::<f64>()?;
        let (dx, dgamma, dbeta) = with_cpu(x, |sx, lx| {
            with_cpu(&grad, |sg, lg| {
                fn run<T: WithDType>(
                    x: (&CpuStorage, &Layout),
                    g: (&CpuStorage, &Layout),
                    bn: &BatchNormCpu,
                    gamma: &[f64],
                ) -> Result<(Tensor, Vec<f64>, Vec<f64>)> {
                    let (dx, dg, db) =
                        backward::<T>(x, g, gamma, &bn.mean, &bn.invstd, bn.batch_stats)?;
                    let dx = Tensor::from_vec(dx, x.1.shape(), &Device::Cpu)?;
                    Ok((dx, dg, db))
                }
                dispatch_float!(sx.dtype(), run((sx, lx), (sg, lg), self, &gamma_v))
            })
        })?;
        let c = dgamma.len();
        let dt = x.dtype();
        let dgamma = Tensor::from_vec(dgamma, c, &Device::Cpu)?.to_dtype(dt)?;
        let dbeta = Tensor::from_vec(dbeta, c, &Device::Cpu)?.to_dtype(dt)?;
        Ok((Some(dx), Some(dgamma), Some(dbeta)))
    }
}

/// Train-mode BatchNorm of x (N×C or N×C×H×W, on the CPU) with batch statistics, followed
/// by a ReLU when `relu`: returns y and the per-channel batch mean and biased variance (for
/// the running statistics).
pub fn batch_norm_train_cpu(
    x: &Tensor,
    gamma: &Tensor,
    beta: &Tensor,
    eps: f64,
    relu: bool,
) -> Result<(Tensor, Vec<f64>, Vec<f64>)> {
    let x = x.contiguous()?;
    let d = Dims::of(x.dims());
    let (mean, var) = with_cpu(&x, |s, l| dispatch_float!(s.dtype(), stats_of(s, l, d)))?;
    let invstd = var.iter().map(|v| 1.0 / (v + eps).sqrt()).collect();
    let op = BatchNormCpu {
        mean: mean.clone(),
        invstd,
        relu,
        batch_stats: true,
    };
    let y = x.apply_op3(&gamma.contiguous()?, &beta.contiguous()?, op)?;
    Ok((y, mean, var))
}

/// Eval-mode BatchNorm of x (N×C or N×C×H×W, on the CPU) with the given running mean and
/// variance (constants: no gradient flows to them), followed by a ReLU when `relu`.
pub fn batch_norm_eval_cpu(
    x: &Tensor,
    gamma: &Tensor,
    beta: &Tensor,
    (running_mean, running_var): (&Tensor, &Tensor),
    eps: f64,
    relu: bool,
) -> Result<Tensor> {
    let f64s = |t: &Tensor| t.to_dtype(candle_core::DType::F64)?.to_vec1::<f64>();
    let op = BatchNormCpu {
        mean: f64s(running_mean)?,
        invstd: f64s(running_var)?
            .iter()
            .map(|v| 1.0 / (v + eps).sqrt())
            .collect(),
        relu,
        batch_stats: false,
    };
    x.contiguous()?
        .apply_op3(&gamma.contiguous()?, &beta.contiguous()?, op)
}

fn stats_of<T: WithDType>(s: &CpuStorage, l: &Layout, d: Dims) -> Result<(Vec<f64>, Vec<f64>)> {
    Ok(stats(slice::<T>(s, l)?, d))
}
