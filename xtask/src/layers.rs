//! `cargo xtask layers`: the crate-graph invariants of ARCHITECTURE.md, checked on the real
//! dependency graph (`cargo metadata`), in the spirit of rust-analyzer's `cargo tree -i` lines.
//!
//! Only normal (non-dev, non-build) edges count: tests may link whatever they exercise. An
//! invariant names a crate and what it must never reach, directly or through others, so
//! adding one `Cargo.toml` line that breaks the layering fails CI with the path that does it.
//!
//! ARCHITECTURE.md lists every edge between workspace crates between two markers; the check
//! fails when that list and the real graph differ, so the map cannot drift from the territory.
//! `cargo xtask layers --write` rewrites the list.

use anyhow::{bail, Context, Result};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::process::Command;

/// One invariant: packages whose name matches `who` never reach any of `never`.
struct Rule {
    who: fn(&str) -> bool,
    never: &'static [&'static str],
    why: &'static str,
}

/// File-format, loader and terminal crates that pure mathematics has no use for (faer's own
/// optional npy reader and rand's libc are theirs, not core's, so they are not listed).
const IO_CRATES: &[&str] = &[
    "serde_json",
    "safetensors",
    "libloading",
    "flate2",
    "tempfile",
    "toml",
    "indicatif",
];

/// The host-side crates no plugin may link (plugins see only the ABI).
const HOST_CRATES: &[&str] = &["collapse-train", "collapse-cli", "collapse-reproduce"];

/// Every plugin library: the host must never link one (they are loaded at run time).
const PLUGINS: &[&str] = &[
    "collapse-plugin-ufm",
    "collapse-plugin-candle",
    "collapse-plugin-tch",
    "collapse-plugin-example",
    "collapse-plugin-test-bad-abi",
    "collapse-plugin-test-panic",
];

fn rules() -> Vec<Rule> {
    vec![
        Rule {
            who: |n| n == "collapse-core",
            never: IO_CRATES,
            why: "core is pure mathematics: no I/O, no threads of its own, no plugin knowledge",
        },
        Rule {
            who: |n| n == "collapse-core",
            never: &[
                "collapse-metrics",
                "collapse-arrays",
                "collapse-data",
                "collapse-plugin-api",
                "collapse-train",
            ],
            why: "core is the bottom layer",
        },
        Rule {
            who: |n| n.starts_with("collapse-plugin-") && n != "collapse-plugin-api",
            never: HOST_CRATES,
            why: "plugins never see the host (train, cli, reproduce)",
        },
        Rule {
            who: |n| {
                n.starts_with("collapse-") && !n.starts_with("collapse-plugin-") || n == "xtask"
            },
            never: PLUGINS,
            why: "the host never links a backend: plugins are cdylibs loaded through the C ABI",
        },
        Rule {
            who: |n| n == "collapse-metrics",
            never: &[
                "collapse-plugin-api",
                "collapse-train",
                "libloading",
                "collapse-data",
            ],
            why: "metrics are statistics of numbers, whoever produced them",
        },
        Rule {
            who: |n| n == "collapse-arrays" || n == "collapse-data",
            never: &["collapse-plugin-api", "collapse-train", "collapse-metrics"],
            why: "readers know file formats, not what the numbers are for",
        },
    ]
}

const BEGIN: &str = "<!-- edges:begin (cargo xtask layers --write) -->";
const END: &str = "<!-- edges:end -->";

