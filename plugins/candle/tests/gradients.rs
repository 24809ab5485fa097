//! Forward/backward of each layer against central finite differences, in f64 on tiny inputs:
//! the gradient candle's autograd computes through our layers is the gradient of what the
//! forward computes. Plus the forward against hand-computed values where that is short.

use candle_core::{DType, Device, Tensor, Var};
use collapse_plugin_candle::config::LossKind;
use collapse_plugin_candle::layers::{add_relu, max_pool_3x3_s2_p1, BatchNorm, Conv2d, Linear};
use collapse_plugin_candle::loss::batch_loss;
use collapse_plugin_candle::params::ParamSet;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

const EPS: f64 = 1e-6;
const TOL: f64 = 1e-6;

fn randn(shape: &[usize], seed: u64) -> Tensor {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let n: usize = shape.iter().product();
    let v: Vec<f64> = (0..n)
        .map(|_| rand_distr::Distribution::<f64>::sample(&rand_distr::StandardNormal, &mut rng))
        .collect();
    Tensor::from_vec(v, shape, &Device::Cpu).unwrap()
}

fn scalar(t: &Tensor) -> f64 {
    t.to_scalar::<f64>().unwrap()
}

/// Checks d f / d v for every element of `v` against central differences.
fn check(f: &dyn Fn() -> Tensor, vars: &[&Var], what: &str) {
    let grads = f().backward().unwrap();
    for (vi, v) in vars.iter().enumerate() {
        let g = grads
            .get(v.as_tensor())
            .unwrap_or_else(|| panic!("{what}: no gradient for var {vi}"))
            .flatten_all()
            .unwrap()
            .to_vec1::<f64>()
            .unwrap();
        let base = v
            .as_tensor()
            .flatten_all()
            .unwrap()
            .to_vec1::<f64>()
            .unwrap();
        let dims = v.as_tensor().dims().to_vec();
        for i in 0..base.len() {
            let eval = |delta: f64| {
                let mut p = base.clone();
                p[i] += delta;
                v.set(&Tensor::from_vec(p, dims.as_slice(), &Device::Cpu).unwrap())
                    .unwrap();
                scalar(&f())
            };
            let fd = (eval(EPS) - eval(-EPS)) / (2.0 * EPS);
            v.set(&Tensor::from_vec(base.clone(), dims.as_slice(), &Device::Cpu).unwrap())
                .unwrap();
            assert!(
                (fd - g[i]).abs() <= TOL * (1.0 + fd.abs()),
                "{what}: var {vi} element {i}: autograd {} vs finite difference {fd}",
                g[i]
            );
        }
    }
}

/// A fixed random projection of the output to a scalar, so every output entry matters.
fn project(y: &Tensor, seed: u64) -> Tensor {
    let r = randn(y.dims(), seed);
    (y * r).unwrap().sum_all().unwrap()
}

#[test]
fn conv2d_matches_finite_differences() {
    let mut ps = ParamSet::default();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let conv = Conv2d::new(
        &mut ps,
        &mut rng,
        "c",
        (2, 3, 3),
        2,
        1,
        DType::F64,
        &Device::Cpu,
    )
    .unwrap();
    let x = Var::from_tensor(&randn(&[2, 2, 5, 5], 2)).unwrap();
    let w = ps.trainable[0].var.clone();
    check(
        &|| project(&conv.forward(x.as_tensor(), true).unwrap(), 3),
        &[&x, &w],
        "conv 3x3 stride 2 pad 1",
    );
    // The custom op (training and evaluation) and candle's own conv2d agree, for every
    // kernel size, stride and padding ResNet18 uses.
    for (k, stride, pad, h) in [(3, 2, 1, 5), (3, 1, 1, 4), (7, 2, 3, 8), (1, 2, 0, 5)] {
        let mut ps = ParamSet::default();
        let conv = Conv2d::new(
            &mut ps,
            &mut rng,
            "c",
            (2, 3, k),
            stride,
            pad,
            DType::F64,
            &Device::Cpu,
        )
        .unwrap();
        let x = randn(&[2, 2, h, h], 20 + k as u64);
        let xv = Var::from_tensor(&x).unwrap();
        let w = ps.trainable[0].var.clone();
        check(
            &|| project(&conv.forward(xv.as_tensor(), true).unwrap(), 30 + k as u64),
            &[&xv, &w],
            &format!("conv {k}x{k} stride {stride} pad {pad}"),
        );
        let b = x.conv2d(w.as_tensor(), pad, stride, 1, 1).unwrap();
        for train in [true, false] {
            let a = conv.forward(&x, train).unwrap();
            assert_eq!(a.dims(), b.dims());
            let diff = scalar(&(a - &b).unwrap().abs().unwrap().max_all().unwrap());
            assert!(diff < 1e-12, "k {k} stride {stride} train {train}: {diff}");
        }
    }
}

