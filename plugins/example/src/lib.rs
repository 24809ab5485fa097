//! The complete example of `docs/plugin-guide.md`: a random-features backend.
//!
//! Features are h = ReLU(P x) with a fixed Gaussian projection P (d × input size, seeded);
//! only the linear classifier (W, b) is trained, by mini-batch SGD with momentum and coupled
//! weight decay. It takes any data set (images or feature vectors), has a test split, and
//! implements every call of the contract in about two hundred lines, without `unsafe`.

use collapse_plugin_api::{
    Backend, BackendInfo, Classifier, DataSet, PluginError, SessionConfig, SessionInfo, Split,
    TrainReport, TrainRequest,
};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Deserialize;

/// The model description this backend accepts (the host adds `classes` and `input_shape`).
#[derive(Debug, Deserialize)]
struct Model {
    classes: usize,
    #[serde(default = "default_dim")]
    dim: usize,
}

fn default_dim() -> usize {
    64
}

/// One split's data, copied from the host.
#[derive(Debug, Default)]
struct Data {
    values: Vec<f32>,
    labels: Vec<u32>,
}

/// A session.
#[derive(Debug)]
pub struct RandomFeatures {
    classes: usize,
    dim: usize,
    input: usize,
    seed: u64,
    momentum: f64,
    weight_decay: f64,
    batch_size: usize,
    projection: Vec<f64>,
    train: Data,
    test: Data,
    w: Vec<f64>,
    b: Vec<f64>,
    vw: Vec<f64>,
    vb: Vec<f64>,
}

impl RandomFeatures {
    fn split(&self, split: Split) -> &Data {
        match split {
            Split::Train => &self.train,
            Split::Test => &self.test,
        }
    }

    /// h = ReLU(P x) of sample `i` of `split`, into `out`.
    fn feature(&self, split: Split, i: usize, out: &mut [f64]) {
        let x = &self.split(split).values[i * self.input..(i + 1) * self.input];
        for (r, o) in out.iter_mut().enumerate() {
            let row = &self.projection[r * self.input..(r + 1) * self.input];
            let z: f64 = row.iter().zip(x).map(|(p, &v)| p * f64::from(v)).sum();
            *o = z.max(0.0);
        }
    }
}

impl Backend for RandomFeatures {
    fn describe() -> BackendInfo {
        BackendInfo {
            name: "example".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            devices: vec!["cpu".into()],
        }
    }

    fn create(config: SessionConfig) -> Result<Self, PluginError> {
        let model: Model = serde_json::from_value(config.model.clone())
            .map_err(|e| PluginError::BadInput(format!("model description: {e}")))?;
        let opt = &config.optimizer;
        if opt.name != "sgd" {
            return Err(PluginError::Unsupported(format!(
                "optimizer `{}`: this example implements sgd only",
                opt.name
            )));
        }
        if model.classes < 2 || model.dim == 0 || opt.batch_size == 0 {
            return Err(PluginError::BadInput(
                "need classes >= 2, dim >= 1 and batch_size >= 1".into(),
            ));
        }
        let (k, d) = (model.classes, model.dim);
        Ok(RandomFeatures {
            classes: k,
            dim: d,
            input: 0,
            seed: config.seed,
            momentum: opt.momentum,
            weight_decay: opt.weight_decay,
            batch_size: opt.batch_size,
            projection: Vec::new(),
            train: Data::default(),
            test: Data::default(),
            w: vec![0.0; k * d],
            b: vec![0.0; k],
            vw: vec![0.0; k * d],
            vb: vec![0.0; k],
        })
    }

    fn set_data(&mut self, data: DataSet<'_>) -> Result<(), PluginError> {
        if data.classes != self.classes {
            return Err(PluginError::BadInput(format!(
                "data set has {} classes, the model {}",
                data.classes, self.classes
            )));
        }
        let input = data.shape.values_per_sample();
        if self.input == 0 {
            // First data set: fix the input size and draw the projection, scaled so that
            // features have unit variance for unit-variance inputs.
            self.input = input;
            let mut rng = ChaCha8Rng::seed_from_u64(self.seed);
            let scale = (input as f64).sqrt().recip();
            self.projection = (0..self.dim * input)
                .map(|_| scale * Distribution::<f64>::sample(&StandardNormal, &mut rng))
                .collect::<Vec<f64>>();
        } else if input != self.input {
            return Err(PluginError::BadInput(format!(
                "{:?} samples have {input} values, earlier data had {}",
                data.split, self.input
            )));
        }
        let copy = Data {
            values: data.values.to_vec(),
            labels: data.labels.to_vec(),
        };
        match data.split {
            Split::Train => self.train = copy,
            Split::Test => self.test = copy,
        }
        Ok(())
    }

