//! `homeward-clerks --request N --holding M --seed S --out DIR`: writes request.csv,
//! holding.csv and truth.csv of synthetic people.

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str =
    "usage: homeward-clerks --request N --holding M [--seed S] [--overlap SHARE] --out DIR";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let (mut request, mut holding, mut seed, mut overlap, mut out) =
        (None, None, 1_u64, 0.6_f64, None::<PathBuf>);
    while let Some(flag) = args.next() {
        let value = args.next();
        let ok = match (flag.as_str(), value) {
            ("--request", Some(v)) => v.parse().map(|n| request = Some(n)).is_ok(),
            ("--holding", Some(v)) => v.parse().map(|n| holding = Some(n)).is_ok(),
            ("--seed", Some(v)) => v.parse().map(|n| seed = n).is_ok(),
            ("--overlap", Some(v)) => v
                .parse()
                .ok()
                .filter(|x: &f64| (0.0..=1.0).contains(x))
                .map(|x| overlap = x)
                .is_some(),
            ("--out", Some(v)) => {
                out = Some(PathBuf::from(v));
                true
            }
            _ => false,
        };
        if !ok {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    }
    let (Some(request), Some(holding), Some(out)) = (request, holding, out) else {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    };
    let config = homeward_clerks::Config {
        request,
        holding,
        overlap,
        seed,
    };
    let lists = homeward_clerks::generate(&config);
    if let Err(e) = homeward_clerks::write(&lists, &out) {
        eprintln!("cannot write {}: {e}", out.display());
        return ExitCode::FAILURE;
    }
    eprintln!(
        "synthetic people only: {} request rows, {} holding rows, {} true pairs in {}",
        lists.request.len() - 1,
        lists.holding.len() - 1,
        lists.truth.len(),
        out.display()
    );
    ExitCode::SUCCESS
}
