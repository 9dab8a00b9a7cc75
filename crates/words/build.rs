//! Lists `locales/*.ftl` so that adding a language is adding one file: each file becomes one
//! entry of `LOCALES` (its code and its text, embedded).

use std::fmt::Write as _;

fn main() {
    let dir = std::path::Path::new("locales");
    println!("cargo::rerun-if-changed=locales");
    let mut codes: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    name.strip_suffix(".ftl").map(str::to_owned)
                })
                .collect()
        })
        .unwrap_or_default();
    codes.sort();
    let mut out = String::from(
        "/// Every language's code and its Fluent file, as found in `locales/`.\npub static LOCALES: &[(&str, &str)] = &[\n",
    );
    for code in &codes {
        println!("cargo::rerun-if-changed=locales/{code}.ftl");
        let _ = writeln!(
            out,
            "    ({code:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/locales/{code}.ftl\"))),"
        );
    }
    out.push_str("];\n");
    let target =
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("locales.rs");
    if let Err(e) = std::fs::write(&target, out) {
        println!("cargo::error=writing {}: {e}", target.display());
    }
}
