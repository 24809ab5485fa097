//! `collapse-plugin-ufm`: the unconstrained feature model as a collapse backend.
//!
//! The "network" is the free feature matrix H (d×N) with a linear classifier (W, b), trained by
//! mini-batch SGD with momentum, coupled weight decay λ_W on W and b and λ_H on H (see
//! [`sgd`]). It needs no data set: labels are class-major, n per class. Being cheap and
//! dependency-free, it exercises the whole plugin path in every test run, and its training
//! should drive every NC metric towards 0 (Zhu et al. 2021, Theorem 3.1).

pub mod config;
pub mod params;
pub mod sgd;
pub mod state_io;

use collapse_plugin_api::{
    Backend, BackendInfo, Classifier, PluginError, SessionConfig, SessionInfo, Split, TrainReport,
    TrainRequest,
};

use config::UfmConfig;
use params::Params;

/// One UFM session.
#[derive(Debug, Clone)]
pub struct UfmBackend {
    cfg: UfmConfig,
    params: Params,
    peak_bytes: u64,
}

impl UfmBackend {
    /// The parameters (for tests and direct use as a library).
    pub fn params(&self) -> &Params {
        &self.params
    }
}

impl Backend for UfmBackend {
    fn describe() -> BackendInfo {
        BackendInfo {
            name: "ufm".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            devices: vec!["cpu".to_string()],
        }
    }

    fn create(config: SessionConfig) -> Result<Self, PluginError> {
        let cfg = UfmConfig::from_session(&config)?;
        let params = Params::init(&cfg);
        let peak_bytes = params.bytes();
        Ok(UfmBackend {
            cfg,
            params,
            peak_bytes,
        })
    }

    fn train(&mut self, request: TrainRequest) -> Result<TrainReport, PluginError> {
        if !(request.lr.is_finite() && request.lr > 0.0) {
            return Err(PluginError::BadInput(format!(
                "learning rate {} must be finite and > 0",
                request.lr
            )));
        }
        let m = self.cfg.batch_size.min(self.cfg.samples());
        self.peak_bytes = self
            .peak_bytes
            .max(self.params.bytes() + sgd::step_bytes(&self.cfg, m));
        let t = sgd::run(
            &self.cfg,
            &mut self.params,
            request.epoch,
            request.lr,
            request.steps,
        );
        if !self
            .params
            .w
            .iter()
            .chain(&self.params.h)
            .all(|x| x.is_finite())
        {
            return Err(PluginError::Failed(format!(
                "training diverged (non-finite parameters) at epoch {} with lr {}: lower the learning rate",
                request.epoch, request.lr
            )));
        }
        let seen = t.samples.max(1) as f64;
        Ok(TrainReport {
            loss: t.loss_sum / seen,
            accuracy: t.correct as f64 / seen,
            samples: t.samples,
            steps: t.steps,
        })
    }

    fn info(&self) -> SessionInfo {
        let (k, d, n) = (
            self.cfg.model.classes,
            self.cfg.model.dim,
            self.cfg.samples(),
        );
        let bias = if self.cfg.model.bias { k } else { 0 };
        SessionInfo {
            dim: d,
            classes: k,
            train_samples: n,
            test_samples: 0,
            trainable_parameters: (d * n + k * d + bias) as u64,
            peak_memory_bytes: self.peak_bytes,
        }
    }

    fn features(
        &mut self,
        split: Split,
        start: usize,
        features: &mut [f64],
        labels: &mut [u32],
    ) -> Result<usize, PluginError> {
        if split == Split::Test {
            return Err(PluginError::BadInput(
                "the ufm backend has no test split".to_string(),
            ));
        }
        let (d, n, per) = (
            self.cfg.model.dim,
            self.cfg.samples(),
            self.cfg.model.per_class,
        );
        let count = labels.len().min(n.saturating_sub(start));
        for i in 0..count {
            let j = start + i;
            features[i * d..(i + 1) * d].copy_from_slice(&self.params.h[j * d..(j + 1) * d]);
            labels[i] = (j / per) as u32;
        }
        Ok(count)
    }

