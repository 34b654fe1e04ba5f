//! Which column of a data table holds which indicator. Offices head columns with Vietnamese
//! captions, not indicator codes, so an indicator answers to its code, to the name of the one
//! leaf (or bonus/penalty item, or condition) that reads it, to captions the criteria file
//! declares, and to a mapping file's captions — all compared with `text::caption_key` (NFC,
//! case, white space and punctuation folded, a trailing unit such as "(%)" ignored). A caption
//! claimed by two indicators matches neither. It also finds the nearest headers for "did you
//! mean" when an indicator is not found. It reads no cells.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::input::criteria::diagnostic::Source;
use crate::input::criteria::Criteria;
use crate::support::error::{Error, Result};
use crate::support::text;

/// The criterion id a reason column is for: "Lý do điều chỉnh 3.2", "Lý do 3.2", "Reason 3.2",
/// "reason_3.2" (the appraisal template writes the first form); the id comes back as
/// `text::key` writes it. Such columns hold why the
/// appraisal changed a self-assessed value; they are not indicators.
pub fn reason_column_id(header: &str) -> Option<String> {
    let k = text::key(header).replace('_', " ");
    let rest = [
        "lý do điều chỉnh",
        "ly do dieu chinh",
        "lý do",
        "ly do",
        "reason for",
        "reason",
    ]
    .iter()
    .find_map(|p| k.strip_prefix(p))?;
    let id = rest.trim().trim_start_matches([':', '-', '–']).trim();
    let ok = !id.is_empty()
        && !id.contains(' ')
        && id.chars().any(|c| c.is_ascii_digit())
        && id.chars().all(|c| c.is_alphanumeric() || c == '.');
    // Lower case, as `text::key` writes it: compare with the key of a criterion id.
    ok.then(|| id.to_string())
}

#[derive(Debug, Default, Clone)]
pub struct Captions {
    /// Caption key → indicator key; `None` when two indicators claim it.
    by_caption: HashMap<String, Option<String>>,
    /// Indicator key → every name it answers to, as written (for suggestions).
    names: BTreeMap<String, Vec<String>>,
}

impl Captions {
    /// Everything the criteria files say about captions.
    pub fn from_criteria(criteria: &[Criteria]) -> Captions {
        let mut c = Captions::default();
        for crit in criteria {
            // How many leaves and items read each indicator: a name is a caption only when
            // its owner is the indicator's only reader.
            let mut readers: HashMap<&str, usize> = HashMap::new();
            for (_, _, r) in crit.leaves() {
                *readers.entry(r.indicator.as_str()).or_default() += 1;
            }
            let items: Vec<_> = [&crit.bonus, &crit.penalty]
                .into_iter()
                .flatten()
                .flat_map(|s| s.items.iter())
                .collect();
            for it in &items {
                *readers.entry(it.rule.indicator.as_str()).or_default() += 1;
            }
            for (_, n, r) in crit.leaves() {
                c.add(&r.indicator, &r.indicator);
                for cap in &r.captions {
                    c.add(&r.indicator, cap);
                }
                if readers[r.indicator.as_str()] == 1 {
                    c.add(&r.indicator, &n.name);
                }
            }
            for it in items {
                c.add(&it.rule.indicator, &it.rule.indicator);
                for cap in &it.rule.captions {
                    c.add(&it.rule.indicator, cap);
                }
                if readers[it.rule.indicator.as_str()] == 1 {
                    c.add(&it.rule.indicator, &it.name);
                }
            }
            for d in &crit.disqualify {
                c.add(&d.indicator, &d.indicator);
                for cap in &d.captions {
                    c.add(&d.indicator, cap);
                }
                if !readers.contains_key(d.indicator.as_str()) {
                    c.add(&d.indicator, &d.name);
                }
            }
        }
        c
    }

    /// Declare that `caption` heads the column of `indicator`.
    pub fn add(&mut self, indicator: &str, caption: &str) {
        let ind = text::key(indicator);
        let k = text::caption_key(caption);
        if k.is_empty() {
            return;
        }
        let names = self.names.entry(ind.clone()).or_default();
        if !names.iter().any(|n| n == caption) {
            names.push(caption.to_string());
        }
        match self.by_caption.get(&k) {
            None => {
                self.by_caption.insert(k, Some(ind));
            }
            Some(Some(other)) if *other != ind => {
                self.by_caption.insert(k, None);
            }
            _ => {}
        }
    }

