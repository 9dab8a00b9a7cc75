//! Every public function of the names crate on arbitrary text: none may panic, and a key
//! is only ever given to something with letters.
#![no_main]

use homeward_names::{Language, Standard, key, name_key, parse, romanise, to_cyrillic};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(k) = key(text) {
        assert!(!k.is_empty());
        assert!(text.chars().any(char::is_alphabetic));
    }
    let _ = parse(text);
    let _ = name_key(text);
    let _ = to_cyrillic(text, 5);
    for standard in Standard::ALL {
        for language in [Language::Ukrainian, Language::Russian] {
            let _ = romanise(text, standard, language);
        }
    }
});
