//! A plugin that panics in the call named by its model option `panic_in` (`create`,
//! `train` or `features`); everything else behaves like a tiny free-feature backend (2
//! classes, 1 sample each, d = 2). The host must turn each panic into an error and keep
//! running.

use collapse_plugin_api::{
    Backend, BackendInfo, Classifier, PluginError, SessionConfig, SessionInfo, Split, TrainReport,
    TrainRequest,
};

/// The panic-on-demand backend.
#[derive(Debug)]
pub struct PanicBackend {
    panic_in: String,
}

impl PanicBackend {
    fn maybe_panic(&self, call: &str) {
        if self.panic_in == call {
            panic!("deliberate panic in {call} (test plugin)");
        }
    }
}

impl Backend for PanicBackend {
    fn describe() -> BackendInfo {
        BackendInfo {
            name: "test-panic".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            devices: vec!["cpu".into()],
        }
    }

    fn create(config: SessionConfig) -> Result<Self, PluginError> {
        let panic_in = config.model["panic_in"]
            .as_str()
            .unwrap_or("train")
            .to_string();
        let b = PanicBackend { panic_in };
        b.maybe_panic("create");
        Ok(b)
    }

    fn train(&mut self, _request: TrainRequest) -> Result<TrainReport, PluginError> {
        self.maybe_panic("train");
        Ok(TrainReport::default())
    }

    fn info(&self) -> SessionInfo {
        SessionInfo {
            dim: 2,
            classes: 2,
            train_samples: 2,
            test_samples: 0,
            trainable_parameters: 0,
            peak_memory_bytes: 0,
        }
    }

    fn features(
        &mut self,
        _split: Split,
        start: usize,
        features: &mut [f64],
        labels: &mut [u32],
    ) -> Result<usize, PluginError> {
        self.maybe_panic("features");
        let n = labels.len().min(2usize.saturating_sub(start));
        for i in 0..n {
            let j = start + i;
            features[2 * i] = if j == 0 { 1.0 } else { -1.0 };
            features[2 * i + 1] = 0.0;
            labels[i] = j as u32;
        }
        Ok(n)
    }

    fn classifier(&self) -> Result<Classifier, PluginError> {
        Ok(Classifier {
            classes: 2,
            dim: 2,
            weights: vec![1.0, 0.0, -1.0, 0.0],
            bias: vec![0.0, 0.0],
        })
    }

    fn save_state(&self) -> Result<Vec<u8>, PluginError> {
        Ok(Vec::new())
    }

    fn load_state(&mut self, _state: &[u8]) -> Result<(), PluginError> {
        Ok(())
    }
}

collapse_plugin_api::export_backend!(PanicBackend);
