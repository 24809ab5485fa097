//! ResNet18's layout as plain numbers and names: the stem's geometry and the eight
//! BasicBlocks under torchvision's state_dict names. Both backends build from this plan, so
//! they register the same parameters in the same order (and draw their init identically).

use crate::model_spec::Stem;

/// The stem convolution's (kernel, stride, padding), and whether a 3×3 stride-2 max-pool
/// follows it.
pub fn stem_geometry(stem: Stem) -> ((usize, usize, usize), bool) {
    match stem {
        Stem::Default => ((7, 2, 3), true),
        Stem::Small => ((3, 1, 1), false),
    }
}

/// One BasicBlock of the plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockPlan {
    /// State_dict prefix, `layer{stage}.{block}`.
    pub name: String,
    /// (input, middle, output) channels.
    pub channels: (usize, usize, usize),
    /// Stride of the first conv (and of the projected shortcut).
    pub stride: usize,
}

/// The eight blocks for stem width `width` (stages w, 2w, 4w, 8w; strides 1, 2, 2, 2). The
/// last block outputs `feature_dim` channels: 8·width normally, K for the narrowed
/// ("fixdim") last block.
pub fn resnet18_blocks(width: usize, feature_dim: usize) -> Vec<BlockPlan> {
    let mut blocks = Vec::with_capacity(8);
    let mut cin = width;
    for stage in 0..4 {
        let c = width << stage;
        for b in 0..2 {
            let stride = if stage > 0 && b == 0 { 2 } else { 1 };
            let last = stage == 3 && b == 1;
            let cout = if last { feature_dim } else { c };
            blocks.push(BlockPlan {
                name: format!("layer{}.{b}", stage + 1),
                channels: (cin, c, cout),
                stride,
            });
            cin = cout;
        }
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn torchvision_names_channels_and_strides() {
        let plan = resnet18_blocks(64, 512);
        let names: Vec<&str> = plan.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "layer1.0", "layer1.1", "layer2.0", "layer2.1", "layer3.0", "layer3.1", "layer4.0",
                "layer4.1"
            ]
        );
        assert_eq!(plan[2].channels, (64, 128, 128));
        assert_eq!(plan[2].stride, 2);
        assert_eq!(plan[3].channels, (128, 128, 128));
        assert_eq!(plan[3].stride, 1);
        assert_eq!(plan[7].channels, (512, 512, 512));
    }

    #[test]
    fn fixdim_narrows_only_the_last_block() {
        let plan = resnet18_blocks(8, 10);
        assert_eq!(plan[6].channels, (32, 64, 64));
        assert_eq!(plan[7].channels, (64, 64, 10));
        assert_eq!(stem_geometry(Stem::Small), ((3, 1, 1), false));
        assert_eq!(stem_geometry(Stem::Default), ((7, 2, 3), true));
    }
}
