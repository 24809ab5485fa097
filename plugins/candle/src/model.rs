//! A whole network: body (MLP or ResNet18) + classifier head (learned, or the frozen simplex
//! ETF), with every named tensor in one [`ParamSet`].

use candle_core::{DType, Device, Tensor};
use collapse_backend_spec::etf_head_weights;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::config::{Arch, Head, ModelSpec};
use crate::error::Result;
use crate::layers::Linear;
use crate::mlp::Mlp;
use crate::params::ParamSet;
use crate::resnet::ResNet18;

#[derive(Debug, Clone)]
enum Body {
    Mlp(Mlp),
    ResNet(ResNet18),
}

/// A network ready to train.
#[derive(Debug)]
pub struct Network {
    /// The checked description it was built from.
    pub spec: ModelSpec,
    /// Every named tensor.
    pub params: ParamSet,
    body: Body,
    head: Linear,
}

impl Network {
    /// Builds the network, drawing the initial weights from `seed`.
    pub fn new(spec: &ModelSpec, seed: u64, device: &Device) -> Result<Self> {
        let dtype = if spec.f64 { DType::F64 } else { DType::F32 };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut ps = ParamSet::default();
        let [c, h, w] = spec.input_shape;
        let body = match spec.arch {
            Arch::Mlp => Body::Mlp(Mlp::new(
                &mut ps,
                &mut rng,
                c * h * w,
                spec.width,
                spec.depth,
                dtype,
                device,
            )?),
            Arch::ResNet18 | Arch::ResNet18Width => Body::ResNet(ResNet18::new(
                &mut ps,
                &mut rng,
                c,
                spec.width,
                spec.stem,
                spec.feature_dim,
                dtype,
                device,
            )?),
        };
        let (d, k) = (spec.feature_dim, spec.classes);
        let head = match spec.head {
            Head::Learned => {
                Linear::new(&mut ps, &mut rng, "fc", (d, k), spec.bias, dtype, device)?
            }
            Head::Etf => {
                let values = etf_head_weights(spec)?;
                Linear::frozen(
                    &mut ps,
                    &mut rng,
                    "fc",
                    values,
                    (d, k),
                    spec.bias,
                    dtype,
                    device,
                )?
            }
        };
        for p in &mut ps.trainable {
            p.decay = spec.decays(&p.name);
        }
        Ok(Network {
            spec: spec.clone(),
            params: ps,
            body,
            head,
        })
    }

    /// (features N×d, logits N×K). `train`: BatchNorm uses (and updates) batch statistics.
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<(Tensor, Tensor)> {
        let h = match &self.body {
            Body::Mlp(m) => m.forward(x, train)?,
            Body::ResNet(r) => r.forward(x, train)?,
        };
        let logits = self.head.forward(&h)?;
        Ok((h, logits))
    }

    /// The head (W K×d, b).
    pub fn head(&self) -> &Linear {
        &self.head
    }

    /// The dtype of every tensor.
    pub fn dtype(&self) -> DType {
        if self.spec.f64 {
            DType::F64
        } else {
            DType::F32
        }
    }
}
