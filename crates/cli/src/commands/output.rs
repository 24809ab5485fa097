//! Printing results: JSON for programs (`--json`), aligned `key: value` lines for people.

use serde_json::Value;

/// Prints `value` (a JSON object) as JSON or as `key: value` lines; nested objects are
/// printed as `outer.inner: value`.
pub fn emit(json: bool, value: &Value) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("JSON values serialise")
        );
        return;
    }
    let mut lines = Vec::new();
    flatten("", value, &mut lines);
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in lines {
        println!("{k:<width$}  {v}");
    }
}

fn flatten(prefix: &str, value: &Value, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                let key = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}.{k}")
                };
                flatten(&key, v, out);
            }
        }
        Value::Null => out.push((prefix.to_string(), "n/a".into())),
        Value::String(s) => out.push((prefix.to_string(), s.clone())),
        Value::Number(n) => out.push((prefix.to_string(), format_number(n))),
        other => out.push((prefix.to_string(), other.to_string())),
    }
}

fn format_number(n: &serde_json::Number) -> String {
    match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => u.to_string(),
        (_, Some(i), _) => i.to_string(),
        (_, _, Some(f)) => format!("{f:.12e}"),
        _ => n.to_string(),
    }
}