#[test]
fn batch_norm_train_and_eval_match_finite_differences() {
    let mut ps = ParamSet::default();
    let bn = BatchNorm::new(&mut ps, "bn", 3, DType::F64, &Device::Cpu).unwrap();
    // Non-trivial γ, β.
    ps.trainable[0].var.set(&randn(&[3], 4)).unwrap();
    ps.trainable[1].var.set(&randn(&[3], 5)).unwrap();
    let (g, b) = (ps.trainable[0].var.clone(), ps.trainable[1].var.clone());
    for shape in [vec![4usize, 3], vec![2, 3, 2, 2]] {
        let x = Var::from_tensor(&randn(&shape, 6)).unwrap();
        check(
            &|| project(&bn.forward(x.as_tensor(), true).unwrap(), 7),
            &[&x, &g, &b],
            "batchnorm train",
        );
        check(
            &|| project(&bn.forward(x.as_tensor(), false).unwrap(), 8),
            &[&x, &g, &b],
            "batchnorm eval",
        );
    }
    // The fused BN + ReLU (train) and its eval form.
    let x = Var::from_tensor(&randn(&[2, 3, 2, 2], 10)).unwrap();
    for train in [true, false] {
        check(
            &|| project(&bn.forward_relu(x.as_tensor(), train).unwrap(), 11),
            &[&x, &g, &b],
            "batchnorm + relu",
        );
    }
    // Eval mode is (x − running mean)/√(running var + ε)·γ + β (then ReLU), with running
    // statistics that the train-mode passes above moved away from 0 and 1.
    let x = randn(&[2, 3, 2, 2], 12);
    let rm = ps.buffers[0].1.as_tensor().to_vec1::<f64>().unwrap();
    let rv = ps.buffers[1].1.as_tensor().to_vec1::<f64>().unwrap();
    let (gv, bv) = (
        g.as_tensor().to_vec1::<f64>().unwrap(),
        b.as_tensor().to_vec1::<f64>().unwrap(),
    );
    assert!(rm.iter().all(|&m| m != 0.0) && rv.iter().all(|&v| v != 1.0));
    let xs = x.flatten_all().unwrap().to_vec1::<f64>().unwrap();
    for relu in [false, true] {
        let y = if relu {
            bn.forward_relu(&x, false)
        } else {
            bn.forward(&x, false)
        };
        let y = y.unwrap().flatten_all().unwrap().to_vec1::<f64>().unwrap();
        for (i, (&yi, &xi)) in y.iter().zip(&xs).enumerate() {
            let c = (i / 4) % 3;
            let z = (xi - rm[c]) / (rv[c] + 1e-5).sqrt() * gv[c] + bv[c];
            let want = if relu { z.max(0.0) } else { z };
            assert!(
                (yi - want).abs() < 1e-12,
                "eval element {i}: {yi} vs {want}"
            );
        }
    }
    // Train mode normalises each channel to mean β, and the running statistics moved by
    // momentum 0.1 towards the batch mean and unbiased variance.
    let mut ps = ParamSet::default();
    let bn = BatchNorm::new(&mut ps, "bn", 1, DType::F64, &Device::Cpu).unwrap();
    let x = Tensor::new(&[[1.0f64], [2.0], [3.0], [6.0]], &Device::Cpu).unwrap();
    let y = bn.forward(&x, true).unwrap();
    let mean = scalar(&y.mean_all().unwrap());
    assert!(mean.abs() < 1e-12);
    let rm = ps.buffers[0].1.as_tensor().to_vec1::<f64>().unwrap()[0];
    let rv = ps.buffers[1].1.as_tensor().to_vec1::<f64>().unwrap()[0];
    assert!((rm - 0.1 * 3.0).abs() < 1e-12, "{rm}");
    // Unbiased variance of 1, 2, 3, 6 is 14/3.
    assert!((rv - (0.9 + 0.1 * 14.0 / 3.0)).abs() < 1e-12, "{rv}");
}

