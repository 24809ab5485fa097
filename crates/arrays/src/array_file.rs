//! An array in a file, opened by reading only its header, and read in row chunks so that
//! arrays larger than memory can be processed.

use crate::dtype::{decode_floats, decode_ints, ElementType};
use crate::error::{ArrayError, Result};
use crate::layout::Layout;
use crate::{npy, safetensors_file};
use collapse_guard::{memory, size};
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The rank the caller expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// An N×d matrix (rank 2): features, classifier weights.
    Matrix,
    /// A vector of N elements (rank 1, or N×1): labels, bias.
    Vector,
}

/// A C-ordered numeric array in an .npy or safetensors file.
#[derive(Debug, Clone)]
pub struct ArrayFile {
    path: PathBuf,
    layout: Layout,
    rows: usize,
    cols: usize,
}

impl ArrayFile {
    /// Opens `spec`: a path, or `PATH:TENSOR` to pick a tensor of a safetensors file. Without
    /// a tensor name a safetensors file must hold exactly one tensor of the expected rank.
    pub fn open(spec: &str, expect: Expect) -> Result<Self> {
        let whole = Path::new(spec);
        if !whole.exists() {
            if let Some((file, tensor)) = spec.rsplit_once(':') {
                if Path::new(file).is_file() {
                    return Self::open_path(Path::new(file), Some(tensor), expect);
                }
            }
        }
        Self::open_path(whole, None, expect)
    }

