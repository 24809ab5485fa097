//! Statistics files: the one binary encoding of first-pass [`ClassStats`] and second-pass
//! [`MeanPass`] accumulators, so shards measured on different machines (or Python worker
//! processes, which pickle through these bytes) merge exactly.
//!
//! Every f64 is stored as its IEEE bit pattern (little-endian), so a round trip is bit-exact
//! — JSON floats would not be. Layout, all integers little-endian:
//!
//! | bytes | field |
//! |---|---|
//! | 8 | magic `CLPSTATS` |
//! | 4 | format version (u32, [`FORMAT_VERSION`]) |
//! | 1 | pass: 1 first, 2 second over training samples, 3 second over test samples |
//! | 1 | scatter mode: 0 trace only, 1 full d×d (first pass only) |
//! | 1 | source dtype ([`SourceDtype`]) |
//! | 1 | reserved (0) |
//! | 8 + 8 | K, d (u64) |
//! | 32 | SHA-256 of the class means a second pass is centred on ([`means_hash`]); zero for a first pass |
//! | 8 | body length in bytes (u64) |
//! | … | body: the accumulator's arrays in a fixed order (see `encode_body`) |
//! | 32 | SHA-256 of everything before it |
//!
//! [`decode`] never panics and never allocates more than the input's size: the sizes the
//! header announces are checked against the bytes present before anything is read.

use crate::error::{MetricsError, Result};
use crate::mean_pass::{MeanPass, NccCounter};
use crate::stats::{ClassStats, Moments};
use sha2::{Digest, Sha256};
use std::path::Path;

/// The format version this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;

const MAGIC: &[u8; 8] = b"CLPSTATS";
/// Magic, version, four one-byte fields, K, d, means hash, body length.
const HEADER_LEN: usize = 8 + 4 + 4 + 8 + 8 + 32 + 8;
const CHECKSUM_LEN: usize = 32;
/// Sample counts above 2⁵³ are not exact in the f64 arithmetic of the statistics, so a file
/// announcing more is corrupt (and sums of such counts cannot overflow u64).
const MAX_COUNT: u64 = 1 << 53;

/// The element type of the features the statistics were accumulated from (recorded so that a
/// merge of f32 and f16 shards is visible; the statistics themselves are f64 either way).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceDtype {
    /// Not recorded (e.g. features handed over in memory as f64 of unknown origin).
    Unknown,
    /// IEEE binary16.
    Float16,
    /// bfloat16.
    Bfloat16,
    /// IEEE binary32.
    Float32,
    /// IEEE binary64.
    Float64,
    /// Merged from shards of different dtypes.
    Mixed,
}

impl SourceDtype {
    const ALL: [SourceDtype; 6] = [
        Self::Unknown,
        Self::Float16,
        Self::Bfloat16,
        Self::Float32,
        Self::Float64,
        Self::Mixed,
    ];

    fn code(self) -> u8 {
        Self::ALL.iter().position(|&d| d == self).unwrap_or(0) as u8
    }

    /// The numpy spelling (`float32`, …), `unknown` or `mixed`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::Float16 => "float16",
            Self::Bfloat16 => "bfloat16",
            Self::Float32 => "float32",
            Self::Float64 => "float64",
            Self::Mixed => "mixed",
        }
    }

    /// The dtype of a merge of statistics from `self` and `other`.
    pub fn combine(self, other: SourceDtype) -> SourceDtype {
        if self == other {
            self
        } else {
            Self::Mixed
        }
    }
}

/// Which pass an accumulator belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PassKind {
    /// Class counts, means, scalar moments (and the d×d scatter in full mode).
    First,
    /// Second pass over the training samples, centred on the merged first-pass means.
    SecondTrain,
    /// Pass over test samples, centred on the merged first-pass (training) means.
    SecondTest,
}

impl PassKind {
    fn code(self) -> u8 {
        match self {
            Self::First => 1,
            Self::SecondTrain => 2,
            Self::SecondTest => 3,
        }
    }

