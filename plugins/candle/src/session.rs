//! The backend session: a [`Network`], its optimiser state and copies of the data, driven
//! by the host through the [`Backend`] trait.

use candle_core::{DType, Device, Tensor};
use collapse_plugin_api::{
    Backend, BackendInfo, Classifier, DataSet, PluginError, SessionConfig, SessionInfo, Split,
    TrainReport, TrainRequest,
};

use crate::config::{ModelSpec, Optim, OptimSpec};
use crate::error::{CandleError, Result};
use crate::loss::{batch_loss, correct};
use crate::model::Network;
use crate::optim::adam::Adam;
use crate::optim::sgd::Sgd;
use collapse_backend_spec::lbfgs::Lbfgs;
use collapse_backend_spec::peak_memory::peak_rss_bytes;
use collapse_backend_spec::{check_data_set, fill_features, DeviceName};

/// Optimiser state (the shared enum over this backend's SGD and Adam states).
pub type OptState = collapse_backend_spec::OptState<Sgd, Adam>;

/// One split's data, copied from the host.
#[derive(Debug, Default)]
pub struct Data {
    /// Sample-major values.
    pub values: Vec<f32>,
    /// Labels.
    pub labels: Vec<u32>,
}

/// A candle training session.
#[derive(Debug)]
pub struct CandleSession {
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
    pub train: Data,
    /// Test split.
    pub test: Data,
    /// Train-mode forward passes so far (PyTorch's `num_batches_tracked`).
    pub train_forwards: i64,
}

/// The device named by the config.
fn device(name: &str) -> Result<Device> {
    match DeviceName::parse(name)? {
        DeviceName::Cpu => Ok(Device::Cpu),
        DeviceName::Cuda(index) if cfg!(feature = "cuda") => Ok(Device::new_cuda(index)?),
        DeviceName::Cuda(_) => Err(CandleError::Unsupported(format!(
            "device {name:?}: this build of the candle backend has no CUDA; build it with \
             `cargo xtask build-cuda` (feature `cuda`) or use --device cpu"
        ))),
    }
}

impl CandleSession {
    /// Builds a session from the host's config (the network is initialised from the seed).
    pub fn new(config: &SessionConfig) -> Result<Self> {
        let spec = ModelSpec::parse(&config.model)?;
        let optim = Optim::parse(&config.optimizer)?;
        let device = device(&config.device)?;
        let net = Network::new(&spec, config.seed, &device)?;
        let n = net.params.trainable.len();
        let opt_state = OptState::new(
            &optim.spec,
            |momentum| Sgd::new(momentum, n),
            |beta1, beta2, eps| Adam::new(beta1, beta2, eps, n),
        );
        Ok(CandleSession {
            net,
            optim,
            opt_state,
            seed: config.seed,
            device,
            train: Data::default(),
            test: Data::default(),
            train_forwards: 0,
        })
    }

    fn split(&self, split: Split) -> &Data {
        match split {
            Split::Train => &self.train,
            Split::Test => &self.test,
        }
    }

    fn dtype(&self) -> DType {
        self.net.dtype()
    }

    /// The batch of samples `idx` of `split` as (inputs N×C×H×W, labels u32).
    fn batch(&self, split: Split, idx: &[usize]) -> Result<(Tensor, Tensor)> {
        let data = self.split(split);
        let [c, h, w] = self.net.spec.input_shape;
        let per = c * h * w;
        let mut values = Vec::with_capacity(idx.len() * per);
        for &i in idx {
            values.extend_from_slice(&data.values[i * per..(i + 1) * per]);
        }
        self.upload(values, split, idx)
    }

    /// The training batch `idx` of `epoch`, crop+flip augmented when the model asks for it.
    fn train_batch(&self, idx: &[usize], epoch: u64) -> Result<(Tensor, Tensor)> {
        match &self.net.spec.augment {
            None => self.batch(Split::Train, idx),
            Some(aug) => {
                let shape = self.net.spec.input_shape;
                let values = aug.batch(&self.train.values, shape, self.seed, epoch, idx);
                self.upload(values, Split::Train, idx)
            }
        }
    }

    /// Inputs gathered on the host, with the labels of `idx` in `split`, as device tensors.
    fn upload(&self, values: Vec<f32>, split: Split, idx: &[usize]) -> Result<(Tensor, Tensor)> {
        let [c, h, w] = self.net.spec.input_shape;
        let labels: Vec<u32> = idx.iter().map(|&i| self.split(split).labels[i]).collect();
        let x =
            Tensor::from_vec(values, (idx.len(), c, h, w), &self.device)?.to_dtype(self.dtype())?;
        let y = Tensor::from_vec(labels, idx.len(), &self.device)?;
        Ok((x, y))
    }

    /// Σ ½·wd‖p‖² over decayed parameters (L-BFGS puts weight decay into the loss).
    fn decay_penalty(&self) -> Result<Option<Tensor>> {
        let wd = self.optim.weight_decay;
        if wd == 0.0 {
            return Ok(None);
        }
        let mut total: Option<Tensor> = None;
        for p in self.net.params.trainable.iter().filter(|p| p.decay) {
            let s = p.var.as_tensor().sqr()?.sum_all()?;
            total = Some(match total {
                None => s,
                Some(t) => (t + s)?,
            });
        }
        Ok(match total {
            Some(t) => Some((t * (0.5 * wd))?),
            None => None,
        })
    }

    /// The trainable parameters as one f64 vector.
    pub fn flat_params(&self) -> Result<Vec<f64>> {
        let mut out = Vec::new();
        for p in &self.net.params.trainable {
            out.extend(
                p.var
                    .as_tensor()
                    .flatten_all()?
                    .to_dtype(DType::F64)?
                    .to_vec1::<f64>()?,
            );
        }
        Ok(out)
    }

