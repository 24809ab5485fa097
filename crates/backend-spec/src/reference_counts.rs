//! The trainable-parameter counts every backend must hit exactly: reference.md §2's table
//! for ResNet18 with K = 10, measured on the paper's PyTorch code. One copy, used by every
//! backend's tests and by the CLI's, so the bar cannot drift between them.

/// One row: (stem, feature dimension d, classifier head, trainable parameters), keyed as
/// the model JSON spells them (`stem`, `feature_dim`, `classifier`).
pub type CountRow = (&'static str, usize, &'static str, u64);

/// The six rows of reference.md §2 (K = 10 classes).
pub const RESNET18_TRAINABLE_PARAMS: [CountRow; 6] = [
    ("default", 512, "learned", 11_181_642),
    ("default", 512, "etf", 11_176_522),
    ("default", 10, "learned", 8_867_542),
    ("default", 10, "etf", 8_867_442),
    ("3x3", 512, "learned", 11_173_962),
    ("3x3", 10, "etf", 8_859_762),
];

/// Parameters a frozen ETF head adds to the total but not to the trainable count: K×d.
pub fn frozen_head_params(head: &str, classes: usize, dim: usize) -> u64 {
    if head == "etf" {
        (classes * dim) as u64
    } else {
        0
    }
}
