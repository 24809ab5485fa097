//! The backend session: a [`Network`], its optimiser state and the data (held on the
//! session's device), driven by the host through the [`Backend`] trait.

use collapse_plugin_api::{
    Backend, BackendInfo, Classifier, DataSet, PluginError, SessionConfig, SessionInfo, Split,
    TrainReport, TrainRequest,
};
use tch::{Device, Kind, Tensor};

use crate::config::{ModelSpec, Optim, OptimSpec};
use crate::error::{Result, TchError};
use crate::loss::{batch_loss, correct};
use crate::model::Network;
use crate::optim::{Adam, Sgd};
use crate::params::tensor_from;
use crate::tensor_io::to_f64;
use collapse_backend_spec::lbfgs::Lbfgs;
use collapse_backend_spec::peak_memory::peak_rss_bytes;
use collapse_backend_spec::{check_data_set, fill_features};

/// Optimiser state (the shared enum over this backend's SGD and Adam states; L-BFGS runs on
/// host f64 vectors, shared with the candle backend).
pub type OptState = collapse_backend_spec::OptState<Sgd, Adam>;

/// One split's data on the session's device.
#[derive(Debug)]
pub struct Data {
    /// N×C×H×W inputs in the model's float kind.
    pub values: Tensor,
    /// Labels (i64) on the device, for the loss.
    pub targets: Tensor,
    /// Labels on the host, for `features`.
    pub labels: Vec<u32>,
    /// The inputs on the host, kept only for the training split of an augmenting model
    /// (crop+flip draws are made on the host, as in the candle backend).
    pub host_values: Option<Vec<f32>>,
}

/// A tch training session.
#[derive(Debug)]
pub struct TchSession {
    /// The network.
    pub net: Network,
    /// Optimiser settings.
    pub optim: Optim,
    /// Optimiser state.
    pub opt_state: OptState,
    /// Seed of init and shuffling.
    pub seed: u64,
    /// The device.
    pub device: Device,
    /// Training split.
    pub train: Option<Data>,
    /// Test split.
    pub test: Option<Data>,
    /// Train-mode forward passes so far (PyTorch's `num_batches_tracked`).
    pub train_forwards: i64,
}

impl TchSession {
    /// Builds a session from the host's config (the network is initialised from the seed).
    pub fn new(config: &SessionConfig) -> Result<Self> {
        let spec = ModelSpec::parse(&config.model)?;
        let optim = Optim::parse(&config.optimizer)?;
        let device = crate::device::parse(&config.device)?;
        let net = Network::new(&spec, config.seed, device)?;
        let n = net.params.trainable.len();
        let opt_state = OptState::new(
            &optim.spec,
            |momentum| Sgd::new(momentum, n),
            |beta1, beta2, eps| Adam::new(beta1, beta2, eps, n),
        );
        Ok(TchSession {
            net,
            optim,
            opt_state,
            seed: config.seed,
            device,
            train: None,
            test: None,
            train_forwards: 0,
        })
    }

    fn split(&self, split: Split) -> Option<&Data> {
        match split {
            Split::Train => self.train.as_ref(),
            Split::Test => self.test.as_ref(),
        }
    }

    /// The training samples `idx` of `epoch` as (inputs, targets) on the device, crop+flip
    /// augmented when the model asks for it.
    fn batch(&self, idx: &[usize], epoch: u64) -> Result<(Tensor, Tensor)> {
        let data = self.train.as_ref().expect("train() checked the data");
        let index: Vec<i64> = idx.iter().map(|&i| i as i64).collect();
        let index = Tensor::f_from_slice(&index)?.f_to_device(self.device)?;
        let targets = data.targets.f_index_select(0, &index)?;
        let spec = &self.net.spec;
        let values = match (&spec.augment, &data.host_values) {
            (Some(aug), Some(host)) => {
                let shape = spec.input_shape;
                let dims: Vec<i64> = std::iter::once(idx.len())
                    .chain(shape)
                    .map(|v| v as i64)
                    .collect();
                Tensor::f_from_slice(&aug.batch(host, shape, self.seed, epoch, idx))?
                    .f_reshape(dims.as_slice())?
                    .f_to_kind(self.net.kind())?
                    .f_to_device(self.device)?
            }
            _ => data.values.f_index_select(0, &index)?,
        };
        Ok((values, targets))
    }

