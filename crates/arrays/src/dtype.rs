//! Element types that can be decoded from raw file bytes.

/// Numeric element types supported by the readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ElementType {
    /// IEEE binary32.
    F32,
    /// IEEE binary64.
    F64,
    /// Signed integer of 1, 2, 4 or 8 bytes.
    Int(usize),
    /// Unsigned integer of 1, 2, 4 or 8 bytes.
    Uint(usize),
}

impl ElementType {
    /// Bytes per element.
    pub fn size(self) -> usize {
        match self {
            Self::F32 => 4,
            Self::F64 => 8,
            Self::Int(n) | Self::Uint(n) => n,
        }
    }

    /// Whether this is a floating-point type.
    pub fn is_float(self) -> bool {
        matches!(self, Self::F32 | Self::F64)
    }

    /// The numpy name (`float32`, `int64`, …).
    pub fn name(self) -> String {
        match self {
            Self::F32 => "float32".into(),
            Self::F64 => "float64".into(),
            Self::Int(n) => format!("int{}", 8 * n),
            Self::Uint(n) => format!("uint{}", 8 * n),
        }
    }
}

/// Byte order of the stored elements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteOrder {
    /// Least significant byte first (numpy `<`, safetensors always).
    Little,
    /// Most significant byte first (numpy `>`).
    Big,
}

fn array<const N: usize>(b: &[u8], order: ByteOrder) -> [u8; N] {
    let mut a: [u8; N] = b.try_into().expect("caller passes exactly N bytes");
    if order == ByteOrder::Big {
        a.reverse();
    }
    a
}

/// Decodes floating-point elements into f64 (exact for f32 and f64).
pub(crate) fn decode_floats(bytes: &[u8], ty: ElementType, order: ByteOrder, out: &mut Vec<f64>) {
    match ty {
        ElementType::F32 => out.extend(
            bytes
                .chunks_exact(4)
                .map(|b| f64::from(f32::from_le_bytes(array(b, order)))),
        ),
        ElementType::F64 => out.extend(
            bytes
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(array(b, order))),
        ),
        _ => unreachable!("callers check the type is a float"),
    }
}

/// Decodes integer elements into i128 (wide enough for every supported width and sign).
pub(crate) fn decode_ints(bytes: &[u8], ty: ElementType, order: ByteOrder, out: &mut Vec<i128>) {
    let n = ty.size();
    out.extend(bytes.chunks_exact(n).map(|b| match (ty, n) {
        (ElementType::Int(_), 1) => i128::from(b[0] as i8),
        (ElementType::Int(_), 2) => i128::from(i16::from_le_bytes(array(b, order))),
        (ElementType::Int(_), 4) => i128::from(i32::from_le_bytes(array(b, order))),
        (ElementType::Int(_), 8) => i128::from(i64::from_le_bytes(array(b, order))),
        (ElementType::Uint(_), 1) => i128::from(b[0]),
        (ElementType::Uint(_), 2) => i128::from(u16::from_le_bytes(array(b, order))),
        (ElementType::Uint(_), 4) => i128::from(u32::from_le_bytes(array(b, order))),
        (ElementType::Uint(_), 8) => i128::from(u64::from_le_bytes(array(b, order))),
        _ => unreachable!("callers check the type is a supported integer"),
    }));
}