/// Entry point of `cargo xtask layers [--write]`.
pub fn run(args: Vec<String>) -> Result<()> {
    let write = match args.as_slice() {
        [] => false,
        [w] if w == "--write" => true,
        _ => bail!("usage: cargo xtask layers [--write]"),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--locked"])
        .current_dir(crate::repo_root()?)
        .output()
        .context("running cargo metadata")?;
    if !out.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let meta: Value = serde_json::from_slice(&out.stdout).context("parsing cargo metadata")?;
    let graph = normal_graph(&meta)?;
    let members: BTreeSet<String> = meta["workspace_members"]
        .as_array()
        .context("workspace_members")?
        .iter()
        .filter_map(|id| graph.names.get(id.as_str()?).cloned())
        .collect();
    let violations = check(&graph, &members, &rules());
    if !violations.is_empty() {
        bail!(
            "{} layering invariant(s) broken (ARCHITECTURE.md, xtask/src/layers.rs):\n{}",
            violations.len(),
            violations.join("\n")
        );
    }
    let listed = edge_list(&graph, &members);
    let doc_path = crate::repo_root()?.join("ARCHITECTURE.md");
    let doc = std::fs::read_to_string(&doc_path).context("reading ARCHITECTURE.md")?;
    let (head, rest) = doc
        .split_once(BEGIN)
        .with_context(|| format!("ARCHITECTURE.md has no `{BEGIN}` marker"))?;
    let (old, tail) = rest
        .split_once(END)
        .with_context(|| format!("ARCHITECTURE.md has no `{END}` marker"))?;
    let fresh = format!("\n```text\n{listed}```\n");
    if write {
        std::fs::write(&doc_path, format!("{head}{BEGIN}{fresh}{END}{tail}"))
            .context("writing ARCHITECTURE.md")?;
    } else if old != fresh {
        bail!(
            "ARCHITECTURE.md's edge list differs from the crate graph; run `cargo xtask layers \
             --write` and review the diff. The graph has:\n{listed}"
        );
    }
    println!(
        "layers: {} workspace crates, {} invariants hold, ARCHITECTURE.md lists every edge",
        members.len(),
        rules().len()
    );
    Ok(())
}

/// Every normal edge between two workspace crates, one `a -> b` line each, sorted.
fn edge_list(graph: &Graph, members: &BTreeSet<String>) -> String {
    let mut out = String::new();
    for from in members {
        for to in graph.edges.get(from).into_iter().flatten() {
            if members.contains(to) {
                out.push_str(&format!("{from} -> {to}\n"));
            }
        }
    }
    out
}

/// Package names by id and normal-dependency edges by name.
struct Graph {
    names: BTreeMap<String, String>,
    edges: BTreeMap<String, BTreeSet<String>>,
}

fn normal_graph(meta: &Value) -> Result<Graph> {
    let mut names = BTreeMap::new();
    for p in meta["packages"].as_array().context("packages")? {
        let id = p["id"].as_str().context("package id")?;
        let name = p["name"].as_str().context("package name")?;
        names.insert(id.to_string(), name.to_string());
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for node in meta["resolve"]["nodes"]
        .as_array()
        .context("resolve.nodes")?
    {
        let from = &names[node["id"].as_str().context("node id")?];
        let set = edges.entry(from.clone()).or_default();
        for dep in node["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].is_null());
            if normal {
                if let Some(to) = dep["pkg"].as_str().and_then(|id| names.get(id)) {
                    set.insert(to.clone());
                }
            }
        }
    }
    Ok(Graph { names, edges })
}

/// Every rule applied to every member; each violation with the path that reaches it.
fn check(graph: &Graph, members: &BTreeSet<String>, rules: &[Rule]) -> Vec<String> {
    let mut out = Vec::new();
    for member in members {
        for rule in rules.iter().filter(|r| (r.who)(member)) {
            for (target, path) in reach(graph, member) {
                if rule.never.contains(&target.as_str()) {
                    out.push(format!("  {} ({})", path.join(" -> "), rule.why));
                }
            }
        }
    }
    out
}

/// Breadth-first: every crate `from` reaches, with one shortest path to it.
fn reach(graph: &Graph, from: &str) -> Vec<(String, Vec<String>)> {
    let mut seen = BTreeMap::from([(from.to_string(), vec![from.to_string()])]);
    let mut queue = VecDeque::from([from.to_string()]);
    while let Some(cur) = queue.pop_front() {
        let path = seen[&cur].clone();
        for next in graph.edges.get(&cur).into_iter().flatten() {
            if !seen.contains_key(next) {
                let mut p = path.clone();
                p.push(next.clone());
                seen.insert(next.clone(), p);
                queue.push_back(next.clone());
            }
        }
    }
    seen.remove(from);
    seen.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(edges: &[(&str, &str)]) -> Graph {
        let mut g = Graph {
            names: BTreeMap::new(),
            edges: BTreeMap::new(),
        };
        for (a, b) in edges {
            g.edges
                .entry(a.to_string())
                .or_default()
                .insert(b.to_string());
        }
        g
    }

    #[test]
    fn a_transitive_edge_into_a_forbidden_crate_is_reported_with_its_path() {
        let g = graph(&[
            ("collapse-core", "faer"),
            ("faer", "helper"),
            ("helper", "serde_json"),
        ]);
        let members = BTreeSet::from(["collapse-core".to_string()]);
        let v = check(&g, &members, &rules());
        assert_eq!(v.len(), 1, "{v:?}");
        assert!(v[0].contains("collapse-core -> faer -> helper -> serde_json"));
    }

    #[test]
    fn a_plugin_reaching_the_host_and_the_host_reaching_a_plugin_are_both_refused() {
        let g = graph(&[
            ("collapse-plugin-candle", "collapse-train"),
            ("collapse-cli", "collapse-plugin-ufm"),
        ]);
        let members = BTreeSet::from([
            "collapse-plugin-candle".to_string(),
            "collapse-cli".to_string(),
        ]);
        assert_eq!(check(&g, &members, &rules()).len(), 2);
    }

    #[test]
    fn the_allowed_direction_passes() {
        let g = graph(&[
            ("collapse-cli", "collapse-train"),
            ("collapse-train", "collapse-plugin-api"),
            ("collapse-plugin-candle", "collapse-plugin-api"),
            ("collapse-metrics", "collapse-core"),
        ]);
        let members: BTreeSet<String> = [
            "collapse-cli",
            "collapse-train",
            "collapse-plugin-candle",
            "collapse-metrics",
        ]
        .map(String::from)
        .into();
        assert!(check(&g, &members, &rules()).is_empty());
    }
}