    /// Human-readable name, used in error messages.
    pub fn describe(self) -> &'static str {
        match self {
            Self::First => "first-pass statistics",
            Self::SecondTrain => "second-pass statistics of training samples",
            Self::SecondTest => "second-pass statistics of test samples",
        }
    }
}

/// The accumulator a statistics file holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Statistics {
    /// First pass.
    First(ClassStats),
    /// Second pass over training samples.
    SecondTrain(MeanPass),
    /// Pass over test samples.
    SecondTest(MeanPass),
}

impl Statistics {
    /// Which pass this is.
    pub fn kind(&self) -> PassKind {
        match self {
            Self::First(_) => PassKind::First,
            Self::SecondTrain(_) => PassKind::SecondTrain,
            Self::SecondTest(_) => PassKind::SecondTest,
        }
    }

    /// (K, d).
    pub fn shape(&self) -> (usize, usize) {
        match self {
            Self::First(s) => (s.classes(), s.dim()),
            Self::SecondTrain(p) | Self::SecondTest(p) => (p.classes, p.dim),
        }
    }
}

/// One statistics file: an accumulator and the dtype of the features behind it.
#[derive(Debug, Clone, PartialEq)]
pub struct StatsFile {
    /// Element type of the source features.
    pub dtype: SourceDtype,
    /// The accumulator.
    pub stats: Statistics,
}

impl StatsFile {
    /// The hash of the class means this file's statistics are (for a first pass) or were (for
    /// a second pass) centred on.
    pub fn means_hash(&self) -> [u8; 32] {
        match &self.stats {
            Statistics::First(s) => means_hash(s),
            Statistics::SecondTrain(p) | Statistics::SecondTest(p) => pass_means_hash(p),
        }
    }

    /// Merges `other` into `self`; refuses different passes, shapes, scatter modes, class
    /// means (second passes) or heads, saying which.
    pub fn merge(&mut self, other: &StatsFile) -> Result<()> {
        let (a, b) = (self.stats.kind(), other.stats.kind());
        if a != b {
            return Err(MetricsError::Incompatible(format!(
                "one holds {} and the other {}",
                a.describe(),
                b.describe()
            )));
        }
        let (sa, sb) = (self.stats.shape(), other.stats.shape());
        if sa != sb {
            return Err(MetricsError::Incompatible(format!(
                "K = {}, d = {} in one and K = {}, d = {} in the other",
                sa.0, sa.1, sb.0, sb.1
            )));
        }
        if a != PassKind::First && self.means_hash() != other.means_hash() {
            return Err(MetricsError::Incompatible(format!(
                "the two {} were centred on different class means (means hash {} vs {}): run pass 2 of every shard with the same merged first-pass file (--means)",
                a.describe(),
                hex(&self.means_hash()[..6]),
                hex(&other.means_hash()[..6])
            )));
        }
        match (&mut self.stats, &other.stats) {
            (Statistics::First(x), Statistics::First(y)) => x.merge(y)?,
            (Statistics::SecondTrain(x), Statistics::SecondTrain(y))
            | (Statistics::SecondTest(x), Statistics::SecondTest(y)) => x.merge(y)?,
            _ => unreachable!("kinds were compared above"),
        }
        self.dtype = self.dtype.combine(other.dtype);
        Ok(())
    }

    /// Reads and decodes a statistics file; errors name the file.
    pub fn read(path: &Path) -> Result<Self> {
        let bad = |reason: String| MetricsError::BadStats {
            source_name: path.display().to_string(),
            reason,
        };
        let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read it: {e}")))?;
        decode(&bytes).map_err(|e| match e {
            MetricsError::BadStats { reason, .. } => bad(reason),
            other => other,
        })
    }

    /// Encodes and writes the file atomically (a temporary file in the same folder, synced,
    /// then renamed), so a reader never sees half a file.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        use std::io::Write;
        let name = path.file_name().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "not a file path")
        })?;
        let mut tmp_name = std::ffi::OsString::from(".");
        tmp_name.push(name);
        tmp_name.push(format!(".tmp-{}", std::process::id()));
        let tmp = path.with_file_name(tmp_name);
        let result = (|| {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&encode(self))?;
            f.sync_all()?;
            std::fs::rename(&tmp, path)
        })();
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result
    }
}

