//! Signed documents that travel as files — list bundles and row proofs — are written in
//! canonical JSON and read back only in that form, and every hash, key and signature in
//! them is lowercase hex. So a changed byte is never a harmless one: it breaks the JSON,
//! the canonical form, the hex, or a hash or signature that covers it.

use crate::canonical_json;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// The file form of a document: its canonical JSON and a final newline.
pub fn to_file<T: Serialize>(doc: &T) -> Result<Vec<u8>, String> {
    let value = serde_json::to_value(doc).map_err(|e| e.to_string())?;
    let mut text = canonical_json(&value).map_err(|e| e.to_string())?;
    text.push('\n');
    Ok(text.into_bytes())
}

/// Reads a document written by [`to_file`]; anything else — other JSON spelling the same
/// values included — is refused, with what it is not.
pub fn from_file<T: DeserializeOwned>(bytes: &[u8], what: &str) -> Result<T, String> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| format!("not a {what}: {e}"))?;
    let canonical = canonical_json(&value).map_err(|e| format!("not a {what}: {e}"))?;
    let body = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    if body != canonical.as_bytes() {
        return Err(format!(
            "the {what} is not in the canonical form homeward writes: it was changed after it was written"
        ));
    }
    serde_json::from_value(value).map_err(|e| format!("not a {what}: {e}"))
}

/// Refuses `value` unless it is lowercase hex, of `bytes` bytes when given.
pub fn lower_hex(field: &str, value: &str, bytes: Option<usize>) -> Result<(), String> {
    let ok = !value.is_empty()
        && value.len().is_multiple_of(2)
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        && bytes.is_none_or(|n| value.len() == 2 * n);
    if ok {
        Ok(())
    } else {
        Err(format!(
            "the {field} is not lowercase hex{}",
            bytes.map_or(String::new(), |n| format!(" of {n} bytes"))
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_canonical_form_is_read() {
        let doc = serde_json::json!({"b": 1, "a": ["x"]});
        let file = to_file(&doc).unwrap();
        assert_eq!(file, b"{\"a\":[\"x\"],\"b\":1}\n");
        assert_eq!(from_file::<serde_json::Value>(&file, "doc"), Ok(doc));
        assert!(
            from_file::<serde_json::Value>(b"{\"b\":1, \"a\":[\"x\"]}", "doc")
                .unwrap_err()
                .contains("canonical")
        );
        assert!(lower_hex("root", "ab01", Some(2)).is_ok());
        assert!(lower_hex("root", "AB01", Some(2)).is_err());
        assert!(lower_hex("root", "ab0", None).is_err());
    }
}
