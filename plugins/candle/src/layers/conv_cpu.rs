//! Training-mode 2-D convolution on the CPU as one candle custom op: im2col by a direct
//! loop into one buffer, then a single matrix product; backward is two matrix products and
//! a col2im loop. One autograd node per convolution, where the tensor-op im2col made dozens
//! (strided copies, a stack, reshapes), each with its own zero-filled gradient buffer.
//!
//! Layouts: the batch axis goes innermost. x is transposed to (C·H·W)×N, the patch matrix
//! is (C·k·k)×(Ho·Wo·N), row c·k·k + di·k + dj as the weight's O×(C·k·k) view, and the
//! product O×(Ho·Wo·N) is transposed back to N×O×Ho×Wo. Every im2col/col2im row is then a
//! run of (columns × N) elements: with ResNet18 on 32×32 inputs the feature maps are 8×8
//! down to 1×1, and row-by-row loops in N×C×H×W spent their time on loop overhead.

use candle_core::backend::BackendStorage;
use candle_core::{bail, CpuStorage, CustomOp2, Device, Layout, Result, Shape, Tensor, WithDType};

use super::cpu_util::{dispatch_float, for_chunks, matmul, slice, transposed, with_cpu};

/// The sizes of one convolution (input N×C×H×W, kernel O×C×k×k, output N×O×Ho×Wo).
#[derive(Debug, Clone, Copy)]
struct Geom {
    n: usize,
    c: usize,
    h: usize,
    w: usize,
    o: usize,
    k: usize,
    stride: usize,
    pad: usize,
    ho: usize,
    wo: usize,
}

impl Geom {
    fn new(x: &[usize], o: usize, k: usize, stride: usize, pad: usize) -> Result<Self> {
        let &[n, c, h, w] = x else {
            bail!("conv: input of rank {}, not 4", x.len())
        };
        if h + 2 * pad < k || w + 2 * pad < k || stride == 0 {
            bail!("conv: kernel {k} larger than the padded {h}×{w} input");
        }
        let (ho, wo) = (
            (h + 2 * pad - k) / stride + 1,
            (w + 2 * pad - k) / stride + 1,
        );
        Ok(Geom {
            n,
            c,
            h,
            w,
            o,
            k,
            stride,
            pad,
            ho,
            wo,
        })
    }

    /// Rows of the patch matrix.
    fn patch(&self) -> usize {
        self.c * self.k * self.k
    }

    /// Columns of the patch matrix: output pixels of the whole batch.
    fn pixels(&self) -> usize {
        self.n * self.ho * self.wo
    }

    /// The output indices `lo..hi` (of `out`) whose input index `j·stride + d − pad` lies
    /// in `0..inp`: the rest read padding.
    fn valid(&self, d: usize, out: usize, inp: usize) -> (usize, usize) {
        let lo = (self.pad.saturating_sub(d)).div_ceil(self.stride);
        let hi = (inp + self.pad)
            .saturating_sub(d)
            .div_ceil(self.stride)
            .min(out);
        (lo.min(hi), hi)
    }
}

/// Where kernel tap (di, dj) reads: output rows `i0..i1` and columns `j0..j1` see input
/// row `i·stride + di − pad` from column `x0` on (every `stride`-th); the rest see padding.
#[derive(Debug, Clone, Copy)]
struct Tap {
    di: usize,
    i0: usize,
    i1: usize,
    j0: usize,
    j1: usize,
    x0: usize,
}

impl Geom {
    /// The k·k taps, row-major (the patch matrix's row order within a channel). Computed
    /// once per call: the divisions in [`Geom::valid`] cost more than a tiny row's copy.
    fn taps(&self) -> Vec<Tap> {
        (0..self.k * self.k)
            .map(|t| {
                let (di, dj) = (t / self.k, t % self.k);
                let (i0, i1) = self.valid(di, self.ho, self.h);
                let (j0, j1) = self.valid(dj, self.wo, self.w);
                let i1 = if j0 == j1 { i0 } else { i1 };
                let x0 = (j0 * self.stride + dj).saturating_sub(self.pad);
                Tap {
                    di,
                    i0,
                    i1,
                    j0,
                    j1,
                    x0,
                }
            })
            .collect()
    }