/// Merges named statistics files in order; a refusal names both files involved.
pub fn merge_named(files: Vec<(String, StatsFile)>) -> Result<StatsFile> {
    let mut iter = files.into_iter();
    let Some((first_name, mut acc)) = iter.next() else {
        return Err(MetricsError::Incompatible(
            "no statistics files to merge".into(),
        ));
    };
    for (name, file) in iter {
        acc.merge(&file).map_err(|e| match e {
            MetricsError::Incompatible(reason) => MetricsError::Incompatible(format!(
                "{first_name} and {name} do not merge: {reason}"
            )),
            other => other,
        })?;
    }
    Ok(acc)
}

/// SHA-256 of the class means and the centred class means μ_c − μ_G of first-pass
/// statistics: what a second pass started from them is centred on.
pub fn means_hash(stats: &ClassStats) -> [u8; 32] {
    let d = stats.dim();
    let mut centred = stats.means().to_vec();
    for row in centred.chunks_exact_mut(d.max(1)) {
        for (m, &g) in row.iter_mut().zip(stats.global_mean()) {
            *m -= g;
        }
    }
    hash_means(stats.classes(), d, stats.means(), &centred)
}

fn pass_means_hash(pass: &MeanPass) -> [u8; 32] {
    hash_means(pass.classes, pass.dim, &pass.means, &pass.centred_means)
}

fn hash_means(k: usize, d: usize, means: &[f64], centred: &[f64]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"collapse class means v1");
    h.update((k as u64).to_le_bytes());
    h.update((d as u64).to_le_bytes());
    for v in means.iter().chain(centred) {
        h.update(v.to_bits().to_le_bytes());
    }
    let mut out = [0u8; 32];
    out.copy_from_slice(&h.finalize());
    out
}

fn sha256(bytes: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(&Sha256::digest(bytes));
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Encodes a statistics file (see the module documentation for the layout).
pub fn encode(file: &StatsFile) -> Vec<u8> {
    let (k, d) = file.stats.shape();
    let mut body = Vec::new();
    encode_body(&file.stats, &mut body);
    let scatter = match &file.stats {
        Statistics::First(s) => u8::from(s.scatter.is_some()),
        _ => 0,
    };
    let hash = match file.stats {
        Statistics::First(_) => [0u8; 32],
        _ => file.means_hash(),
    };
    let mut out = Vec::with_capacity(HEADER_LEN + body.len() + CHECKSUM_LEN);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&[file.stats.kind().code(), scatter, file.dtype.code(), 0]);
    out.extend_from_slice(&(k as u64).to_le_bytes());
    out.extend_from_slice(&(d as u64).to_le_bytes());
    out.extend_from_slice(&hash);
    out.extend_from_slice(&(body.len() as u64).to_le_bytes());
    out.extend_from_slice(&body);
    let checksum = sha256(&out);
    out.extend_from_slice(&checksum);
    out
}

fn put_f64s(out: &mut Vec<u8>, values: &[f64]) {
    for v in values {
        out.extend_from_slice(&v.to_bits().to_le_bytes());
    }
}

fn put_u64s(out: &mut Vec<u8>, values: &[u64]) {
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
}

/// Body, first pass: counts (K u64), means (K·d), per-class Σ‖h − μ_c‖² (K), global mean
/// (d), Σ‖h − μ_G‖² (1), then the d×d scatter in full mode. Second pass: means (K·d), G
/// (K·K), centred means (K·d), projection (K·K), per-class samples (K u64), a head flag
/// byte and, with a head, W (K·d), b (K) and per-class mismatches (K u64).
fn encode_body(stats: &Statistics, out: &mut Vec<u8>) {
    match stats {
        Statistics::First(s) => {
            let m = &s.moments;
            put_u64s(out, &m.counts);
            put_f64s(out, &m.means);
            put_f64s(out, &m.class_m2);
            put_f64s(out, &m.global_mean);
            put_f64s(out, &[m.total_m2]);
            if let Some(scatter) = &s.scatter {
                put_f64s(out, scatter);
            }
        }
        Statistics::SecondTrain(p) | Statistics::SecondTest(p) => {
            put_f64s(out, &p.means);
            put_f64s(out, &p.centred_gram);
            put_f64s(out, &p.centred_means);
            put_f64s(out, &p.projected);
            put_u64s(out, &p.class_samples);
            match &p.ncc {
                None => out.push(0),
                Some(ncc) => {
                    out.push(1);
                    put_f64s(out, &ncc.weights);
                    put_f64s(out, &ncc.bias);
                    put_u64s(out, &ncc.mismatches);
                }
            }
        }
    }
}

