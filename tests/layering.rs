//! The crate's layers, checked from its source: each top-level module imports only the modules below
//! it, `web/` is imported by `app.rs` alone, sqlx is named only in `db/` and Rocket only in `web/` and
//! `app.rs`. A change that reaches upwards fails here with the file and the line.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Bottom to top. A module may import those before it, never one after it.
const LAYERS: &[&str] = &[
    "error",
    "domain",
    "checklist",
    "rating",
    "auth",
    "db",
    "config",
    "judging",
    "excel",
    "sandbox",
    "mail",
    "services",
    "web",
    "app",
    "cli",
];

/// Items of `lib.rs` itself, which every layer may use.
const ROOT_ITEMS: &[&str] = &["random_token", "for_each_record_id"];

fn rank(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| *layer == module)
}

fn sources(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// The top-level module a source file belongs to (`src/services/ledger/read.rs` → `services`).
fn module_of(relative: &Path) -> String {
    let first = relative.components().next().unwrap().as_os_str();
    first.to_string_lossy().trim_end_matches(".rs").to_string()
}

/// The code of a line without its comment, or nothing for a comment line.
fn code(line: &str) -> &str {
    let trimmed = line.trim_start();
    if trimmed.starts_with("//") {
        return "";
    }
    match line.find(" //") {
        Some(at) if !line[..at].contains('"') => &line[..at],
        _ => line,
    }
}

/// The top-level modules a line names through `crate::`, including `use crate::{a::x, b::y}`.
fn named_modules(line: &str) -> BTreeSet<String> {
    let mut named = BTreeSet::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            for part in group.split(['}', ',']) {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    named.insert(name);
                }
            }
        } else {
            let name: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            named.insert(name);
        }
    }
    named
}

fn mentions(line: &str, krate: &str) -> bool {
    line.match_indices(krate).any(|(at, _)| {
        let before = line[..at].chars().next_back();
        let after = &line[at + krate.len()..];
        !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '"')
            && (after.starts_with("::") || after.starts_with(';') || after.starts_with(" as"))
    })
}

#[test]
fn every_module_imports_only_the_layers_below_it() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    files.sort();
    let mut breaches = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap();
        let module = module_of(relative);
        if module == "lib" || module == "main" {
            continue;
        }
        let Some(own) = rank(&module) else {
            breaches.push(format!(
                "{}: module `{module}` has no layer",
                relative.display()
            ));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let line = code(line);
            let at = format!("{}:{}", relative.display(), number + 1);
            for named in named_modules(line) {
                if named == module || ROOT_ITEMS.contains(&named.as_str()) {
                    continue;
                }
                match rank(&named) {
                    None => breaches.push(format!("{at}: names unknown module `{named}`")),
                    Some(theirs) if theirs > own => breaches.push(format!(
                        "{at}: `{module}` imports `{named}`, a layer above it"
                    )),
                    Some(_) if named == "web" && module != "app" => {
                        breaches.push(format!("{at}: only app.rs may import `web`"))
                    }
                    Some(_) => {}
                }
            }
            if mentions(line, "sqlx") && module != "db" {
                breaches.push(format!("{at}: sqlx outside db/"));
            }
            if mentions(line, "rocket") && module != "web" && module != "app" {
                breaches.push(format!("{at}: Rocket outside web/ and app.rs"));
            }
        }
    }
    assert!(
        breaches.is_empty(),
        "layering broken:\n{}",
        breaches.join("\n")
    );
}

#[test]
fn the_checker_sees_a_breach() {
    assert_eq!(
        named_modules("use crate::{services::reports, db::Conn};"),
        ["db", "services"].into_iter().map(String::from).collect()
    );
    assert!(mentions("    sqlx::query(\"x\")", "sqlx"));
    assert!(mentions("use rocket::State;", "rocket"));
    assert!(!mentions("let rocket_like = 1; // rocket::x", "rocket_"));
    assert_eq!(code("// crate::web::x"), "");
}

