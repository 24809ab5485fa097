//! Renders sections into `report.md`, with a scoreboard of every check first.

use crate::{write_atomic, Check, Options};
use anyhow::Result;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// One part of the report: prose and tables in Markdown, and its checks.
#[derive(Debug, Clone)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Markdown body (tables, figure links).
    pub body: String,
    /// Its pass/fail checks.
    pub checks: Vec<Check>,
}

/// Writes report.md and results.json into `out`; returns the report's path.
pub fn write(out: &Path, options: &Options, sections: &[Section]) -> Result<PathBuf> {
    let checks: Vec<&Check> = sections.iter().flat_map(|s| &s.checks).collect();
    let passed = checks.iter().filter(|c| c.pass).count();
    let mut md = String::new();
    writeln!(md, "# Reproduction report: A Geometric Analysis of Neural Collapse with Unconstrained Features")?;
    writeln!(md)?;
    writeln!(
        md,
        "Zhu et al., NeurIPS 2021. Profile `{:?}`, seed {}, collapse {}. **{passed} of {} checks pass.**",
        options.profile,
        options.seed,
        env!("CARGO_PKG_VERSION"),
        checks.len()
    )?;
    writeln!(md)?;
    writeln!(md, "## Scoreboard")?;
    writeln!(md)?;
    writeln!(md, "| check | expected | measured | result |")?;
    writeln!(md, "|---|---|---|---|")?;
    for c in &checks {
        let verdict = if c.pass { "pass" } else { "**FAIL**" };
        writeln!(
            md,
            "| {} | {} | {} | {verdict} |",
            c.name, c.expected, c.measured
        )?;
    }
    for s in sections {
        writeln!(md)?;
        writeln!(md, "## {}", s.title)?;
        writeln!(md)?;
        md.push_str(&s.body);
    }
    let path = out.join("report.md");
    write_atomic(&path, md.as_bytes())?;
    let json = serde_json::json!({
        "profile": options.profile,
        "seed": options.seed,
        "passed": passed,
        "failed": checks.len() - passed,
        "checks": checks,
    });
    write_atomic(
        &out.join("results.json"),
        serde_json::to_string_pretty(&json)?.as_bytes(),
    )?;
    Ok(path)
}
