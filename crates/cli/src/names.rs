//! `homeward translit` and `homeward names`: the names crate on the command line.

use clap::{Args, Subcommand};
use homeward_names::{
    Language, Standard, guess_language, key, name_key, parse, romanise, to_cyrillic,
};
use serde_json::json;

/// Romanise Ukrainian or Russian text, or read Latin text back into Cyrillic.
#[derive(Debug, Args)]
pub struct Translit {
    /// uk-2010, icao, bgn or gost (default: uk-2010 for Ukrainian text, icao for Russian).
    #[arg(long)]
    standard: Option<String>,
    /// Read Latin text into ranked Cyrillic readings instead.
    #[arg(long)]
    to_cyrillic: bool,
    /// How many Cyrillic readings to give.
    #[arg(long, default_value_t = 5)]
    readings: usize,
    /// Print JSON.
    #[arg(long)]
    json: bool,
    /// The texts.
    #[arg(required = true)]
    text: Vec<String>,
}

/// Name parsing and keys.
#[derive(Debug, Subcommand)]
pub enum NamesCommand {
    /// Read full names into surname, given name and patronymic, with confidences.
    Parse {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// The names.
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// The canonical keys of names: surname, given-name class, patronymic class.
    Key {
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// The names.
        #[arg(required = true)]
        text: Vec<String>,
    },
}

fn language_name(l: Language) -> &'static str {
    match l {
        Language::Ukrainian => "uk",
        Language::Russian => "ru",
        Language::Unknown => "unknown",
    }
}

/// Runs `homeward translit`; false when an input could not be handled.
pub fn translit(args: Translit) -> anyhow::Result<bool> {
    let standard = match &args.standard {
        Some(s) => Some(Standard::parse(s).ok_or_else(|| {
            anyhow::anyhow!("unknown --standard {s:?}; use uk-2010, icao, bgn or gost")
        })?),
        None => None,
    };
    let mut out = Vec::new();
    for text in &args.text {
        if args.to_cyrillic {
            let readings = to_cyrillic(text, args.readings);
            if args.json {
                out.push(json!({
                    "input": text,
                    "readings": readings.iter().map(|r| json!({"text": r.text, "language": language_name(r.language), "score": r.score})).collect::<Vec<_>>(),
                }));
            } else {
                for r in &readings {
                    out!(
                        "{text}\t{}\t{}\t{:.3}",
                        r.text,
                        language_name(r.language),
                        r.score
                    );
                }
            }
        } else {
            let language = guess_language(text);
            let standard = standard.unwrap_or(Standard::default_for(language));
            let latin = romanise(text, standard, language);
            if args.json {
                out.push(json!({"input": text, "language": language_name(language), "standard": standard.as_str(), "output": latin}));
            } else {
                out!("{latin}");
            }
        }
    }
    if args.json {
        out!("{}", serde_json::to_string_pretty(&out)?);
    }
    Ok(true)
}

/// Runs `homeward names …`; false when an input was not a name.
pub fn names(command: NamesCommand) -> anyhow::Result<bool> {
    let mut ok = true;
    let mut out = Vec::new();
    match command {
        NamesCommand::Parse { json, text } => {
            for t in &text {
                match parse(t) {
                    Ok(readings) if json => out.push(json!({
                        "input": t,
                        "readings": readings.iter().map(|r| json!({
                            "surname": r.surname, "given": r.given, "patronymic": r.patronymic,
                            "order": r.order, "confidence": r.confidence,
                        })).collect::<Vec<_>>(),
                    })),
                    Ok(readings) => {
                        for r in readings {
                            let part = |p: &Option<String>| p.clone().unwrap_or_else(|| "-".into());
                            out!(
                                "{t}\tsurname={}\tgiven={}\tpatronymic={}\t{}\t{:.3}",
                                part(&r.surname),
                                part(&r.given),
                                part(&r.patronymic),
                                r.order,
                                r.confidence
                            );
                        }
                    }
                    Err(e) => {
                        ok = false;
                        eprintln!("error: not a name: {e}");
                    }
                }
            }
            if json {
                out!("{}", serde_json::to_string_pretty(&out)?);
            }
        }
        NamesCommand::Key { json, text } => {
            for t in &text {
                match name_key(t) {
                    Ok(k) if json => out.push(json!({
                        "input": t,
                        "key": k.to_string(),
                        "surname": k.surname, "given": k.given, "patronymic": k.patronymic,
                        "tokens": t.split_whitespace().map(|w| json!({"token": w, "key": key(w).ok()})).collect::<Vec<_>>(),
                    })),
                    Ok(k) => out!("{t}\t{k}"),
                    Err(e) => {
                        ok = false;
                        eprintln!("error: not a name: {e}");
                    }
                }
            }
            if json {
                out!("{}", serde_json::to_string_pretty(&out)?);
            }
        }
    }
    Ok(ok)
}
