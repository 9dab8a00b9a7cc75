//! Writes `homeward synth`'s lists (left.csv, right.csv, truth.csv) without the CLI, so that
//! bench/run can use both generators while the CLI is being rebuilt.
//!
//!   cargo run --release -p homeward-link --example write_synth -- LEFT RIGHT SEED DIR

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: write_synth LEFT_PERSONS RIGHT_PERSONS SEED DIR";
    let [l, r, seed, dir] = args.as_slice() else {
        return Err(usage.into());
    };
    let n = |s: &str| s.parse::<usize>().map_err(|_| usage.to_owned());
    let pair = homeward_demo::synth::generate(n(l)?, n(r)?, 0.7, n(seed)? as u64);
    let dir = std::path::Path::new(dir);
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let write = |name: &str, rows: &[Vec<String>]| -> Result<(), String> {
        let mut w = csv::Writer::from_path(dir.join(name)).map_err(|e| e.to_string())?;
        for row in rows {
            w.write_record(row).map_err(|e| e.to_string())?;
        }
        w.flush().map_err(|e| e.to_string())
    };
    write("left.csv", &pair.left)?;
    write("right.csv", &pair.right)?;
    let truth: Vec<Vec<String>> =
        std::iter::once(vec!["left_id".to_owned(), "right_id".to_owned()])
            .chain(pair.truth.iter().map(|(a, b)| vec![a.clone(), b.clone()]))
            .collect();
    write("truth.csv", &truth)?;
    eprintln!(
        "synthetic people only: {} × {} rows in {}",
        pair.left.len() - 1,
        pair.right.len() - 1,
        dir.display()
    );
    Ok(())
}
