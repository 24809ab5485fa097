//! `collapse-arrays`: read features, labels and classifier heads from `.npy` and
//! safetensors files, in row chunks straight from the file, so that inputs larger than
//! memory can be streamed into the metric accumulators.
//!
//! ```no_run
//! use collapse_arrays::{ArrayFile, Expect};
//! # fn main() -> Result<(), collapse_arrays::ArrayError> {
//! let features = ArrayFile::open("features.npy", Expect::Matrix)?; // f32 or f64, N×d, C order
//! let labels = ArrayFile::open("labels.npy", Expect::Vector)?;     // any integer width
//! let w = ArrayFile::open("model.safetensors:fc.weight", Expect::Matrix)?.read_floats()?;
//! for (x, y) in features.float_chunks(4096)?.zip(labels.label_chunks(4096)?) {
//!     let (x, y) = (x?, y?); // 4096×d row-major f64 values and 4096 labels
//! }
//! # let _ = w; Ok(()) }
//! ```
//!
//! Headers are parsed by the `npyz` and `safetensors` crates; the data are read by this
//! crate, a chunk at a time. Supported: float32/float64 data, signed and unsigned integers
//! of 1–8 bytes for labels, either byte order in .npy. Refused with a clear message:
//! Fortran-ordered .npy, other dtypes (float16, bfloat16, complex, bool, strings,
//! structured), arrays of the wrong rank, truncated files, negative labels.

mod array_file;
mod dtype;
mod error;
mod layout;
mod npy;
mod point;
mod safetensors_file;

pub use array_file::{ArrayFile, Chunks, Decode, Expect};
pub use dtype::{ByteOrder, ElementType};
pub use error::{ArrayError, Result};
pub use layout::Layout;
pub use point::{read_point, PointArrays};
