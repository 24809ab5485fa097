//! Bilinear resize of 8-bit planes, reproducing Pillow's `Image.resize(size, BILINEAR)`, which
//! is what torchvision's `Resize` runs on the PIL images of its MNIST data set.
//!
//! Pillow resamples separably with a triangle filter widened by the scale factor when
//! shrinking (so it antialiases), with coefficients in 22-bit fixed point and the
//! intermediate image rounded to 8 bits. Those details change pixel values by one grey
//! level, so they are reproduced (Pillow 13 `libImaging/Resample.c`, including its choice of
//! which pass runs first).

/// Fixed-point fraction bits of Pillow's 8-bit coefficients (`32 - 8 - 2`).
const PRECISION_BITS: u32 = 22;

/// The filter taps of one resampling direction.
#[derive(Debug, Clone)]
struct Coeffs {
    /// Taps per output pixel (some trailing ones zero).
    ksize: usize,
    /// Per output pixel: first input index and number of taps used.
    bounds: Vec<(usize, usize)>,
    /// `out_size × ksize` fixed-point weights.
    weights: Vec<i32>,
}

/// Pillow's `bilinear_filter`: a triangle of support 1.
fn triangle(x: f64) -> f64 {
    let x = x.abs();
    if x < 1.0 {
        1.0 - x
    } else {
        0.0
    }
}

impl Coeffs {
    /// Pillow's `precompute_coeffs` + `normalize_coeffs_8bpc` for the full input range.
    fn new(in_size: usize, out_size: usize) -> Self {
        let scale = in_size as f64 / out_size as f64;
        let filterscale = scale.max(1.0);
        let support = filterscale; // triangle support (1.0) × filterscale
        let ksize = support.ceil() as usize * 2 + 1;
        let mut bounds = Vec::with_capacity(out_size);
        let mut weights = vec![0i32; out_size * ksize];
        let mut taps = vec![0f64; ksize];
        for xx in 0..out_size {
            let center = (xx as f64 + 0.5) * scale;
            // C's `(int)` cast truncates toward zero; negatives clamp to 0 either way.
            let xmin = ((center - support + 0.5) as i64).max(0) as usize;
            let xmax = ((center + support + 0.5) as i64).min(in_size as i64) as usize - xmin;
            let mut total = 0.0;
            for (x, tap) in taps.iter_mut().enumerate().take(xmax) {
                *tap = triangle((x as f64 + xmin as f64 - center + 0.5) / filterscale);
                total += *tap;
            }
            for (x, tap) in taps.iter().enumerate().take(xmax) {
                let w = if total != 0.0 { tap / total } else { *tap };
                let fixed = w * f64::from(1u32 << PRECISION_BITS);
                weights[xx * ksize + x] = if w < 0.0 {
                    (fixed - 0.5) as i32
                } else {
                    (fixed + 0.5) as i32
                };
            }
            bounds.push((xmin, xmax));
        }
        Coeffs {
            ksize,
            bounds,
            weights,
        }
    }

    /// One output value from `len` inputs spaced `stride` apart starting at `base`.
    #[inline]
    fn apply(&self, out_index: usize, input: &[u8], base: usize, stride: usize) -> u8 {
        let (xmin, xmax) = self.bounds[out_index];
        let k = &self.weights[out_index * self.ksize..out_index * self.ksize + xmax];
        let mut acc: i32 = 1 << (PRECISION_BITS - 1);
        for (x, &w) in k.iter().enumerate() {
            acc += i32::from(input[base + (xmin + x) * stride]) * w;
        }
        (acc >> PRECISION_BITS).clamp(0, 255) as u8
    }
}

/// A reusable Pillow-exact bilinear resampler from one plane size to another.
#[derive(Debug, Clone)]
pub struct BilinearResize {
    in_h: usize,
    in_w: usize,
    out_h: usize,
    out_w: usize,
    horizontal: Coeffs,
    vertical: Coeffs,
}

impl BilinearResize {
    /// A resampler from `in_h × in_w` planes to `out_h × out_w` planes (all sizes ≥ 1).
    pub fn new(in_h: usize, in_w: usize, out_h: usize, out_w: usize) -> Self {
        assert!(
            in_h > 0 && in_w > 0 && out_h > 0 && out_w > 0,
            "resize sizes must be positive"
        );
        BilinearResize {
            in_h,
            in_w,
            out_h,
            out_w,
            horizontal: Coeffs::new(in_w, out_w),
            vertical: Coeffs::new(in_h, out_h),
        }
    }

    /// Output plane size `(height, width)`.
    pub fn output_size(&self) -> (usize, usize) {
        (self.out_h, self.out_w)
    }

    /// Whether Pillow runs the horizontal pass first. Pillow 13 runs the vertical pass first
    /// when the height shrinks by more than twice the width's reduction (in pixels); older
    /// Pillow always went horizontal first. Both agree for every enlargement, 28→32 included.
    fn horizontal_first(&self) -> bool {
        let dh = self.in_h as i64 - self.out_h as i64;
        let dw = self.in_w as i64 - self.out_w as i64;
        !(dh > 0 && dh > dw * 2)
    }

    /// Resizes one row-major plane of `in_h × in_w` bytes into `out` (`out_h × out_w`).
    /// Like Pillow, a direction whose size does not change is not resampled, and the
    /// intermediate image is rounded to 8 bits.
    pub fn apply_into(&self, plane: &[u8], out: &mut [u8]) {
        assert_eq!(plane.len(), self.in_h * self.in_w, "input plane size");
        assert_eq!(out.len(), self.out_h * self.out_w, "output plane size");
        let (need_h, need_v) = (self.out_w != self.in_w, self.out_h != self.in_h);
        match (need_h, need_v) {
            (false, false) => out.copy_from_slice(plane),
            (true, false) => self.horizontal_pass(plane, self.in_h, out),
            (false, true) => self.vertical_pass(plane, self.in_w, out),
            (true, true) if self.horizontal_first() => {
                let mut mid = vec![0u8; self.in_h * self.out_w];
                self.horizontal_pass(plane, self.in_h, &mut mid);
                self.vertical_pass(&mid, self.out_w, out);
            }
            (true, true) => {
                let mut mid = vec![0u8; self.out_h * self.in_w];
                self.vertical_pass(plane, self.in_w, &mut mid);
                self.horizontal_pass(&mid, self.out_h, out);
            }
        }
    }

    /// Resamples the rows of a `rows × in_w` plane to `out_w` columns.
    fn horizontal_pass(&self, input: &[u8], rows: usize, out: &mut [u8]) {
        for y in 0..rows {
            for xx in 0..self.out_w {
                out[y * self.out_w + xx] = self.horizontal.apply(xx, input, y * self.in_w, 1);
            }
        }
    }

    /// Resamples the columns of an `in_h × cols` plane to `out_h` rows.
    fn vertical_pass(&self, input: &[u8], cols: usize, out: &mut [u8]) {
        for yy in 0..self.out_h {
            for x in 0..cols {
                out[yy * cols + x] = self.vertical.apply(yy, input, x, cols);
            }
        }
    }

    /// Resizes one plane, returning the new plane.
    pub fn apply(&self, plane: &[u8]) -> Vec<u8> {
        let mut out = vec![0u8; self.out_h * self.out_w];
        self.apply_into(plane, &mut out);
        out
    }
}