    /// The input row of output row `i` under tap `t`.
    fn row(&self, t: &Tap, i: usize) -> usize {
        i * self.stride + t.di - self.pad
    }
}

/// The patch matrix of x, given as xt = (C·H·W)×N.
fn im2col<T: WithDType>(xt: &[T], g: &Geom) -> Vec<T> {
    let (n, np) = (g.n, g.pixels());
    let taps = g.taps();
    let mut cols = vec![T::from_f64(0.0); g.patch() * np];
    for_chunks(&mut cols, np, |r, row| {
        let (ci, t) = (r / taps.len(), &taps[r % taps.len()]);
        let plane = &xt[ci * g.h * g.w * n..][..g.h * g.w * n];
        for i in t.i0..t.i1 {
            let src = &plane[(g.row(t, i) * g.w + t.x0) * n..];
            let dst = &mut row[(i * g.wo + t.j0) * n..(i * g.wo + t.j1) * n];
            if g.stride == 1 {
                dst.copy_from_slice(&src[..dst.len()]);
            } else {
                for (jj, d) in dst.chunks_exact_mut(n).enumerate() {
                    d.copy_from_slice(&src[jj * g.stride * n..][..n]);
                }
            }
        }
    });
    cols
}

/// The adjoint of [`im2col`]: sums each patch-matrix entry back into the input position
/// it was read from, giving dxt = (C·H·W)×N. Split over channels, so each thread owns
/// its output.
fn col2im<T: WithDType>(cols: &[T], g: &Geom) -> Vec<T> {
    let (n, np) = (g.n, g.pixels());
    let plane_len = g.h * g.w * n;
    let taps = g.taps();
    let mut dxt = vec![T::from_f64(0.0); g.c * plane_len];
    for_chunks(&mut dxt, plane_len, |ci, plane| {
        for (ti, t) in taps.iter().enumerate() {
            let seg = &cols[(ci * taps.len() + ti) * np..][..np];
            for i in t.i0..t.i1 {
                let src = &seg[(i * g.wo + t.j0) * n..(i * g.wo + t.j1) * n];
                let dst = &mut plane[(g.row(t, i) * g.w + t.x0) * n..];
                if g.stride == 1 {
                    for (d, s) in dst.iter_mut().zip(src) {
                        *d += *s;
                    }
                } else {
                    for (jj, s) in src.chunks_exact(n).enumerate() {
                        for (d, s) in dst[jj * g.stride * n..][..n].iter_mut().zip(s) {
                            *d += *s;
                        }
                    }
                }
            }
        }
    });
    dxt
}

/// The transpose of a contiguous rows×cols matrix, by bands of [`BAND`] result rows and
/// [`BAND`]×[`BAND`] tiles: a tile is read as contiguous runs of the source rows and
/// written as contiguous runs of the result rows (an element-by-element strided gather
/// was 8% of a training step).
fn transpose<T: WithDType>(src: &[T], rows: usize, cols: usize) -> Vec<T> {
    let zero = T::from_f64(0.0);
    let mut dst = vec![zero; rows * cols];
    if rows > 0 {
        for_chunks(&mut dst, rows * BAND, |bi, band| {
            let width = band.len() / rows;
            let mut tile = [[zero; BAND]; BAND];
            for r0 in (0..rows).step_by(BAND) {
                let height = BAND.min(rows - r0);
                for (r, run) in src[r0 * cols..].chunks(cols).take(height).enumerate() {
                    for (t, &v) in tile.iter_mut().zip(&run[bi * BAND..][..width]) {
                        t[r] = v;
                    }
                }
                for (k, t) in tile.iter().take(width).enumerate() {
                    band[k * rows + r0..][..height].copy_from_slice(&t[..height]);
                }
            }
        });
    }
    dst
}

