//! `homeward translit` and `homeward names`: the names crate on the command line.

use clap::{Args, Subcommand};
use homeward_names::{
    Language, Standard, guess_language, key, name_key, parse, romanise, romanise_as_written_in,
    to_cyrillic_in,
};
use serde_json::json;

/// Romanise Ukrainian or Russian text, or read Latin text back into Cyrillic.
#[derive(Debug, Args)]
pub struct Translit {
    /// uk-2010, icao, bgn or gost (default: uk-2010 for Ukrainian text, icao for Russian).
    #[arg(long)]
    standard: Option<String>,
    /// The language of the texts, uk or ru (default: guessed from each text's spelling);
    /// with --to-cyrillic, only readings in that language.
    #[arg(long, value_parser = parse_language)]
    lang: Option<Language>,
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
        /// The language of the names, uk or ru (default: guessed from each name), for the
        /// romanised form shown beside each reading.
        #[arg(long, value_parser = parse_language)]
        lang: Option<Language>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// The names.
        #[arg(required = true)]
        text: Vec<String>,
    },
    /// The canonical keys of names: surname, given-name class, patronymic class.
    Key {
        /// The language of the names, uk or ru (default: guessed from each name), for the
        /// romanised form shown beside each key (the keys are the same in both).
        #[arg(long, value_parser = parse_language)]
        lang: Option<Language>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// The names.
        #[arg(required = true)]
        text: Vec<String>,
    },
}

fn parse_language(s: &str) -> Result<Language, String> {
    Language::parse(s).ok_or_else(|| format!("unknown language {s:?}; use uk or ru"))
}

/// The language `text` is read in: the one the caller said, else the guess.
fn language_for(said: Option<Language>, text: &str) -> Language {
    said.unwrap_or_else(|| guess_language(text))
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
            let readings =
                to_cyrillic_in(text, args.readings, args.lang.unwrap_or(Language::Unknown));
            if args.json {
                out.push(json!({
                    "input": text,
                    "readings": readings.iter().map(|r| json!({"text": r.text, "language": r.language.as_str(), "score": r.score})).collect::<Vec<_>>(),
                }));
            } else {
                for r in &readings {
                    out!(
                        "{text}\t{}\t{}\t{:.3}",
                        r.text,
                        r.language.as_str(),
                        r.score
                    );
                }
            }
        } else {
            let language = language_for(args.lang, text);
            let standard = standard.unwrap_or(Standard::default_for(language));
            let latin = romanise(text, standard, language);
            if args.json {
                out.push(json!({"input": text, "language": language.as_str(), "standard": standard.as_str(), "output": latin}));
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
        NamesCommand::Parse { lang, json, text } => {
            for t in &text {
                let language = language_for(lang, t);
                let latin = romanise_as_written_in(t, language);
                match parse(t) {
                    Ok(readings) if json => out.push(json!({
                        "input": t,
                        "language": language.as_str(),
                        "latin": latin,
                        "readings": readings.iter().map(|r| json!({
                            "surname": r.surname, "given": r.given, "patronymic": r.patronymic,
                            "order": r.order, "confidence": r.confidence,
                        })).collect::<Vec<_>>(),
                    })),
                    Ok(readings) => {
                        for r in readings {
                            let part = |p: &Option<String>| p.clone().unwrap_or_else(|| "-".into());
                            out!(
                                "{t}\tsurname={}\tgiven={}\tpatronymic={}\t{}\t{:.3}\t{}={latin}",
                                part(&r.surname),
                                part(&r.given),
                                part(&r.patronymic),
                                r.order,
                                r.confidence,
                                language.as_str()
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
        NamesCommand::Key { lang, json, text } => {
            for t in &text {
                let language = language_for(lang, t);
                let latin = romanise_as_written_in(t, language);
                match name_key(t) {
                    Ok(k) if json => out.push(json!({
                        "input": t,
                        "language": language.as_str(),
                        "latin": latin,
                        "key": k.to_string(),
                        "surname": k.surname, "given": k.given, "patronymic": k.patronymic,
                        "tokens": t.split_whitespace().map(|w| json!({"token": w, "key": key(w).ok()})).collect::<Vec<_>>(),
                    })),
                    Ok(k) => out!("{t}\t{k}\t{}={latin}", language.as_str()),
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