    /// Σ ½·wd‖p‖² over the decayed parameters: L-BFGS minimises it with the loss, where SGD
    /// and Adam add its gradient wd·p in the step (PyTorch's coupled decay).
    fn decay_penalty(&self) -> Result<Option<Tensor>> {
        let wd = self.optim.weight_decay;
        if wd == 0.0 {
            return Ok(None);
        }
        let mut total: Option<Tensor> = None;
        for p in self.net.params.trainable.iter().filter(|p| p.decay) {
            let s = p.tensor.f_square()?.f_sum(p.tensor.kind())?;
            total = Some(match total {
                None => s,
                Some(t) => t.f_add(&s)?,
            });
        }
        Ok(match total {
            Some(t) => Some(t.f_mul_scalar(0.5 * wd)?),
            None => None,
        })
    }

    /// One train-mode forward and backward; the gradients land in the parameters' `grad`.
    /// Returns (mean data loss, correct predictions, the differentiated objective).
    fn train_forward(
        &mut self,
        x: &Tensor,
        y: &Tensor,
        with_decay: bool,
    ) -> Result<(f64, u64, f64)> {
        let spec = &self.net.spec;
        let (h, logits) = self.net.forward(x, true)?;
        self.train_forwards += 1;
        let mut loss = batch_loss(spec.loss, &logits, y, &h, spec.lambda_h)?;
        let data_loss = loss.f_double_value(&[])?;
        if with_decay {
            if let Some(pen) = self.decay_penalty()? {
                loss = loss.f_add(&pen)?;
            }
        }
        let total = loss.f_double_value(&[])?;
        if !total.is_finite() {
            return Err(TchError::Diverged(format!(
                "training diverged: the loss became {total}; lower the learning rate"
            )));
        }
        for p in &mut self.net.params.trainable {
            p.tensor.zero_grad();
        }
        loss.f_backward()?;
        Ok((data_loss, correct(&logits, y)?, total))
    }

    /// The trainable parameters as one f64 vector.
    pub fn flat_params(&self) -> Result<Vec<f64>> {
        let mut out = Vec::new();
        for p in &self.net.params.trainable {
            out.extend(to_f64(&p.tensor)?);
        }
        Ok(out)
    }

    /// Sets the trainable parameters from one f64 vector (in place, no autograd).
    pub fn set_flat_params(&self, flat: &[f64]) -> Result<()> {
        let mut at = 0;
        for p in &self.net.params.trainable {
            let shape: Vec<usize> = p.tensor.size().iter().map(|&d| d as usize).collect();
            let n: usize = shape.iter().product();
            let src = tensor_from(&flat[at..at + n], &shape, p.tensor.kind(), self.device)?;
            tch::no_grad(|| p.tensor.shallow_clone().f_copy_(&src))?;
            at += n;
        }
        Ok(())
    }

    /// The gradients of the last backward as one f64 vector (zeros where none arrived).
    fn flat_grad(&self) -> Result<Vec<f64>> {
        let mut out = Vec::new();
        for p in &self.net.params.trainable {
            let g = p.tensor.grad();
            if g.defined() {
                out.extend(to_f64(&g)?);
            } else {
                out.extend(std::iter::repeat_n(0.0, p.tensor.numel()));
            }
        }
        Ok(out)
    }

    /// One optimiser step on the training samples `idx` of `epoch`: (mean data loss, correct).
    fn step(&mut self, idx: &[usize], lr: f64, epoch: u64) -> Result<(f64, u64)> {
        let (x, y) = self.batch(idx, epoch)?;
        let wd = self.optim.weight_decay;
        match self.optim.spec {
            OptimSpec::Sgd { .. } | OptimSpec::Adam { .. } => {
                let (loss, right, _) = self.train_forward(&x, &y, false)?;
                let params = &self.net.params.trainable;
                match &mut self.opt_state {
                    OptState::Sgd(s) => s.step(params, lr, wd)?,
                    OptState::Adam(a) => a.step(params, lr, wd)?,
                    OptState::Lbfgs(_) => unreachable!("state matches the optimiser"),
                }
                Ok((loss, right))
            }
            OptimSpec::Lbfgs { history, max_iter } => {
                let opt = Lbfgs {
                    lr,
                    history,
                    max_iter,
                };
                let mut state = match &mut self.opt_state {
                    OptState::Lbfgs(s) => std::mem::take(s),
                    _ => unreachable!("state matches the optimiser"),
                };
                let mut flat = self.flat_params()?;
                let result = opt.step_reporting(&mut state, &mut flat, |point| -> Result<_> {
                    self.set_flat_params(point)?;
                    let (data_loss, right, total) = self.train_forward(&x, &y, true)?;
                    Ok((total, self.flat_grad()?, (data_loss, right)))
                });
                self.opt_state = OptState::Lbfgs(state);
                let report = result?;
                self.set_flat_params(&flat)?;
                Ok(report)
            }
        }
    }
}

