//! Text normalisation shared by every reader: NFC (Windows-1258 writes tone marks as separate
//! combining characters), trimming, and the case-folded key used to match headers, category
//! values and yes/no tokens. Nothing here knows about numbers or files.

use unicode_normalization::UnicodeNormalization;

/// NFC with surrounding white space (including non-breaking spaces) removed.
pub fn nfc(s: &str) -> String {
    let s = s.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    // Most text is already composed: the quick check says so without composing (a table look-up
    // per character instead of decomposing and recomposing each one; every key of every cell
    // a run compares goes through here).
    if unicode_normalization::is_nfc_quick(s.chars()) == unicode_normalization::IsNormalized::Yes {
        return s.to_string();
    }
    s.nfc().collect()
}

/// The form used to compare user-written words: NFC, trimmed, lower case, inner runs of
/// white space folded to one space.
pub fn key(s: &str) -> String {
    let n = nfc(s).to_lowercase();
    n.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A looser key for captions people type: `key`, with every punctuation mark treated as a space
/// ("TỔNG CỘNG:" → "tổng cộng", "Tỷ lệ hồ sơ đúng hạn, %" → "tỷ lệ hồ sơ đúng hạn").
pub fn fold(s: &str) -> String {
    let n = nfc(s).to_lowercase();
    let spaced: String = n
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Units written at the end of a column caption, ignored when captions are matched.
const CAPTION_UNITS: &[&str] = &[
    "%",
    "tỷ lệ %",
    "tỉ lệ %",
    "điểm",
    "đ",
    "số",
    "số lượng",
    "lần",
    "hồ sơ",
    "cuộc",
    "văn bản",
    "vb",
    "người",
    "có không",
    "points",
    "pts",
    "count",
    "rate %",
];

/// The key a column caption is matched by: `fold` after dropping a trailing unit such as
/// "(%)" or "(điểm)".
pub fn caption_key(s: &str) -> String {
    let mut t = nfc(s);
    loop {
        let trimmed = t.trim_end();
        if let Some(rest) = trimmed.strip_suffix('%') {
            t = rest.to_string();
            continue;
        }
        if let Some(body) = trimmed.strip_suffix(')') {
            if let Some(open) = body.rfind('(') {
                let inner = fold(&body[open + 1..]);
                let inner_raw = &body[open + 1..];
                if inner.is_empty()
                    || inner_raw.contains('%')
                    || CAPTION_UNITS.contains(&inner.as_str())
                {
                    t = body[..open].to_string();
                    continue;
                }
            }
        }
        break;
    }
    fold(&t)
}

/// The words read as yes and as no, everywhere the tool reads one (data cells, a condition's
/// `when`, an award gate's value, a dossier flag): compared by [`key`] (case and spacing folded,
/// diacritics kept, so "co" is the unaccented "có" some exports write).
pub const YES_WORDS: &[&str] = &["có", "co", "x", "1", "đạt", "dat", "true", "yes", "y", "c"];
pub const NO_WORDS: &[&str] = &[
    "không",
    "khong",
    "0",
    "không đạt",
    "khong dat",
    "false",
    "no",
    "n",
    "k",
];

/// A yes/no word: `Some(true)` for a word of [`YES_WORDS`], `Some(false)` for [`NO_WORDS`].
/// The lists are written in key form (a test checks it), so a word is keyed once and compared.
pub fn yes_no(word: &str) -> Option<bool> {
    let k = key(word);
    if YES_WORDS.contains(&k.as_str()) {
        Some(true)
    } else if NO_WORDS.contains(&k.as_str()) {
        Some(false)
    } else {
        None
    }
}

/// At most `max` characters of `s`, with "…" and the full length when cut: for messages that
/// quote user input (a 20 MB line must not be printed whole).
pub fn clip(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        None => s.to_string(),
        Some((at, _)) => format!("{}… ({} bytes)", &s[..at], s.len()),
    }
}

/// The closest candidate by edit distance, for every "did you mean" hint of the tool (flags are
/// clap's, which uses the same `strsim`).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (distance(word, c), c))
        .filter(|(d, c)| *d <= (c.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// Edit distance in characters (Levenshtein).
pub fn distance(a: &str, b: &str) -> usize {
    strsim::levenshtein(a, b)
}

/// Excel-style column letters: 0 → A, 25 → Z, 26 → AA.
pub fn column_letter(mut index: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (index % 26) as u8);
        if index < 26 {
            break;
        }
        index = index / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

#[cfg(test)]
mod tests {
    #[test]
    fn one_yes_no_vocabulary() {
        use super::{key, yes_no, NO_WORDS, YES_WORDS};
        for w in YES_WORDS.iter().chain(NO_WORDS) {
            assert_eq!(&key(w), w, "the lists are in key form");
        }
        for w in YES_WORDS {
            assert_eq!(yes_no(w), Some(true), "{w}");
            assert_eq!(yes_no(&w.to_uppercase()), Some(true), "{w}");
        }
        for w in NO_WORDS {
            assert_eq!(yes_no(w), Some(false), "{w}");
        }
        assert_eq!(yes_no(" Không  đạt "), Some(false));
        assert_eq!(yes_no("có lẽ"), None);
    }

    use super::*;

    #[test]
    fn nfc_composes_windows_1258_tone_marks() {
        // "Phường" with the hook-above and grave as combining marks.
        let decomposed = "Phu\u{031b}o\u{031b}\u{0300}ng";
        assert_eq!(nfc(decomposed), "Phường");
        assert_eq!(key("  Toàn   TRÌNH "), "toàn trình");
    }

    #[test]
    fn caption_keys() {
        assert_eq!(
            caption_key("Tỷ lệ hồ sơ đúng hạn (%)"),
            "tỷ lệ hồ sơ đúng hạn"
        );
        assert_eq!(
            caption_key("  TỶ LỆ HỒ SƠ  đúng hạn, % "),
            "tỷ lệ hồ sơ đúng hạn"
        );
        assert_eq!(caption_key("Điểm thẩm định (điểm)"), "điểm thẩm định");
        assert_eq!(
            caption_key("Chỉ số TTHC – Đúng hạn (%)"),
            "chỉ số tthc đúng hạn"
        );
        assert_eq!(caption_key("Số cuộc họp (2025)"), "số cuộc họp 2025");
        assert_eq!(fold("TỔNG CỘNG:"), "tổng cộng");
        assert_eq!(clip("abcdef", 3), "abc… (6 bytes)");
        assert_eq!(clip("abc", 3), "abc");
    }

    #[test]
    fn column_letters() {
        assert_eq!(column_letter(0), "A");
        assert_eq!(column_letter(25), "Z");
        assert_eq!(column_letter(26), "AA");
        assert_eq!(column_letter(27), "AB");
        assert_eq!(column_letter(701), "ZZ");
        assert_eq!(column_letter(702), "AAA");
    }

    #[test]
    fn closest_suggests_near_words_only() {
        assert_eq!(closest("lineer", ["linear", "bands"]), Some("linear"));
        assert_eq!(closest("zzz", ["linear", "bands"]), None);
    }
}
