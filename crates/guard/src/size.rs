//! Element and byte counts of a shape by checked arithmetic: a header that announces more
//! than 2⁶⁴ elements gets `None`, never a wrapped small number or a "capacity overflow".

/// The number of elements of `shape`, or `None` when the product overflows u64.
pub fn elements(shape: &[u64]) -> Option<u64> {
    shape.iter().try_fold(1u64, |acc, &n| acc.checked_mul(n))
}

/// The bytes of `shape` with `element_bytes` bytes per element, or `None` on overflow.
pub fn bytes(shape: &[u64], element_bytes: u64) -> Option<u64> {
    elements(shape)?.checked_mul(element_bytes)
}

/// `usize` dimensions as u64 (lossless on every supported target).
pub fn widen(shape: &[usize]) -> Vec<u64> {
    shape.iter().map(|&n| n as u64).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overflowing_products_are_none() {
        assert_eq!(elements(&[3, 4]), Some(12));
        assert_eq!(elements(&[]), Some(1));
        assert_eq!(elements(&[0, u64::MAX]), Some(0));
        assert_eq!(elements(&[1 << 32, 1 << 32]), None);
        assert_eq!(bytes(&[1 << 61], 8), None);
        assert_eq!(bytes(&[1 << 30], 8), Some(1 << 33));
    }
}