    fn train(&mut self, request: TrainRequest) -> Result<TrainReport, PluginError> {
        let n = self.train.labels.len();
        if n == 0 {
            return Err(PluginError::BadInput(
                "no training data: call set_data first".into(),
            ));
        }
        let (k, d, m) = (self.classes, self.dim, self.batch_size.min(n));
        let mut rng = ChaCha8Rng::seed_from_u64(
            self.seed ^ request.epoch.wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng);
        let steps = request.steps.unwrap_or(n.div_ceil(m) as u64) as usize;
        let (mut h, mut z) = (vec![0.0; d], vec![0.0; k]);
        let (mut loss, mut correct, mut seen) = (0.0, 0u64, 0u64);
        for s in 0..steps {
            let start = (s * m) % n;
            let batch: Vec<usize> = (start..start + m).map(|i| order[i % n]).collect();
            let (mut gw, mut gb) = (vec![0.0; k * d], vec![0.0; k]);
            for &i in &batch {
                self.feature(Split::Train, i, &mut h);
                let y = self.train.labels[i] as usize;
                for (c, zc) in z.iter_mut().enumerate() {
                    *zc = self.b[c] + (0..d).map(|t| self.w[c * d + t] * h[t]).sum::<f64>();
                }
                let max = z.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                let sum: f64 = z.iter().map(|v| (v - max).exp()).sum();
                loss += max + sum.ln() - z[y];
                correct += u64::from(z.iter().position(|&v| v == max) == Some(y));
                seen += 1;
                for c in 0..k {
                    let g = ((z[c] - max).exp() / sum - f64::from(u8::from(c == y))) / m as f64;
                    gb[c] += g;
                    for t in 0..d {
                        gw[c * d + t] += g * h[t];
                    }
                }
            }
            let (mu, wd, lr) = (self.momentum, self.weight_decay, request.lr);
            for ((w, v), g) in self.w.iter_mut().zip(&mut self.vw).zip(&gw) {
                *v = mu * *v + g + wd * *w;
                *w -= lr * *v;
            }
            for ((b, v), g) in self.b.iter_mut().zip(&mut self.vb).zip(&gb) {
                *v = mu * *v + g + wd * *b;
                *b -= lr * *v;
            }
        }
        let seen_f = seen.max(1) as f64;
        Ok(TrainReport {
            loss: loss / seen_f,
            accuracy: correct as f64 / seen_f,
            samples: seen,
            steps: steps as u64,
        })
    }

    fn info(&self) -> SessionInfo {
        SessionInfo {
            dim: self.dim,
            classes: self.classes,
            train_samples: self.train.labels.len(),
            test_samples: self.test.labels.len(),
            trainable_parameters: (self.classes * self.dim + self.classes) as u64,
            peak_memory_bytes: ((self.projection.len() + 4 * self.w.len()) * 8
                + (self.train.values.len() + self.test.values.len()) * 4)
                as u64,
        }
    }

    fn features(
        &mut self,
        split: Split,
        start: usize,
        features: &mut [f64],
        labels: &mut [u32],
    ) -> Result<usize, PluginError> {
        let d = self.dim;
        let count = labels
            .len()
            .min(self.split(split).labels.len().saturating_sub(start));
        for i in 0..count {
            self.feature(split, start + i, &mut features[i * d..(i + 1) * d]);
            labels[i] = self.split(split).labels[start + i];
        }
        Ok(count)
    }

    fn classifier(&self) -> Result<Classifier, PluginError> {
        Ok(Classifier {
            classes: self.classes,
            dim: self.dim,
            weights: self.w.clone(),
            bias: self.b.clone(),
        })
    }

    fn save_state(&self) -> Result<Vec<u8>, PluginError> {
        // The projection is a function of the seed; only the trained tensors are saved.
        let bytes = |v: &[f64]| v.iter().flat_map(|x| x.to_le_bytes()).collect::<Vec<u8>>();
        let tensors = [
            ("W", &self.w),
            ("b", &self.b),
            ("momentum.W", &self.vw),
            ("momentum.b", &self.vb),
        ];
        let owned: Vec<(&str, Vec<usize>, Vec<u8>)> = tensors
            .iter()
            .map(|(n, v)| (*n, vec![v.len()], bytes(v)))
            .collect();
        let views = owned
            .iter()
            .map(|(n, shape, b)| {
                safetensors::tensor::TensorView::new(safetensors::Dtype::F64, shape.clone(), b)
                    .map(|v| (n.to_string(), v))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| PluginError::Failed(e.to_string()))?;
        safetensors::serialize(views, None).map_err(|e| PluginError::Failed(e.to_string()))
    }

    fn load_state(&mut self, state: &[u8]) -> Result<(), PluginError> {
        let st = safetensors::SafeTensors::deserialize(state)
            .map_err(|e| PluginError::BadInput(format!("state: {e}")))?;
        for (name, target) in [
            ("W", &mut self.w),
            ("b", &mut self.b),
            ("momentum.W", &mut self.vw),
            ("momentum.b", &mut self.vb),
        ] {
            let view = st
                .tensor(name)
                .map_err(|e| PluginError::BadInput(format!("state tensor {name}: {e}")))?;
            let values: Vec<f64> = view
                .data()
                .chunks_exact(8)
                .map(|c| f64::from_le_bytes(c.try_into().expect("8 bytes")))
                .collect();
            if values.len() != target.len() {
                return Err(PluginError::BadInput(format!(
                    "state tensor {name} has {} values, this session needs {}",
                    values.len(),
                    target.len()
                )));
            }
            *target = values;
        }
        Ok(())
    }
}

collapse_plugin_api::export_backend!(RandomFeatures);