impl Backend for TchSession {
    fn describe() -> BackendInfo {
        let mut devices = vec!["cpu".to_string()];
        if crate::device::cuda_available() {
            devices.extend((0..tch::Cuda::device_count()).map(|i| format!("cuda:{i}")));
        }
        BackendInfo {
            name: "tch".into(),
            version: format!("{} (libtorch 2.11)", env!("CARGO_PKG_VERSION")),
            devices,
        }
    }

    fn create(config: SessionConfig) -> std::result::Result<Self, PluginError> {
        Ok(TchSession::new(&config)?)
    }

    fn set_data(&mut self, data: DataSet<'_>) -> std::result::Result<(), PluginError> {
        check_data_set(&self.net.spec, &data)?;
        let [c, h, w] = self.net.spec.input_shape;
        let n = data.labels.len() as i64;
        let to_device = || -> Result<Data> {
            let values = Tensor::f_from_slice(data.values)?
                .f_reshape([n, c as i64, h as i64, w as i64])?
                .f_to_kind(self.net.kind())?
                .f_to_device(self.device)?;
            let targets: Vec<i64> = data.labels.iter().map(|&l| l as i64).collect();
            let targets = Tensor::f_from_slice(&targets)?.f_to_device(self.device)?;
            let augmenting = data.split == Split::Train && self.net.spec.augment.is_some();
            Ok(Data {
                values,
                targets,
                labels: data.labels.to_vec(),
                host_values: augmenting.then(|| data.values.to_vec()),
            })
        };
        let copy = to_device()?;
        match data.split {
            Split::Train => self.train = Some(copy),
            Split::Test => self.test = Some(copy),
        }
        Ok(())
    }

    fn train(&mut self, request: TrainRequest) -> std::result::Result<TrainReport, PluginError> {
        let n = self.train.as_ref().map_or(0, |d| d.labels.len());
        if n == 0 {
            return Err(PluginError::BadInput(
                "no training data: the tch backend needs a data set (--dataset)".into(),
            ));
        }
        // The shared shuffle and loop: the same batches and report on both backends.
        let (seed, batch_size) = (self.seed, self.optim.batch_size);
        Ok(collapse_backend_spec::train_epoch(
            seed,
            &request,
            n,
            batch_size,
            |idx, lr| self.step(idx, lr, request.epoch),
        )?)
    }

    fn info(&self) -> SessionInfo {
        SessionInfo {
            dim: self.net.spec.feature_dim,
            classes: self.net.spec.classes,
            train_samples: self.train.as_ref().map_or(0, |d| d.labels.len()),
            test_samples: self.test.as_ref().map_or(0, |d| d.labels.len()),
            trainable_parameters: self.net.params.trainable_count(),
            peak_memory_bytes: peak_rss_bytes(),
        }
    }

    fn features(
        &mut self,
        split: Split,
        start: usize,
        features: &mut [f64],
        labels: &mut [u32],
    ) -> std::result::Result<usize, PluginError> {
        let d = self.net.spec.feature_dim;
        let Some(data) = self.split(split) else {
            return Ok(0);
        };
        fill_features(d, &data.labels, start, features, labels, |first, n| {
            tch::no_grad(|| -> Result<Vec<f64>> {
                let x = data.values.f_narrow(0, first as i64, n as i64)?;
                let (h, _) = self.net.forward(&x, false)?;
                to_f64(&h)
            })
        })
    }

    fn classifier(&self) -> std::result::Result<Classifier, PluginError> {
        let head = self.net.head();
        let k = self.net.spec.classes;
        Ok(Classifier {
            classes: k,
            dim: self.net.spec.feature_dim,
            weights: to_f64(head.weight())?,
            bias: match head.bias_tensor() {
                Some(b) => to_f64(b)?,
                None => vec![0.0; k],
            },
        })
    }

    fn save_state(&self) -> std::result::Result<Vec<u8>, PluginError> {
        Ok(crate::state::save(self)?)
    }

    fn load_state(&mut self, state: &[u8]) -> std::result::Result<(), PluginError> {
        Ok(crate::state::load(self, state)?)
    }
}

/// The logits of the first `count` samples of `split`, eval mode (for tests and tools).
pub fn eval_logits(s: &TchSession, split: Split, count: usize) -> Result<Vec<f64>> {
    let data = s
        .split(split)
        .ok_or_else(|| TchError::BadInput(format!("no {split:?} data set")))?;
    tch::no_grad(|| {
        let x = data.values.f_narrow(0, 0, count as i64)?;
        let (_, logits) = s.net.forward(&x, false)?;
        to_f64(&logits.f_to_kind(Kind::Double)?)
    })
}