/// A bounds-checked little-endian reader over the body.
struct Reader<'a> {
    bytes: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        if n > self.bytes.len() {
            return Err(corrupt(format!(
                "the body ends inside {what} ({n} bytes needed, {} left)",
                self.bytes.len()
            )));
        }
        let (head, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        Ok(head)
    }

    fn f64s(&mut self, n: usize, what: &str) -> Result<Vec<f64>> {
        let bytes = self.take(n.checked_mul(8).ok_or_else(|| too_large(what))?, what)?;
        let values: Vec<f64> = bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .collect();
        if let Some(i) = values.iter().position(|v| !v.is_finite()) {
            return Err(corrupt(format!(
                "{what} holds a non-finite value at index {i}"
            )));
        }
        Ok(values)
    }

    fn u64s(&mut self, n: usize, what: &str) -> Result<Vec<u64>> {
        let bytes = self.take(n.checked_mul(8).ok_or_else(|| too_large(what))?, what)?;
        let values: Vec<u64> = bytes
            .chunks_exact(8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .collect();
        if let Some(i) = values.iter().position(|&v| v > MAX_COUNT) {
            return Err(corrupt(format!(
                "{what} holds an impossible count {} at index {i}",
                values[i]
            )));
        }
        Ok(values)
    }

    fn byte(&mut self, what: &str) -> Result<u8> {
        Ok(self.take(1, what)?[0])
    }
}

fn corrupt(reason: String) -> MetricsError {
    MetricsError::BadStats {
        source_name: "statistics bytes".into(),
        reason,
    }
}

fn too_large(what: &str) -> MetricsError {
    corrupt(format!("the size of {what} overflows"))
}

fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or([0; 8]))
}

