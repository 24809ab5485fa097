//! ResNet18 (torchvision's layout and state_dict names): stem, four stages of two
//! BasicBlocks (channels w, 2w, 4w, 8w; strides 1, 2, 2, 2), global average pool. With
//! d = K the last block's second conv outputs K channels and its shortcut becomes a 1×1
//! conv 8w→K + BN(K), as the paper's "fixdim" networks do.

use rand_chacha::ChaCha8Rng;
use tch::Tensor;

use collapse_backend_spec::resnet_plan::{resnet18_blocks, stem_geometry};

use crate::config::Stem;
use crate::error::Result;
use crate::layers::{BatchNorm, Conv2d, Place};
use crate::params::ParamSet;

/// One BasicBlock: conv3×3-BN-ReLU-conv3×3-BN plus the (projected) shortcut, then ReLU.
#[derive(Debug)]
struct BasicBlock {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    downsample: Option<(Conv2d, BatchNorm)>,
}

impl BasicBlock {
    fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        (cin, mid, cout): (usize, usize, usize),
        stride: usize,
        at: Place,
    ) -> Result<Self> {
        let conv1 = Conv2d::new(
            ps,
            rng,
            &format!("{name}.conv1"),
            (cin, mid, 3),
            (stride, 1),
            at,
        )?;
        let bn1 = BatchNorm::new(ps, &format!("{name}.bn1"), mid, at)?;
        let conv2 = Conv2d::new(
            ps,
            rng,
            &format!("{name}.conv2"),
            (mid, cout, 3),
            (1, 1),
            at,
        )?;
        let bn2 = BatchNorm::new(ps, &format!("{name}.bn2"), cout, at)?;
        let downsample = if stride != 1 || cin != cout {
            let conv = Conv2d::new(
                ps,
                rng,
                &format!("{name}.downsample.0"),
                (cin, cout, 1),
                (stride, 0),
                at,
            )?;
            let bn = BatchNorm::new(ps, &format!("{name}.downsample.1"), cout, at)?;
            Some((conv, bn))
        } else {
            None
        };
        Ok(BasicBlock {
            conv1,
            bn1,
            conv2,
            bn2,
            downsample,
        })
    }

    fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let y = self.bn1.forward(&self.conv1.forward(x)?, train)?.f_relu()?;
        let y = self.bn2.forward(&self.conv2.forward(&y)?, train)?;
        let shortcut = match &self.downsample {
            Some((conv, bn)) => bn.forward(&conv.forward(x)?, train)?,
            None => x.shallow_clone(),
        };
        Ok(y.f_add(&shortcut)?.f_relu()?)
    }
}

/// The ResNet18 body: input N×C×H×W → features N×d (non-negative, after the global pool).
#[derive(Debug)]
pub struct ResNet18 {
    conv1: Conv2d,
    bn1: BatchNorm,
    max_pool: bool,
    blocks: Vec<BasicBlock>,
}

impl ResNet18 {
    /// Registers every parameter under torchvision's names; `feature_dim` is 8·width, or
    /// anything else for the narrowed last block.
    pub fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        (in_channels, width): (usize, usize),
        stem: Stem,
        feature_dim: usize,
        at: Place,
    ) -> Result<Self> {
        let ((k, stride, pad), max_pool) = stem_geometry(stem);
        let conv1 = Conv2d::new(ps, rng, "conv1", (in_channels, width, k), (stride, pad), at)?;
        let bn1 = BatchNorm::new(ps, "bn1", width, at)?;
        let blocks = resnet18_blocks(width, feature_dim)
            .iter()
            .map(|b| BasicBlock::new(ps, rng, &b.name, b.channels, b.stride, at))
            .collect::<Result<Vec<_>>>()?;
        Ok(ResNet18 {
            conv1,
            bn1,
            max_pool,
            blocks,
        })
    }

    /// Features (the input of `fc`): N×d.
    pub fn forward(&self, x: &Tensor, train: bool) -> Result<Tensor> {
        let mut y = self.bn1.forward(&self.conv1.forward(x)?, train)?.f_relu()?;
        if self.max_pool {
            y = y.f_max_pool2d([3, 3], [2, 2], [1, 1], [1, 1], false)?;
        }
        for block in &self.blocks {
            y = block.forward(&y, train)?;
        }
        // Global average pool: the same as the CIFAR ResNet's 4×4 pool on 32×32 inputs.
        Ok(y.f_mean_dim([2i64, 3].as_slice(), false, None::<tch::Kind>)?)
    }
}
