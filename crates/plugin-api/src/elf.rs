//! A plugin file checked to be a complete ELF shared object before `dlopen` maps it: the
//! loader maps segments without comparing them with the file's size, so a truncated `.so`
//! faults (SIGBUS) inside `dlopen` instead of failing. Only the header and the two tables are
//! read; Linux only (elsewhere the loader's own checks stand).

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

/// `ET_DYN`: a shared object.
const ET_DYN: u16 = 3;
/// `PT_LOAD`: a segment the loader maps.
const PT_LOAD: u32 = 1;
/// The ELF64 header is 64 bytes.
const HEADER: usize = 64;
/// Program headers beyond this many are refused as damage (real libraries have ~10).
const MAX_PROGRAM_HEADERS: u64 = 4096;

/// Why a file is not a complete shared object; the caller adds the path.
pub(crate) fn check(path: &Path) -> Result<(), String> {
    let mut file = std::fs::File::open(path).map_err(|e| format!("cannot open it: {e}"))?;
    let len = file
        .metadata()
        .map_err(|e| format!("cannot stat it: {e}"))?
        .len();
    let mut h = [0u8; HEADER];
    let got = read_up_to(&mut file, &mut h).map_err(|e| format!("cannot read it: {e}"))?;
    if got < 4 || &h[..4] != b"\x7fELF" {
        return Err(
            "not an ELF file (no \\x7fELF magic): pass a shared library built as a cdylib".into(),
        );
    }
    if got < HEADER {
        return Err(format!(
            "truncated: {len} bytes, shorter than the 64-byte ELF header"
        ));
    }
    if h[4] != 2 || h[5] != 1 {
        return Err("not a 64-bit little-endian ELF file: built for another platform".into());
    }
    let u16_at = |at: usize| u16::from_le_bytes([h[at], h[at + 1]]);
    let u64_at = |at: usize| u64::from_le_bytes(h[at..at + 8].try_into().expect("8 bytes"));
    if u16_at(16) != ET_DYN {
        return Err(format!(
            "ELF type {} is not a shared object (ET_DYN = 3): build the plugin as a cdylib",
            u16_at(16)
        ));
    }
    let (phoff, phentsize, phnum) = (u64_at(32), u64::from(u16_at(54)), u64::from(u16_at(56)));
    let (shoff, shentsize, shnum) = (u64_at(40), u64::from(u16_at(58)), u64::from(u16_at(60)));
    let table_end =
        |off: u64, size: u64, n: u64| size.checked_mul(n).and_then(|b| b.checked_add(off));
    let truncated = |what: &str, end: Option<u64>| {
        format!(
            "truncated or damaged: its {what} ends at byte {} but the file has {len} bytes; rebuild or copy it again",
            end.map_or_else(|| "beyond 2^64".to_string(), |e| e.to_string())
        )
    };
    let ph_end = table_end(phoff, phentsize, phnum);
    if phnum > MAX_PROGRAM_HEADERS || phentsize < 56 || ph_end.is_none_or(|e| e > len) {
        return Err(truncated("program header table", ph_end));
    }
    let sh_end = table_end(shoff, shentsize, shnum);
    if shnum > 0 && sh_end.is_none_or(|e| e > len) {
        return Err(truncated("section header table", sh_end));
    }
    file.seek(SeekFrom::Start(phoff))
        .map_err(|e| format!("cannot read it: {e}"))?;
    let mut table = vec![0u8; (phentsize * phnum) as usize];
    file.read_exact(&mut table)
        .map_err(|e| format!("cannot read its program headers: {e}"))?;
    for entry in table.chunks_exact(phentsize as usize) {
        let kind = u32::from_le_bytes(entry[0..4].try_into().expect("4 bytes"));
        let offset = u64::from_le_bytes(entry[8..16].try_into().expect("8 bytes"));
        let filesz = u64::from_le_bytes(entry[32..40].try_into().expect("8 bytes"));
        let end = offset.checked_add(filesz);
        if kind == PT_LOAD && end.is_none_or(|e| e > len) {
            return Err(truncated("loadable segment", end));
        }
    }
    Ok(())
}

fn read_up_to(file: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match file.read(&mut buf[got..])? {
            0 => break,
            n => got += n,
        }
    }
    Ok(got)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// This test executable is a position-independent ELF (ET_DYN), like a shared object.
    fn this_executable() -> Vec<u8> {
        std::fs::read(std::env::current_exe().unwrap()).unwrap()
    }

    #[test]
    fn complete_truncated_and_foreign_files_are_told_apart() {
        let dir = std::env::temp_dir().join(format!("collapse-elf-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bytes = this_executable();
        let whole = dir.join("whole");
        std::fs::write(&whole, &bytes).unwrap();
        if u16::from_le_bytes([bytes[16], bytes[17]]) == ET_DYN {
            assert_eq!(check(&whole), Ok(()));
        }
        let cut = dir.join("cut");
        std::fs::write(&cut, &bytes[..bytes.len() / 3]).unwrap();
        assert!(check(&cut).unwrap_err().contains("truncated"));
        let head = dir.join("head");
        std::fs::write(&head, &bytes[..40]).unwrap();
        assert!(check(&head).unwrap_err().contains("64-byte ELF header"));
        let text = dir.join("text");
        std::fs::write(&text, b"hello").unwrap();
        assert!(check(&text).unwrap_err().contains("not an ELF file"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
