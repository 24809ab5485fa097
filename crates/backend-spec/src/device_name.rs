//! The device a session asks for (`cpu`, `cuda`, `cuda:N`), parsed once for every backend;
//! whether that device exists is the backend's question.

use crate::error::{Result, SpecError};

/// A parsed device name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceName {
    /// The CPU.
    Cpu,
    /// CUDA device N (`cuda` is 0).
    Cuda(usize),
}

impl DeviceName {
    /// Parses `cpu`, `cuda` or `cuda:INDEX`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "cpu" => Ok(DeviceName::Cpu),
            "cuda" => Ok(DeviceName::Cuda(0)),
            d => match d.strip_prefix("cuda:").map(str::parse::<usize>) {
                Some(Ok(i)) => Ok(DeviceName::Cuda(i)),
                Some(Err(_)) => Err(SpecError::BadInput(format!(
                    "device {d:?}: use cuda or cuda:INDEX"
                ))),
                None => Err(SpecError::BadInput(format!(
                    "device {d:?}: use cpu, cuda or cuda:INDEX"
                ))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_bad_ones_say_what_to_use() {
        assert_eq!(DeviceName::parse("cpu").unwrap(), DeviceName::Cpu);
        assert_eq!(DeviceName::parse("cuda").unwrap(), DeviceName::Cuda(0));
        assert_eq!(DeviceName::parse("cuda:3").unwrap(), DeviceName::Cuda(3));
        let e = DeviceName::parse("cuda:x").unwrap_err().to_string();
        assert!(e.contains("use cuda or cuda:INDEX"), "{e}");
        let e = DeviceName::parse("tpu").unwrap_err().to_string();
        assert!(e.contains("use cpu, cuda or cuda:INDEX"), "{e}");
    }
}
