//! The invariants of ARCHITECTURE.md that a test can check, read from the workspace's own
//! files: the crate-dependency table against the Cargo.toml files, the access decision only
//! in the use-case crate (and core, which defines it), no HTTP or argument parsing beneath
//! the faces, and faces small enough to hold in one's head.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The workspace's crates: folder name → package name.
fn crates() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(root().join("crates")).unwrap() {
        let dir = entry.unwrap().path();
        let Ok(manifest) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
            continue;
        };
        let name = manifest
            .lines()
            .find_map(|l| l.strip_prefix("name = "))
            .map(|n| n.trim_matches('"').to_owned())
            .unwrap();
        out.insert(
            dir.file_name().unwrap().to_string_lossy().into_owned(),
            name,
        );
    }
    out
}

/// The workspace crates a crate depends on (normal dependencies, not dev or build).
fn internal_dependencies(dir: &str, packages: &BTreeMap<String, String>) -> BTreeSet<String> {
    let manifest =
        std::fs::read_to_string(root().join("crates").join(dir).join("Cargo.toml")).unwrap();
    let mut section = String::new();
    let mut deps = BTreeSet::new();
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            section = line.to_owned();
            continue;
        }
        if section != "[dependencies]" {
            continue;
        }
        let name = line.split(['=', '.', ' ']).next().unwrap_or_default();
        if let Some((folder, _)) = packages.iter().find(|(_, p)| p.as_str() == name) {
            deps.insert(folder.clone());
        }
    }
    deps
}

/// The code map of ARCHITECTURE.md: folder → the workspace crates its row says it may
/// depend on.
fn code_map(packages: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let text = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let mut map = BTreeMap::new();
    for line in text.lines().filter(|l| l.starts_with("| `crates/")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let folder = cells[1]
            .trim_start_matches("`crates/")
            .split('`')
            .next()
            .unwrap()
            .to_owned();
        let may: BTreeSet<String> = cells[3]
            .split([',', ' '])
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric() && c != '-'))
            .filter(|w| packages.contains_key(*w))
            .map(str::to_owned)
            .collect();
        map.insert(folder, may);
    }
    map
}

#[test]
fn the_code_map_names_every_crate_and_what_it_depends_on() {
    let packages = crates();
    let map = code_map(&packages);
    for folder in packages.keys() {
        let documented = map
            .get(folder)
            .unwrap_or_else(|| panic!("ARCHITECTURE.md's code map has no row for crates/{folder}"));
        let actual = internal_dependencies(folder, &packages);
        assert_eq!(
            &actual, documented,
            "crates/{folder}: Cargo.toml depends on {actual:?}, ARCHITECTURE.md says {documented:?}"
        );
    }
}

/// Every Rust source file under `dir`, tests and benches included.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "target") {
                continue;
            }
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn access_is_decided_only_in_the_use_case_crate() {
    let mut offenders = Vec::new();
    for folder in crates().keys() {
        if folder == "app" || folder == "core" {
            continue;
        }
        let src = root().join("crates").join(folder).join("src");
        for file in sources(&src) {
            let text = std::fs::read_to_string(&file).unwrap();
            if text.contains(&["authorize", "::<"].concat()) {
                offenders.push(file.display().to_string());
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "access decided outside crates/app: {offenders:?}"
    );
}

#[test]
fn only_the_use_case_crate_acts_as_the_tool_itself() {
    // `Grant::system` is the grant of whoever holds the store, unchecked by any role: the
    // local administrative acts (`Acting::Local`) make it, and nothing else outside core.
    // The demo's seeding still writes its synthetic store as the tool itself (each grant
    // named for the party it seeds); every other crate acts through the App.
    let mut offenders = Vec::new();
    for folder in crates().keys() {
        if ["app", "core", "demo"].contains(&folder.as_str()) {
            continue;
        }
        for file in sources(&root().join("crates").join(folder).join("src")) {
            let text = std::fs::read_to_string(&file).unwrap();
            if text.contains(&["::", "system("].concat()) {
                offenders.push(file.display().to_string());
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "the tool's own grant made outside crates/app: {offenders:?}"
    );
}

#[test]
fn every_api_route_is_documented_by_the_route_itself() {
    // Routes of the API are added only with utoipa-axum's `routes!`, which documents each
    // from its `#[utoipa::path]`; a plain `.route(` would be routed and undocumented. The
    // one exception is the document itself.
    let api = root().join("crates/server/src/api");
    let mut plain = Vec::new();
    for file in sources(&api) {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text
            .lines()
            .filter(|l| l.contains(&[".route", "("].concat()))
        {
            if !line.contains("/api/v1/openapi.json") {
                plain.push(format!("{}: {}", file.display(), line.trim()));
            }
        }
    }
    assert!(plain.is_empty(), "API routes not documented: {plain:?}");
}

/// The packages `package` depends on, directly or not, as Cargo.lock records them.
fn locked_closure(package: &str) -> BTreeSet<String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).unwrap();
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for block in lock.split("[[package]]").skip(1) {
        let name = block
            .lines()
            .find_map(|l| l.strip_prefix("name = "))
            .map(|n| n.trim_matches('"').to_owned())
            .unwrap();
        let list: Vec<String> = block
            .split("dependencies = [")
            .nth(1)
            .map(|rest| {
                rest.split(']')
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|d| d.trim().trim_matches('"').split(' ').next())
                    .filter(|d| !d.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        deps.entry(name).or_default().extend(list);
    }
    let mut seen = BTreeSet::new();
    let mut todo = vec![package.to_owned()];
    while let Some(p) = todo.pop() {
        for d in deps.get(&p).into_iter().flatten() {
            if seen.insert(d.clone()) {
                todo.push(d.clone());
            }
        }
    }
    seen
}

#[test]
fn the_use_case_crate_knows_neither_http_nor_the_command_line() {
    let closure = locked_closure("homeward-app");
    for face in ["axum", "clap", "hyper", "homeward-server", "homeward"] {
        assert!(
            !closure.contains(face),
            "homeward-app depends on {face}, directly or not"
        );
    }
}

#[test]
fn no_face_file_is_too_long_to_hold_in_ones_head() {
    for folder in ["server", "cli"] {
        for file in sources(&root().join("crates").join(folder).join("src")) {
            let lines = std::fs::read_to_string(&file).unwrap().lines().count();
            assert!(
                lines <= 800,
                "{} has {lines} lines; split it by capability",
                file.display()
            );
        }
    }
}