/// Decodes a statistics file. Fails (never panics) on anything but bytes written by
/// [`encode`] of this format version: wrong magic, other version, bad checksum, sizes that
/// disagree with the header, non-finite values, impossible counts.
pub fn decode(bytes: &[u8]) -> Result<StatsFile> {
    if bytes.len() < HEADER_LEN + CHECKSUM_LEN || &bytes[..8] != MAGIC {
        return Err(corrupt(
            "not a collapse statistics file (no CLPSTATS header): write one with `collapse metrics --save-stats`".into(),
        ));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap_or([0; 4]));
    if version != FORMAT_VERSION {
        return Err(corrupt(format!(
            "format version {version}, but this build of collapse reads version {FORMAT_VERSION}: recompute the statistics with this build"
        )));
    }
    let (kind, scatter, dtype, reserved) = (bytes[12], bytes[13], bytes[14], bytes[15]);
    let k = u64_at(bytes, 16);
    let d = u64_at(bytes, 24);
    let hash: [u8; 32] = bytes[32..64].try_into().unwrap_or([0; 32]);
    let body_len = u64_at(bytes, 64);
    let expected_total = (HEADER_LEN as u64)
        .checked_add(body_len)
        .and_then(|n| n.checked_add(CHECKSUM_LEN as u64));
    if expected_total != Some(bytes.len() as u64) {
        return Err(corrupt(format!(
            "the header announces a body of {body_len} bytes but the file holds {} bytes in all: truncated or padded file",
            bytes.len()
        )));
    }
    let payload = bytes.len() - CHECKSUM_LEN;
    let checksum = sha256(&bytes[..payload]);
    if checksum[..] != bytes[payload..] {
        return Err(corrupt(
            "checksum mismatch: the file is corrupt (recompute or copy it again)".into(),
        ));
    }
    let kind = match kind {
        1 => PassKind::First,
        2 => PassKind::SecondTrain,
        3 => PassKind::SecondTest,
        other => return Err(corrupt(format!("unknown pass code {other}"))),
    };
    let dtype = *SourceDtype::ALL
        .get(usize::from(dtype))
        .ok_or_else(|| corrupt(format!("unknown dtype code {dtype}")))?;
    if reserved != 0 || scatter > 1 || (scatter == 1 && kind != PassKind::First) {
        return Err(corrupt("invalid flag bytes in the header".into()));
    }
    let (k, d) = match (usize::try_from(k), usize::try_from(d)) {
        (Ok(k), Ok(d)) => (k, d),
        _ => return Err(corrupt(format!("K = {k}, d = {d} do not fit this machine"))),
    };
    crate::element::check_dimensions(k, d).map_err(|e| corrupt(format!("header: {e}")))?;
    let kd = k.checked_mul(d).ok_or_else(|| too_large("K x d"))?;
    let kk = k.checked_mul(k).ok_or_else(|| too_large("K x K"))?;
    let dd = d.checked_mul(d).ok_or_else(|| too_large("d x d"))?;
    let mut r = Reader {
        bytes: &bytes[HEADER_LEN..payload],
    };
    let stats = match kind {
        PassKind::First => {
            let counts = r.u64s(k, "class counts")?;
            let moments = Moments {
                counts,
                means: r.f64s(kd, "class means")?,
                class_m2: r.f64s(k, "per-class squared deviations")?,
                global_mean: r.f64s(d, "global mean")?,
                total_m2: r.f64s(1, "total squared deviation")?[0],
            };
            if moments.counts.iter().sum::<u64>() > MAX_COUNT {
                return Err(corrupt("the class counts add up to more than 2^53".into()));
            }
            let scatter = if scatter == 1 {
                Some(r.f64s(dd, "d x d scatter")?)
            } else {
                None
            };
            Statistics::First(ClassStats {
                classes: k,
                dim: d,
                moments,
                scatter,
            })
        }
        PassKind::SecondTrain | PassKind::SecondTest => {
            let means = r.f64s(kd, "class means")?;
            let centred_gram = r.f64s(kk, "Gram matrix of the centred means")?;
            let centred_means = r.f64s(kd, "centred class means")?;
            let projected = r.f64s(kk, "projected within-class scatter")?;
            let class_samples = r.u64s(k, "per-class sample counts")?;
            if class_samples.iter().sum::<u64>() > MAX_COUNT {
                return Err(corrupt("the sample counts add up to more than 2^53".into()));
            }
            let ncc = match r.byte("head flag")? {
                0 => None,
                1 => {
                    let weights = r.f64s(kd, "classifier weights")?;
                    let bias = r.f64s(k, "classifier bias")?;
                    let mismatches = r.u64s(k, "per-class mismatch counts")?;
                    if mismatches.iter().zip(&class_samples).any(|(m, n)| m > n) {
                        return Err(corrupt("a class has more mismatches than samples".into()));
                    }
                    Some(NccCounter {
                        weights,
                        bias,
                        mismatches,
                    })
                }
                other => return Err(corrupt(format!("invalid head flag {other}"))),
            };
            let pass = MeanPass {
                classes: k,
                dim: d,
                means,
                centred_gram,
                centred_means,
                projected,
                class_samples,
                ncc,
            };
            if pass_means_hash(&pass) != hash {
                return Err(corrupt(
                    "the means hash in the header does not match the class means in the body"
                        .into(),
                ));
            }
            if kind == PassKind::SecondTrain {
                Statistics::SecondTrain(pass)
            } else {
                Statistics::SecondTest(pass)
            }
        }
    };
    if !r.bytes.is_empty() {
        return Err(corrupt(format!(
            "{} bytes left over after the body",
            r.bytes.len()
        )));
    }
    Ok(StatsFile { dtype, stats })
}