/// Each `fn` in `text` with its first line number and its length in lines (signature to closing brace,
/// found by the brace at the signature's indentation, as rustfmt lays code out).
fn function_lengths(text: &str) -> Vec<(String, usize, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut found = Vec::new();
    for (start, line) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let after_qualifiers = trimmed
            .trim_start_matches("pub(crate) ")
            .trim_start_matches("pub(super) ")
            .trim_start_matches("pub ")
            .trim_start_matches("async ")
            .trim_start_matches("const ");
        let Some(rest) = after_qualifiers.strip_prefix("fn ") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let Some(open) = (start..lines.len()).find(|&i| {
            let l = lines[i].trim_end();
            l.ends_with('{') || l.ends_with(';')
        }) else {
            continue;
        };
        if lines[open].trim_end().ends_with(';') {
            continue;
        }
        let closing = " ".repeat(indent) + "}";
        if let Some(end) = (open + 1..lines.len()).find(|&i| lines[i].starts_with(&closing)) {
            found.push((name, start + 1, end - start + 1));
        }
    }
    found
}

#[test]
fn no_function_runs_over_100_lines() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut long = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        for (name, line, length) in function_lengths(&text) {
            if length > 100 {
                let relative = file.strip_prefix(&root).unwrap().display().to_string();
                long.push(format!("{relative}:{line} {name}: {length} lines"));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over 100 lines:\n{}",
        long.join("\n")
    );
}

#[test]
fn the_length_check_measures_a_function() {
    let text = "fn short() {\n    let x = 1;\n}\n\n    pub async fn nested(\n        a: u8,\n    ) -> u8 {\n        a\n    }\n";
    assert_eq!(
        function_lengths(text),
        vec![("short".to_string(), 1, 3), ("nested".to_string(), 5, 5)]
    );
}

/// `name: i64` (or `Option<i64>`, `Vec<i64>`, `&[i64]`) for a name that is an id: `id`, `…_id`, `…_ids`.
fn bare_id(line: &str) -> bool {
    let mut rest = line;
    while let Some(at) = rest.find(": ") {
        let name: String = rest[..at]
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let ty = &rest[at + 2..];
        let is_id = name == "id" || name.ends_with("_id") || name.ends_with("_ids");
        let bare = ["i64", "Option<i64>", "Vec<i64>", "&[i64]"]
            .iter()
            .any(|t| {
                ty.starts_with(t) && !ty[t.len()..].starts_with(|c: char| c.is_alphanumeric())
            });
        if is_id && bare {
            return true;
        }
        rest = &rest[at + 2..];
    }
    false
}

#[test]
fn ids_above_db_are_typed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut bare = Vec::new();
    for layer in ["domain", "services", "web", "cli"] {
        let mut files = Vec::new();
        sources(&root.join(layer), &mut files);
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for (number, line) in text.lines().enumerate() {
                if bare_id(code(line)) {
                    let relative = file.strip_prefix(&root).unwrap().display().to_string();
                    bare.push(format!("{relative}:{}: {}", number + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        bare.is_empty(),
        "bare i64 ids above db/:\n{}",
        bare.join("\n")
    );
}

#[test]
fn the_id_check_tells_an_id_from_a_count() {
    assert!(bare_id("    vendor_id: i64,"));
    assert!(bare_id("fn f(id: Option<i64>) {"));
    assert!(!bare_id("    vendor_id: VendorId,"));
    assert!(!bare_id("    days: i64,"));
    assert!(!bare_id("    paid: i64,"));
}

#[test]
fn timestamps_are_written_in_one_place() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let elsewhere: Vec<String> = files
        .iter()
        .filter(|file| !file.ends_with("domain/time.rs"))
        .filter(|file| {
            let text = std::fs::read_to_string(file).unwrap();
            text.contains("%H:%M:%SZ") || text.contains("fn timestamp(")
        })
        .map(|file| file.strip_prefix(&root).unwrap().display().to_string())
        .collect();
    assert!(
        elsewhere.is_empty(),
        "timestamps formatted outside domain::time::Timestamp: {elsewhere:?}"
    );
}