    /// Opens `path`, choosing `tensor` in a safetensors file.
    pub fn open_path(path: &Path, tensor: Option<&str>, expect: Expect) -> Result<Self> {
        let io_err = |source| ArrayError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut file = File::open(path).map_err(io_err)?;
        let file_len = file.metadata().map_err(io_err)?.len();
        let mut magic = [0u8; 6];
        let n = file.read(&mut magic).map_err(io_err)?;
        file.seek(SeekFrom::Start(0)).map_err(io_err)?;
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let is_npy = n == 6 && &magic == b"\x93NUMPY";
        let rank = match expect {
            Expect::Matrix => 2,
            Expect::Vector => 1,
        };
        let layout = if is_npy || ext == "npy" {
            if tensor.is_some() {
                return Err(ArrayError::Format {
                    path: path.to_path_buf(),
                    format: "npy",
                    reason: "an .npy file holds one array; drop the :NAME suffix".into(),
                });
            }
            npy::read_layout(path, &mut file)?
        } else if ext == "safetensors" {
            safetensors_file::read_layout(path, &mut file, file_len, tensor, rank)?
        } else {
            return Err(ArrayError::UnknownFormat {
                path: path.to_path_buf(),
            });
        };
        let format = if is_npy || ext == "npy" {
            "npy"
        } else {
            "safetensors"
        };
        // Checked arithmetic: a hostile shape must give this error, not an overflow.
        let data_bytes = size::bytes(&size::widen(&layout.shape), layout.element.size() as u64);
        let end = data_bytes.and_then(|b| b.checked_add(layout.offset));
        if end.is_none_or(|end| end > file_len) {
            return Err(ArrayError::Format {
                path: path.to_path_buf(),
                format,
                reason: format!(
                    "the header announces shape {:?} of {} ({} data bytes after {} header bytes) but the file has {file_len} bytes: truncated file or damaged header",
                    layout.shape,
                    layout.element.name(),
                    data_bytes.map_or_else(|| "more than 2^64".to_string(), |b| b.to_string()),
                    layout.offset,
                ),
            });
        }
        let (rows, cols) = match (expect, layout.shape.as_slice()) {
            (Expect::Matrix, &[r, c]) => (r, c),
            (Expect::Vector, &[r]) | (Expect::Vector, &[r, 1]) => (r, 1),
            (Expect::Matrix, _) => {
                return Err(ArrayError::Rank {
                    path: path.to_path_buf(),
                    expected: "a 2-D array (rows x columns)".into(),
                    shape: layout.shape,
                })
            }
            (Expect::Vector, _) => {
                return Err(ArrayError::Rank {
                    path: path.to_path_buf(),
                    expected: "a 1-D array".into(),
                    shape: layout.shape,
                })
            }
        };
        Ok(Self {
            path: path.to_path_buf(),
            layout,
            rows,
            cols,
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of rows (N for features and labels, K for weights and bias).
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Number of columns (1 for a vector).
    pub fn cols(&self) -> usize {
        self.cols
    }

    /// The stored element type.
    pub fn element(&self) -> ElementType {
        self.layout.element
    }

    /// Streams the rows as f64, `rows_per_chunk` at a time (row-major chunks).
    pub fn float_chunks(&self, rows_per_chunk: usize) -> Result<Chunks<f64>> {
        if !self.layout.element.is_float() {
            return Err(ArrayError::UnsupportedDtype {
                path: self.path.clone(),
                dtype: self.layout.element.name(),
                what: "real-valued data (features, weights, bias)".into(),
                fix: "store them as float32 or float64".into(),
            });
        }
        Chunks::new(self, rows_per_chunk)
    }

    /// Streams labels as class indices, `rows_per_chunk` at a time.
    pub fn label_chunks(&self, rows_per_chunk: usize) -> Result<Chunks<usize>> {
        if self.layout.element.is_float() {
            return Err(ArrayError::UnsupportedDtype {
                path: self.path.clone(),
                dtype: self.layout.element.name(),
                what: "labels".into(),
                fix: "store labels as integers, e.g. y.astype(np.int64)".into(),
            });
        }
        Chunks::new(self, rows_per_chunk)
    }

    /// Refuses to read the whole array into memory (`bytes_per_element` each in memory)
    /// when the machine does not have that much available.
    fn check_memory(&self, bytes_per_element: u64) -> Result<()> {
        let needed = size::bytes(&[self.rows as u64, self.cols as u64], bytes_per_element);
        memory::check_allocation(
            &format!(
                "reading {} ({} x {})",
                self.path.display(),
                self.rows,
                self.cols
            ),
            needed,
        )
        .map_err(|source| ArrayError::Memory {
            path: self.path.clone(),
            source,
        })
    }

    /// Reads every element as f64 (row-major).
    pub fn read_floats(&self) -> Result<Vec<f64>> {
        self.check_memory(8)?;
        let mut out = Vec::with_capacity(self.rows * self.cols);
        for chunk in self.float_chunks(self.rows.max(1))? {
            out.extend(chunk?);
        }
        Ok(out)
    }

    /// Reads every label.
    pub fn read_labels(&self) -> Result<Vec<usize>> {
        self.check_memory(std::mem::size_of::<usize>() as u64)?;
        let mut out = Vec::with_capacity(self.rows);
        for chunk in self.label_chunks(self.rows.max(1))? {
            out.extend(chunk?);
        }
        Ok(out)
    }
}

/// Values a chunk can be decoded into.
pub trait Decode: Sized {
    /// Appends the decoded elements of `bytes` to `out`; `first` is the index of the
    /// first element, for error messages.
    fn decode(file: &ArrayFile, bytes: &[u8], first: u64, out: &mut Vec<Self>) -> Result<()>;
}

impl Decode for f64 {
    fn decode(file: &ArrayFile, bytes: &[u8], _: u64, out: &mut Vec<Self>) -> Result<()> {
        decode_floats(bytes, file.layout.element, file.layout.order, out);
        Ok(())
    }
}

impl Decode for usize {
    fn decode(file: &ArrayFile, bytes: &[u8], first: u64, out: &mut Vec<Self>) -> Result<()> {
        let mut wide = Vec::with_capacity(bytes.len() / file.layout.element.size());
        decode_ints(bytes, file.layout.element, file.layout.order, &mut wide);
        for (i, v) in wide.into_iter().enumerate() {
            match usize::try_from(v) {
                Ok(u) => out.push(u),
                Err(_) => {
                    return Err(ArrayError::NegativeLabel {
                        path: file.path.clone(),
                        index: first + i as u64,
                        value: v as i64,
                    })
                }
            }
        }
        Ok(())
    }
}

/// Iterator over row chunks of an [`ArrayFile`]; each item is a row-major `Vec`.
pub struct Chunks<T> {
    array: ArrayFile,
    file: File,
    next_row: usize,
    rows_per_chunk: usize,
    bytes: Vec<u8>,
    _marker: std::marker::PhantomData<T>,
}

impl<T: Decode> Chunks<T> {
    fn new(array: &ArrayFile, rows_per_chunk: usize) -> Result<Self> {
        let io_err = |source| ArrayError::Io {
            path: array.path.clone(),
            source,
        };
        let mut file = File::open(&array.path).map_err(io_err)?;
        file.seek(SeekFrom::Start(array.layout.offset))
            .map_err(io_err)?;
        Ok(Self {
            array: array.clone(),
            file,
            next_row: 0,
            rows_per_chunk: rows_per_chunk.max(1),
            bytes: Vec::new(),
            _marker: std::marker::PhantomData,
        })
    }
}

impl<T: Decode> Iterator for Chunks<T> {
    type Item = Result<Vec<T>>;

    fn next(&mut self) -> Option<Self::Item> {
        let a = &self.array;
        if self.next_row >= a.rows {
            return None;
        }
        let rows = self.rows_per_chunk.min(a.rows - self.next_row);
        let elements = rows * a.cols;
        self.bytes.resize(elements * a.layout.element.size(), 0);
        if let Err(source) = self.file.read_exact(&mut self.bytes) {
            let start = a.layout.offset + (self.next_row * a.cols * a.layout.element.size()) as u64;
            self.next_row = a.rows;
            return Some(Err(if source.kind() == std::io::ErrorKind::UnexpectedEof {
                ArrayError::Truncated {
                    path: a.path.clone(),
                    expected: start + self.bytes.len() as u64,
                    actual: std::fs::metadata(&a.path).map_or(0, |m| m.len()),
                }
            } else {
                ArrayError::Io {
                    path: a.path.clone(),
                    source,
                }
            }));
        }
        let first = (self.next_row * a.cols) as u64;
        self.next_row += rows;
        let mut out = Vec::with_capacity(elements);
        Some(T::decode(a, &self.bytes, first, &mut out).map(|()| out))
    }
}
