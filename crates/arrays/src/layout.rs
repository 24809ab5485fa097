//! Where an array's elements lie in its file and how they are encoded.

use crate::dtype::{ByteOrder, ElementType};

/// Element type, byte order, shape and byte offset of a C-ordered array in a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Element type.
    pub element: ElementType,
    /// Byte order.
    pub order: ByteOrder,
    /// Shape, slowest axis first.
    pub shape: Vec<usize>,
    /// Byte offset of the first element.
    pub offset: u64,
}

impl Layout {
    /// Number of elements.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// Whether the array has no element.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