/// Result rows per band of [`transpose`].
const BAND: usize = 16;

/// y = w ⋆ x, N×O×Ho×Wo.
fn forward<T: WithDType>(
    x: (&CpuStorage, &Layout),
    w: (&CpuStorage, &Layout),
    g: &Geom,
) -> Result<(CpuStorage, Shape)> {
    slice::<T>(w.0, w.1)?;
    let xt = transpose(slice::<T>(x.0, x.1)?, g.n, g.c * g.h * g.w);
    let cols = T::to_cpu_storage_owned(im2col(&xt, g));
    drop(xt);
    let w_mat = Layout::contiguous_with_offset((g.o, g.patch()), w.1.start_offset());
    let cols_l = Layout::contiguous((g.patch(), g.pixels()));
    let y = matmul::<T>(w.0, &w_mat, &cols, &cols_l, (g.o, g.pixels(), g.patch()))?;
    let y = transpose(&y, g.o * g.ho * g.wo, g.n);
    Ok((T::to_cpu_storage_owned(y), (g.n, g.o, g.ho, g.wo).into()))
}

/// dL/dx = col2im(wᵀ · gt), gt the output gradient as O×(Ho·Wo·N).
fn grad_input<T: WithDType>(
    gt: (&CpuStorage, &Layout),
    w: (&CpuStorage, &Layout),
    g: &Geom,
) -> Result<(CpuStorage, Shape)> {
    slice::<T>(gt.0, gt.1)?;
    slice::<T>(w.0, w.1)?;
    let w_t = transposed(g.o, g.patch(), w.1.start_offset());
    let gt_l = Layout::contiguous_with_offset((g.o, g.pixels()), gt.1.start_offset());
    let cols = matmul::<T>(w.0, &w_t, gt.0, &gt_l, (g.patch(), g.pixels(), g.o))?;
    let dxt = col2im(&cols, g);
    drop(cols);
    let dx = transpose(&dxt, g.c * g.h * g.w, g.n);
    Ok((T::to_cpu_storage_owned(dx), (g.n, g.c, g.h, g.w).into()))
}

/// dL/dw = gt · im2col(x)ᵀ.
fn grad_weight<T: WithDType>(
    x: (&CpuStorage, &Layout),
    gt: (&CpuStorage, &Layout),
    g: &Geom,
) -> Result<(CpuStorage, Shape)> {
    slice::<T>(gt.0, gt.1)?;
    let xt = transpose(slice::<T>(x.0, x.1)?, g.n, g.c * g.h * g.w);
    let cols = T::to_cpu_storage_owned(im2col(&xt, g));
    drop(xt);
    let gt_l = Layout::contiguous_with_offset((g.o, g.pixels()), gt.1.start_offset());
    let cols_t = transposed(g.patch(), g.pixels(), 0);
    let dw = matmul::<T>(gt.0, &gt_l, &cols, &cols_t, (g.o, g.patch(), g.pixels()))?;
    Ok((T::to_cpu_storage_owned(dw), (g.o, g.c, g.k, g.k).into()))
}

/// The output gradient (N×O×Ho×Wo, CPU) as O×Ho×Wo×N, the layout both products read.
fn grad_transposed(grad: &Tensor) -> Result<Tensor> {
    let grad = grad.contiguous()?;
    let (n, o, ho, wo) = grad.dims4()?;
    with_cpu(&grad, |s, l| {
        fn run<T: WithDType>(s: &CpuStorage, l: &Layout, n: usize, rest: usize) -> Result<Tensor> {
            Tensor::from_vec(
                transpose(slice::<T>(s, l)?, n, rest),
                rest * n,
                &Device::Cpu,
            )
        }
        dispatch_float!(s.dtype(), run(s, l, n, o * ho * wo))
    })?
    .reshape((o, ho, wo, n))
}

/// The convolution op: (x N×C×H×W, w O×C×k×k) → N×O×Ho×Wo, both inputs contiguous.
#[derive(Debug, Clone, Copy)]
struct Conv2dCpu {
    stride: usize,
    pad: usize,
}