    /// The indicator (key) a column with these captions holds, if any.
    pub fn resolve<'a>(&self, captions: impl IntoIterator<Item = &'a str>) -> Option<String> {
        captions.into_iter().find_map(|c| {
            self.by_caption
                .get(&text::caption_key(c))
                .cloned()
                .flatten()
        })
    }

    /// The names an indicator answers to.
    pub fn names_of(&self, indicator: &str) -> Vec<String> {
        self.names
            .get(&text::key(indicator))
            .cloned()
            .unwrap_or_else(|| vec![indicator.to_string()])
    }

    /// Add a mapping file's captions: TOML `[columns]`, indicator = "caption" or a list.
    /// Returns the file's SHA-256 (it is read once).
    pub fn load_map(&mut self, path: &Path) -> Result<String> {
        let name = path.display().to_string();
        let (_, text) = crate::input::criteria::read_config(
            path,
            crate::input::criteria::messages::ConfigKind::ColumnMap,
        )?;
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum OneOrMany {
            One(String),
            Many(Vec<String>),
        }
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Raw {
            columns: BTreeMap<String, OneOrMany>,
        }
        let src = Source {
            name: &name,
            text: &text,
        };
        // Every key but `[columns]` reported at once, in the run's language.
        const KEYS: crate::input::criteria::keys::Schema = &[("", &["columns"])];
        let unknown = crate::input::criteria::keys::unknown(&src, KEYS);
        if !unknown.is_empty() {
            return Err(Error::Config(unknown));
        }
        let raw: Raw = toml::from_str(&text).map_err(|e| {
            Error::Config(vec![src
                .diag(
                    e.span().unwrap_or(0..0),
                    crate::input::criteria::messages::toml_error(e.message()),
                )
                .hint(crate::tr!(
                    "tệp ánh xạ có dạng [columns] rồi từng dòng chỉ_số = \"Tên cột\" (hoặc một danh sách)",
                    "a mapping file is [columns] then one line per indicator = \"Column caption\" (or a list)"
                ))])
        })?;
        for (indicator, caps) in raw.columns {
            let caps = match caps {
                OneOrMany::One(c) => vec![c],
                OneOrMany::Many(v) => v,
            };
            // The mapping file is the user's word: it wins over names taken from the criteria.
            for c in caps {
                let k = text::caption_key(&c);
                self.by_caption.remove(&k);
                self.add(&indicator, &c);
            }
        }
        Ok(crate::input::criteria::sha256_hex(text.as_bytes()))
    }
}

/// The headers nearest to any of `names`, best first (at most three).
pub fn nearest<'a>(names: &[String], headers: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let keys: Vec<String> = names.iter().map(|n| text::caption_key(n)).collect();
    let mut scored: Vec<(usize, &str)> = headers
        .into_iter()
        .filter(|h| !h.trim().is_empty())
        .filter_map(|h| {
            let hk = text::caption_key(h);
            keys.iter()
                .map(|k| {
                    let d = text::distance(k, &hk);
                    let longest = k.chars().count().max(hk.chars().count());
                    // Near enough: within half the longer caption, or one contains the other.
                    let contains = !hk.is_empty() && (k.contains(&hk) || hk.contains(k.as_str()));
                    (d, contains || d * 2 <= longest)
                })
                .filter(|(_, ok)| *ok)
                .map(|(d, _)| d)
                .min()
                .map(|d| (d, h))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, h)| h).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn captions_fold_and_conflicts_cancel() {
        let mut c = Captions::default();
        c.add("ty_le_dung_han", "Tỷ lệ hồ sơ TTHC giải quyết đúng hạn");
        c.add("a", "Số cuộc họp");
        c.add("b", "số cuộc họp");
        assert_eq!(
            c.resolve(["TỶ LỆ HỒ SƠ TTHC GIẢI QUYẾT ĐÚNG HẠN (%)"]),
            Some("ty_le_dung_han".into())
        );
        assert_eq!(c.resolve(["Số cuộc họp"]), None);
    }

    #[test]
    fn nearest_headers() {
        let names = vec![
            "ty_le_dung_han".to_string(),
            "Tỷ lệ hồ sơ đúng hạn".to_string(),
        ];
        let got = nearest(
            &names,
            ["Mã đơn vị", "Tỷ lệ hồ sơ đúng hạn năm 2025", "Ghi chú"],
        );
        assert_eq!(got, vec!["Tỷ lệ hồ sơ đúng hạn năm 2025"]);
    }
}
