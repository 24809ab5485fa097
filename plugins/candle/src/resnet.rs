//! ResNet18 (torchvision's layout and state_dict names): stem, four stages of two
//! BasicBlocks (channels w, 2w, 4w, 8w; strides 1, 2, 2, 2), global average pool. With
//! d = K the last block's second conv outputs K channels and its shortcut becomes a 1×1
//! conv 8w→K + BN(K), as the paper's "fixdim" networks do.

use candle_core::{DType, Device, Tensor};
use rand_chacha::ChaCha8Rng;

use collapse_backend_spec::resnet_plan::{resnet18_blocks, stem_geometry};

use crate::config::Stem;
use crate::error::Result;
use crate::layers::{add_relu, max_pool_3x3_s2_p1, BatchNorm, Conv2d};
use crate::params::ParamSet;

/// One BasicBlock: conv3×3-BN-ReLU-conv3×3-BN plus the (projected) shortcut, then ReLU.
#[derive(Debug, Clone)]
pub struct BasicBlock {
    conv1: Conv2d,
    bn1: BatchNorm,
    conv2: Conv2d,
    bn2: BatchNorm,
    downsample: Option<(Conv2d, BatchNorm)>,
}

impl BasicBlock {
    #[allow(clippy::too_many_arguments)]
    fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        name: &str,
        (cin, mid, cout): (usize, usize, usize),
        stride: usize,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        let conv1 = Conv2d::new(
            ps,
            rng,
            &format!("{name}.conv1"),
            (cin, mid, 3),
            stride,
            1,
            dtype,
            device,
        )?;
        let bn1 = BatchNorm::new(ps, &format!("{name}.bn1"), mid, dtype, device)?;
        let conv2 = Conv2d::new(
            ps,
            rng,
            &format!("{name}.conv2"),
            (mid, cout, 3),
            1,
            1,
            dtype,
            device,
        )?;
        let bn2 = BatchNorm::new(ps, &format!("{name}.bn2"), cout, dtype, device)?;
        let downsample = if stride != 1 || cin != cout {
            let conv = Conv2d::new(
                ps,
                rng,
                &format!("{name}.downsample.0"),
                (cin, cout, 1),
                stride,
                0,
                dtype,
                device,
            )?;
            let bn = BatchNorm::new(ps, &format!("{name}.downsample.1"), cout, dtype, device)?;
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
        let y = self
            .bn1
            .forward_relu(&self.conv1.forward(x, train)?, train)?;
        let y = self.bn2.forward(&self.conv2.forward(&y, train)?, train)?;
        let shortcut = match &self.downsample {
            Some((conv, bn)) => bn.forward(&conv.forward(x, train)?, train)?,
            None => x.clone(),
        };
        add_relu(&y, &shortcut)
    }
}

/// The ResNet18 body: input N×C×H×W → features N×d (non-negative, after the global pool).
#[derive(Debug, Clone)]
pub struct ResNet18 {
    conv1: Conv2d,
    bn1: BatchNorm,
    max_pool: bool,
    blocks: Vec<BasicBlock>,
}

impl ResNet18 {
    /// Registers every parameter under torchvision's names; `feature_dim` is 8·width, or
    /// anything else for the narrowed last block.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        ps: &mut ParamSet,
        rng: &mut ChaCha8Rng,
        in_channels: usize,
        width: usize,
        stem: Stem,
        feature_dim: usize,
        dtype: DType,
        device: &Device,
    ) -> Result<Self> {
        let ((k, stride, pad), max_pool) = stem_geometry(stem);
        let conv1 = Conv2d::new(
            ps,
            rng,
            "conv1",
            (in_channels, width, k),
            stride,
            pad,
            dtype,
            device,
        )?;
        let bn1 = BatchNorm::new(ps, "bn1", width, dtype, device)?;
        let blocks = resnet18_blocks(width, feature_dim)
            .iter()
            .map(|b| BasicBlock::new(ps, rng, &b.name, b.channels, b.stride, dtype, device))
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
        let mut y = self
            .bn1
            .forward_relu(&self.conv1.forward(x, train)?, train)?;
        if self.max_pool {
            y = max_pool_3x3_s2_p1(&y)?;
        }
        for block in &self.blocks {
            y = block.forward(&y, train)?;
        }
        // Global average pool: the same as the CIFAR ResNet's 4×4 pool on 32×32 inputs.
        Ok(y.mean((2, 3))?)
    }
}