impl CustomOp2 for Conv2dCpu {
    fn name(&self) -> &'static str {
        "conv2d-im2col-cpu"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let &[o, ci, k, k2] = l2.dims() else {
            bail!("conv: kernel of rank {}, not 4", l2.dims().len())
        };
        let g = Geom::new(l1.dims(), o, k, self.stride, self.pad)?;
        if ci != g.c || k != k2 || s1.dtype() != s2.dtype() {
            bail!(
                "conv: input {:?} and kernel {:?} disagree",
                l1.dims(),
                l2.dims()
            );
        }
        dispatch_float!(s1.dtype(), forward((s1, l1), (s2, l2), &g))
    }

    fn bwd(
        &self,
        x: &Tensor,
        w: &Tensor,
        _res: &Tensor,
        grad: &Tensor,
    ) -> Result<(Option<Tensor>, Option<Tensor>)> {
        let gt = grad_transposed(grad)?;
        let (_, _, h, wd) = x.dims4()?;
        let dx = if x.track_op() {
            let op = GradInput {
                stride: self.stride,
                pad: self.pad,
                h,
                w: wd,
            };
            Some(gt.apply_op2_no_bwd(w, &op)?)
        } else {
            None
        };
        let dw = if w.track_op() {
            let op = GradWeight {
                stride: self.stride,
                pad: self.pad,
                k: w.dim(2)?,
            };
            Some(x.apply_op2_no_bwd(&gt, &op)?)
        } else {
            None
        };
        Ok((dx, dw))
    }
}

/// (gt O×Ho×Wo×N, w) → dL/dx N×C×H×W; H, W given (stride makes them ambiguous).
struct GradInput {
    stride: usize,
    pad: usize,
    h: usize,
    w: usize,
}

impl CustomOp2 for GradInput {
    fn name(&self) -> &'static str {
        "conv2d-im2col-cpu-grad-input"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let (&[o, ho, wo, n], &[_, c, k, _]) = (l1.dims(), l2.dims()) else {
            bail!("conv backward: bad ranks {:?} {:?}", l1.dims(), l2.dims())
        };
        let g = Geom::new(&[n, c, self.h, self.w], o, k, self.stride, self.pad)?;
        if (g.ho, g.wo) != (ho, wo) {
            bail!(
                "conv backward: gradient {:?} for input {}×{}",
                l1.dims(),
                g.h,
                g.w
            );
        }
        dispatch_float!(s1.dtype(), grad_input((s1, l1), (s2, l2), &g))
    }
}

/// (x N×C×H×W, gt O×Ho×Wo×N) → dL/dw O×C×k×k.
struct GradWeight {
    stride: usize,
    pad: usize,
    k: usize,
}

impl CustomOp2 for GradWeight {
    fn name(&self) -> &'static str {
        "conv2d-im2col-cpu-grad-weight"
    }

    fn cpu_fwd(
        &self,
        s1: &CpuStorage,
        l1: &Layout,
        s2: &CpuStorage,
        l2: &Layout,
    ) -> Result<(CpuStorage, Shape)> {
        let g = Geom::new(l1.dims(), l2.dims()[0], self.k, self.stride, self.pad)?;
        if l2.dims() != [g.o, g.ho, g.wo, g.n] {
            bail!(
                "conv backward: gradient {:?} for input {:?}",
                l2.dims(),
                l1.dims()
            );
        }
        dispatch_float!(s1.dtype(), grad_weight((s1, l1), (s2, l2), &g))
    }
}

/// Cross-correlation of x (N×C×H×W) with w (O×C×k×k) at `stride` with zero `padding`, as
/// PyTorch's `conv2d` without bias; differentiable in both. CPU tensors only.
pub fn conv2d_cpu(x: &Tensor, w: &Tensor, stride: usize, padding: usize) -> Result<Tensor> {
    x.contiguous()?.apply_op2(
        &w.contiguous()?,
        Conv2dCpu {
            stride,
            pad: padding,
        },
    )
}