    /// Sets the trainable parameters from one f64 vector.
    pub fn set_flat_params(&self, flat: &[f64]) -> Result<()> {
        let mut at = 0;
        for p in &self.net.params.trainable {
            let t = p.var.as_tensor();
            let n = t.elem_count();
            let v = Tensor::from_slice(&flat[at..at + n], t.dims(), &self.device)?
                .to_dtype(t.dtype())?;
            p.var.set(&v)?;
            at += n;
        }
        Ok(())
    }

    /// One training forward/backward on a batch: (mean data loss, correct, the differentiated
    /// objective, gradients). With `with_decay` the objective includes Σ ½·wd‖p‖² (L-BFGS).
    fn train_forward(
        &mut self,
        x: &Tensor,
        y: &Tensor,
        with_decay: bool,
    ) -> Result<(f64, u64, f64, candle_core::backprop::GradStore)> {
        let spec = &self.net.spec;
        let (h, logits) = self.net.forward(x, true)?;
        self.train_forwards += 1;
        let mut loss = batch_loss(spec.loss, &logits, y, &h, spec.lambda_h)?;
        let data_loss = loss.to_dtype(DType::F64)?.to_scalar::<f64>()?;
        if with_decay {
            if let Some(pen) = self.decay_penalty()? {
                loss = (loss + pen)?;
            }
        }
        let grads = loss.backward()?;
        let total = if with_decay {
            loss.to_dtype(DType::F64)?.to_scalar::<f64>()?
        } else {
            data_loss
        };
        if !total.is_finite() {
            return Err(CandleError::Diverged(format!(
                "training diverged: the loss became {total}; lower the learning rate"
            )));
        }
        Ok((data_loss, correct(&logits, y)?, total, grads))
    }

    /// The gradients of the trainable parameters as one f64 vector (zeros where none).
    fn flat_grad(&self, grads: &candle_core::backprop::GradStore) -> Result<Vec<f64>> {
        let mut g = Vec::new();
        for p in &self.net.params.trainable {
            let t = p.var.as_tensor();
            match grads.get(t) {
                Some(gt) => g.extend(gt.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?),
                None => g.extend(std::iter::repeat_n(0.0, t.elem_count())),
            }
        }
        Ok(g)
    }

    /// One optimiser step on the batch `idx` of `epoch`: (mean data loss, correct predictions).
    fn step(&mut self, idx: &[usize], lr: f64, epoch: u64) -> Result<(f64, u64)> {
        let (x, y) = self.train_batch(idx, epoch)?;
        let wd = self.optim.weight_decay;
        match self.optim.spec {
            OptimSpec::Sgd { .. } | OptimSpec::Adam { .. } => {
                let (loss, right, _, grads) = self.train_forward(&x, &y, false)?;
                let params = &self.net.params.trainable;
                match &mut self.opt_state {
                    OptState::Sgd(s) => s.step(params, &grads, lr, wd)?,
                    OptState::Adam(a) => a.step(params, &grads, lr, wd)?,
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
                    let (data_loss, right, total, grads) = self.train_forward(&x, &y, true)?;
                    Ok((total, self.flat_grad(&grads)?, (data_loss, right)))
                });
                self.opt_state = OptState::Lbfgs(state);
                let report = result?;
                self.set_flat_params(&flat)?;
                Ok(report)
            }
        }
    }

    /// Features and logits of samples `start..start+count` of `split`, eval mode.
    fn eval_chunk(&self, split: Split, start: usize, count: usize) -> Result<(Tensor, Tensor)> {
        let idx: Vec<usize> = (start..start + count).collect();
        let (x, _) = self.batch(split, &idx)?;
        self.net.forward(&x, false)
    }
}

impl Backend for CandleSession {
    fn describe() -> BackendInfo {
        let mut devices = vec!["cpu".to_string()];
        if cfg!(feature = "cuda") {
            devices.push("cuda:0".into());
        }
        BackendInfo {
            name: "candle".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            devices,
        }
    }

    fn create(config: SessionConfig) -> std::result::Result<Self, PluginError> {
        Ok(CandleSession::new(&config)?)
    }

    fn set_data(&mut self, data: DataSet<'_>) -> std::result::Result<(), PluginError> {
        check_data_set(&self.net.spec, &data)?;
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

    fn train(&mut self, request: TrainRequest) -> std::result::Result<TrainReport, PluginError> {
        let n = self.train.labels.len();
        if n == 0 {
            return Err(PluginError::BadInput(
                "no training data: the candle backend needs a data set (--dataset)".into(),
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
            train_samples: self.train.labels.len(),
            test_samples: self.test.labels.len(),
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
        let split_labels = &self.split(split).labels;
        fill_features(d, split_labels, start, features, labels, |first, n| {
            let (h, _) = self.eval_chunk(split, first, n)?;
            Ok::<_, CandleError>(h.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?)
        })
    }

    fn classifier(&self) -> std::result::Result<Classifier, PluginError> {
        let head = self.net.head();
        let to_vec = |t: &Tensor| -> Result<Vec<f64>> {
            Ok(t.flatten_all()?.to_dtype(DType::F64)?.to_vec1::<f64>()?)
        };
        let k = self.net.spec.classes;
        Ok(Classifier {
            classes: k,
            dim: self.net.spec.feature_dim,
            weights: to_vec(head.weight())?,
            bias: match head.bias_tensor() {
                Some(b) => to_vec(b)?,
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
