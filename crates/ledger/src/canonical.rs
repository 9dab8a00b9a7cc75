//! Canonical JSON: the byte form that is hashed and, later, signed.
//!
//! It follows RFC 8785 (JSON Canonicalization Scheme) for the values the log uses: object
//! members sorted by the UTF-16 code units of their names, no insignificant whitespace, the
//! RFC's string escapes. Non-integer numbers are refused rather than canonicalised: amounts
//! in the log are counts, and refusing floats removes the one part of RFC 8785 where
//! implementations disagree in practice.

use serde_json::Value;
use std::fmt::Write as _;

/// A value that has no canonical encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CanonicalError {
    /// A number that is not an integer (the log only holds integers).
    #[error("number {0} is not an integer; the event log holds integers only")]
    NotAnInteger(String),
}

/// Encodes `value` canonically.
pub fn canonical_json(value: &Value) -> Result<String, CanonicalError> {
    let mut out = String::new();
    write_value(value, &mut out)?;
    Ok(out)
}

fn write_value(value: &Value, out: &mut String) -> Result<(), CanonicalError> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                let _ = write!(out, "{i}");
            } else if let Some(u) = n.as_u64() {
                let _ = write!(out, "{u}");
            } else {
                return Err(CanonicalError::NotAnInteger(n.to_string()));
            }
        }
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out)?;
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (name, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(name, out);
                out.push(':');
                write_value(item, out)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{08}' => out.push_str("\\b"),
            '\u{0C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn members_are_sorted_by_utf16_code_units() {
        // U+1F600 (surrogates D83D DE00) sorts before U+E000 in UTF-16 units, after it in UTF-8.
        let v = json!({"b": 1, "a": [true, null], "\u{1F600}": 2, "\u{E000}": 3});
        assert_eq!(
            canonical_json(&v).unwrap(),
            "{\"a\":[true,null],\"b\":1,\"\u{1F600}\":2,\"\u{E000}\":3}"
        );
    }

    #[test]
    fn strings_use_the_rfc_8785_escapes() {
        let v = json!("a\"b\\c\n\u{1}\u{7f}Олійник/");
        assert_eq!(
            canonical_json(&v).unwrap(),
            "\"a\\\"b\\\\c\\n\\u0001\u{7f}Олійник/\""
        );
    }

    #[test]
    fn floats_are_refused() {
        assert!(canonical_json(&json!({"p": 0.5})).is_err());
        assert_eq!(canonical_json(&json!(-12)).unwrap(), "-12");
    }
}