    fn classifier(&self) -> Result<Classifier, PluginError> {
        Ok(Classifier {
            classes: self.cfg.model.classes,
            dim: self.cfg.model.dim,
            weights: self.params.w.clone(),
            bias: self.params.b.clone(),
        })
    }

    fn save_state(&self) -> Result<Vec<u8>, PluginError> {
        state_io::save(&self.cfg, &self.params)
    }

    fn load_state(&mut self, state: &[u8]) -> Result<(), PluginError> {
        self.params = state_io::load(&self.cfg, state)?;
        Ok(())
    }
}

collapse_plugin_api::export_backend!(UfmBackend);

#[cfg(test)]
mod tests {
    use super::*;
    use collapse_plugin_api::OptimizerConfig;

    pub(crate) fn session_config(model: serde_json::Value) -> SessionConfig {
        SessionConfig {
            model,
            optimizer: OptimizerConfig {
                name: "sgd".into(),
                momentum: 0.9,
                weight_decay: 5e-3,
                batch_size: 8,
                extra: Default::default(),
            },
            seed: 3,
            device: "cpu".into(),
        }
    }

    fn small() -> SessionConfig {
        session_config(
            serde_json::json!({"classes": 3, "per_class": 5, "dim": 4, "lambda_h": 5e-3}),
        )
    }

    #[test]
    fn state_round_trips_and_training_continues_identically() {
        let mut a = UfmBackend::create(small()).unwrap();
        let req = |epoch| TrainRequest {
            epoch,
            lr: 0.05,
            steps: None,
        };
        a.train(req(1)).unwrap();
        let saved = a.save_state().unwrap();
        let mut b = UfmBackend::create(small()).unwrap();
        assert_ne!(b.params(), a.params());
        b.load_state(&saved).unwrap();
        assert_eq!(b.params(), a.params());
        a.train(req(2)).unwrap();
        b.train(req(2)).unwrap();
        assert_eq!(
            a.params(),
            b.params(),
            "resumed training must repeat bit for bit"
        );
    }

    #[test]
    fn state_of_another_shape_is_refused() {
        let a = UfmBackend::create(small()).unwrap();
        let saved = a.save_state().unwrap();
        let other = session_config(
            serde_json::json!({"classes": 3, "per_class": 6, "dim": 4, "lambda_h": 5e-3}),
        );
        let mut b = UfmBackend::create(other).unwrap();
        let err = b.load_state(&saved).unwrap_err().to_string();
        assert!(err.contains("another configuration"), "{err}");
        let err = b.load_state(b"garbage").unwrap_err().to_string();
        assert!(err.contains("not a safetensors file"), "{err}");
    }

    #[test]
    fn bad_configs_name_the_field() {
        let err = UfmBackend::create(session_config(
            serde_json::json!({"classes": 1, "per_class": 5, "dim": 4, "lambda_h": 0.1}),
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("classes = 1"), "{err}");
        let mut cfg = small();
        cfg.optimizer.name = "adam".into();
        let err = UfmBackend::create(cfg).unwrap_err().to_string();
        assert!(err.contains("sgd only"), "{err}");
        let err = UfmBackend::create(session_config(
            serde_json::json!({"classes": 3, "per_class": 5, "dim": 4}),
        ))
        .unwrap_err()
        .to_string();
        assert!(err.contains("lambda_h"), "{err}");
    }

    #[test]
    fn features_come_in_chunks_with_class_major_labels() {
        let mut a = UfmBackend::create(small()).unwrap();
        let mut feats = vec![0.0; 4 * 4];
        let mut labels = vec![0u32; 4];
        let mut all_labels = Vec::new();
        let mut start = 0;
        loop {
            let got = a
                .features(Split::Train, start, &mut feats, &mut labels)
                .unwrap();
            if got == 0 {
                break;
            }
            assert_eq!(
                &feats[..got * 4],
                &a.params().h[start * 4..(start + got) * 4]
            );
            all_labels.extend_from_slice(&labels[..got]);
            start += got;
        }
        assert_eq!(
            all_labels,
            vec![0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2]
        );
        assert_eq!(a.info().trainable_parameters, (4 * 15 + 3 * 4 + 3) as u64);
    }
}