#[test]
fn linear_matches_finite_differences_and_torch_formula() {
    let mut ps = ParamSet::default();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let lin = Linear::new(
        &mut ps,
        &mut rng,
        "fc",
        (4, 3),
        true,
        DType::F64,
        &Device::Cpu,
    )
    .unwrap();
    let x = Var::from_tensor(&randn(&[5, 4], 10)).unwrap();
    let (w, b) = (ps.trainable[0].var.clone(), ps.trainable[1].var.clone());
    check(
        &|| project(&lin.forward(x.as_tensor()).unwrap(), 11),
        &[&x, &w, &b],
        "linear",
    );
    // PyTorch's default init bound 1/√fan_in = 0.5.
    let wmax = scalar(&w.as_tensor().abs().unwrap().max_all().unwrap());
    assert!(wmax <= 0.5 && wmax > 0.1);
}

#[test]
fn max_pool_matches_a_direct_computation_and_finite_differences() {
    for (h, w) in [(6usize, 6usize), (5, 7)] {
        let x0 = randn(&[1, 2, h, w], 12).abs().unwrap();
        let x = Var::from_tensor(&x0).unwrap();
        let y = max_pool_3x3_s2_p1(x.as_tensor()).unwrap();
        let (ho, wo) = ((h - 1) / 2 + 1, (w - 1) / 2 + 1);
        assert_eq!(y.dims(), &[1, 2, ho, wo]);
        let xs = x0.flatten_all().unwrap().to_vec1::<f64>().unwrap();
        let ys = y.flatten_all().unwrap().to_vec1::<f64>().unwrap();
        for c in 0..2 {
            for i in 0..ho {
                for j in 0..wo {
                    let mut m = f64::NEG_INFINITY;
                    for di in 0..3 {
                        for dj in 0..3 {
                            let (r, s) = ((2 * i + di) as isize - 1, (2 * j + dj) as isize - 1);
                            if r >= 0 && s >= 0 && (r as usize) < h && (s as usize) < w {
                                m = m.max(xs[c * h * w + r as usize * w + s as usize]);
                            }
                        }
                    }
                    assert_eq!(ys[c * ho * wo + i * wo + j], m);
                }
            }
        }
        check(
            &|| project(&max_pool_3x3_s2_p1(x.as_tensor()).unwrap(), 13),
            &[&x],
            "max pool",
        );
    }
}

#[test]
fn losses_match_finite_differences() {
    let logits = Var::from_tensor(&randn(&[4, 3], 14)).unwrap();
    let feats = Var::from_tensor(&randn(&[4, 5], 15)).unwrap();
    let labels = Tensor::new(&[0u32, 2, 1, 2], &Device::Cpu).unwrap();
    for kind in [LossKind::CrossEntropy, LossKind::Mse] {
        check(
            &|| batch_loss(kind, logits.as_tensor(), &labels, feats.as_tensor(), 0.3).unwrap(),
            &[&logits, &feats],
            "loss",
        );
    }
    // Cross-entropy of uniform logits is ln K; the feature penalty is (λ/2)·mean‖h‖².
    let zero = Tensor::zeros((4, 3), DType::F64, &Device::Cpu).unwrap();
    let h = Tensor::ones((4, 5), DType::F64, &Device::Cpu).unwrap();
    let l = scalar(&batch_loss(LossKind::CrossEntropy, &zero, &labels, &h, 0.2).unwrap());
    assert!((l - (3f64.ln() + 0.1 * 5.0)).abs() < 1e-12, "{l}");
}

#[test]
fn add_relu_matches_finite_differences() {
    let a = Var::from_tensor(&randn(&[2, 3, 2, 2], 40)).unwrap();
    let b = Var::from_tensor(&randn(&[2, 3, 2, 2], 41)).unwrap();
    let y = add_relu(a.as_tensor(), b.as_tensor()).unwrap();
    let r = (a.as_tensor() + b.as_tensor()).unwrap().relu().unwrap();
    assert_eq!(
        y.flatten_all().unwrap().to_vec1::<f64>().unwrap(),
        r.flatten_all().unwrap().to_vec1::<f64>().unwrap()
    );
    check(
        &|| project(&add_relu(a.as_tensor(), b.as_tensor()).unwrap(), 42),
        &[&a, &b],
        "add + relu",
    );
}
