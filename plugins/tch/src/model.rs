//! A whole network: body (MLP or ResNet18) + classifier head (learned, or the frozen simplex
//! ETF), with every named tensor in one [`ParamSet`]. Initial weights are drawn exactly as
//! the candle backend draws them (same generator, order and formulas), so a seed gives the
//! same network on both backends.

use collapse_backend_spec::etf_head_weights;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use tch::{Device, Kind, Tensor};

use crate::config::{Arch, Head, ModelSpec};
use crate::error::Result;
use crate::layers::{Linear, Place};
use crate::mlp::Mlp;
use crate::params::ParamSet;
use crate::resnet::ResNet18;

#[derive(Debug)]
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
    /// Builds the network on `device`, drawing the initial weights from `seed`.
    pub fn new(spec: &ModelSpec, seed: u64, device: Device) -> Result<Self> {
        let kind = if spec.f64 { Kind::Double } else { Kind::Float };
        let at = Place { kind, device };
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut ps = ParamSet::default();
        let [c, h, w] = spec.input_shape;
        let body = match spec.arch {
            Arch::Mlp => Body::Mlp(Mlp::new(
                &mut ps,
                &mut rng,
                c * h * w,
                (spec.width, spec.depth),
                at,
            )?),
            Arch::ResNet18 | Arch::ResNet18Width => Body::ResNet(ResNet18::new(
                &mut ps,
                &mut rng,
                (c, spec.width),
                spec.stem,
                spec.feature_dim,
                at,
            )?),
        };
        let (d, k) = (spec.feature_dim, spec.classes);
        let head = match spec.head {
            Head::Learned => Linear::new(&mut ps, &mut rng, "fc", (d, k), spec.bias, at)?,
            Head::Etf => {
                let values = etf_head_weights(spec)?;
                Linear::frozen(&mut ps, &mut rng, "fc", &values, (d, k), spec.bias, at)?
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

    /// The float kind of every tensor.
    pub fn kind(&self) -> Kind {
        if self.spec.f64 {
            Kind::Double
        } else {
            Kind::Float
        }
    }
}
