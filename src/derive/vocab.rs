//! The words dossier exports use for channels, online kinds and 0/1 flags, mapped to small codes.
//! Canonical English words, their Vietnamese equivalents (including the older "mức độ 3/4"), and
//! whatever a mapping file adds. Unknown words map to [`UNKNOWN`] so the record is counted as bad,
//! never guessed.

use std::collections::HashMap;

use crate::support::text;

pub const UNKNOWN: u8 = 255;
/// An empty cell (open dossier, no fee, no online kind).
pub const EMPTY: u8 = 0;

pub const ONLINE: u8 = 1;
pub const IN_PERSON: u8 = 2;
pub const POSTAL: u8 = 3;

pub const FULL: u8 = 1;
pub const PARTIAL: u8 = 2;

pub const NO: u8 = 1;
pub const YES: u8 = 2;

/// A vocabulary: normalised word → code.
#[derive(Debug, Clone)]
pub struct Vocab {
    words: HashMap<String, u8>,
}

impl Vocab {
    fn of(pairs: &[(&str, u8)]) -> Vocab {
        Vocab {
            words: pairs.iter().map(|(w, c)| (text::key(w), *c)).collect(),
        }
    }

    pub fn channel() -> Vocab {
        Vocab::of(&[
            ("online", ONLINE),
            ("trực tuyến", ONLINE),
            ("truc tuyen", ONLINE),
            ("in_person", IN_PERSON),
            ("trực tiếp", IN_PERSON),
            ("truc tiep", IN_PERSON),
            ("postal", POSTAL),
            ("bưu chính", POSTAL),
            ("buu chinh", POSTAL),
            ("qua bưu chính", POSTAL),
        ])
    }

    pub fn online_kind() -> Vocab {
        Vocab::of(&[
            ("full", FULL),
            ("toàn trình", FULL),
            ("toan trinh", FULL),
            ("mức độ 4", FULL),
            ("muc do 4", FULL),
            ("4", FULL),
            ("partial", PARTIAL),
            ("một phần", PARTIAL),
            ("mot phan", PARTIAL),
            ("mức độ 3", PARTIAL),
            ("muc do 3", PARTIAL),
            ("3", PARTIAL),
        ])
    }

    /// Yes/no flags: the tool's one yes/no vocabulary (`text::YES_WORDS`, `text::NO_WORDS`).
    pub fn flag() -> Vocab {
        let words: Vec<(&str, u8)> = (text::YES_WORDS.iter().map(|w| (*w, YES)))
            .chain(text::NO_WORDS.iter().map(|w| (*w, NO)))
            .collect();
        Vocab::of(&words)
    }

    /// The vocabulary of a column whose values a mapping file may translate, and the canonical
    /// words a mapping may map to (for its hint).
    pub fn of_column(canon: &str) -> Option<(Vocab, &'static [&'static str])> {
        match canon {
            "channel" => Some((Vocab::channel(), &["online", "in_person", "postal"])),
            "online_kind" => Some((Vocab::online_kind(), &["full", "partial"])),
            "paid_online" | "digitised" => Some((Vocab::flag(), &["1", "0"])),
            _ => None,
        }
    }

    /// Whether `word` is a word of this vocabulary.
    pub fn knows(&self, word: &str) -> bool {
        self.words.contains_key(&text::key(word))
    }

    /// Add the words of a mapping file: export word → canonical word of this vocabulary.
    pub fn extend(&mut self, extra: &[(String, String)]) -> Result<(), String> {
        for (word, canonical) in extra {
            let code = *self
                .words
                .get(&text::key(canonical))
                .ok_or_else(|| format!("`{canonical}` is not a known value (mapping `{word}`)"))?;
            self.words.insert(text::key(word), code);
        }
        Ok(())
    }

    /// The code of a cell: `EMPTY` for an empty one, `UNKNOWN` for an unknown word.
    pub fn code(&self, raw: Option<&str>) -> u8 {
        match raw.map(str::trim) {
            None | Some("") => EMPTY,
            Some(s) => self
                .words
                .get(s)
                .or_else(|| self.words.get(&text::key(s)))
                .copied()
                .unwrap_or(UNKNOWN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_codes() {
        let c = Vocab::channel();
        assert_eq!(c.code(Some("online")), ONLINE);
        assert_eq!(c.code(Some("Trực tuyến")), ONLINE);
        assert_eq!(c.code(Some("TRỰC TIẾP")), IN_PERSON);
        assert_eq!(c.code(Some("fax")), UNKNOWN);
        assert_eq!(c.code(Some("")), EMPTY);
        assert_eq!(c.code(None), EMPTY);
        let k = Vocab::online_kind();
        assert_eq!(k.code(Some("Mức độ 4")), FULL);
        assert_eq!(k.code(Some("một phần")), PARTIAL);
        let mut f = Vocab::flag();
        assert_eq!(f.code(Some("1")), YES);
        assert_eq!(f.code(Some("0")), NO);
        f.extend(&[("Đã thanh toán".into(), "1".into())]).unwrap();
        assert_eq!(f.code(Some("đã thanh toán")), YES);
        assert!(f.extend(&[("a".into(), "maybe".into())]).is_err());
    }
}
