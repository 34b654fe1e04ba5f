//! The criteria file exactly as written: serde structs over TOML with byte spans kept on every
//! value a diagnostic may point at. Plain structs, `deny_unknown_fields` and no untagged or
//! flattened enums, because those lose spans. Nothing here is checked beyond TOML types;
//! `validate` turns this into the model.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub type S<T> = Spanned<T>;

/// The keys each table may hold (`keys::unknown` reports every other key at once, in the run's
/// language, before serde would stop at the first): kept beside the structs, and a test checks
/// that each listed key is a field.
pub const KEYS: super::keys::Schema = &[
    (
        "",
        &[
            "meta",
            "policy",
            "criterion",
            "bonus",
            "penalty",
            "grading",
            "disqualify",
            "ranking",
        ],
    ),
    (
        "meta",
        &[
            "name",
            "name_en",
            "year",
            "version",
            "basis",
            "unit_types",
            "max_points",
        ],
    ),
    (
        "policy",
        &["missing", "not_applicable", "survey_absent", "rates"],
    ),
    (
        "criterion",
        &[
            "id",
            "name",
            "name_en",
            "max",
            "rule",
            "survey",
            "not_applicable",
            "missing",
            "applies_to",
            "note",
        ],
    ),
    ("criterion.rule", RULE_KEYS),
    ("criterion.rule.bands", BAND_KEYS),
    ("bonus", SECTION_KEYS),
    ("bonus.item", ITEM_KEYS),
    ("bonus.item.rule", RULE_KEYS),
    ("bonus.item.rule.bands", BAND_KEYS),
    ("penalty", SECTION_KEYS),
    ("penalty.item", ITEM_KEYS),
    ("penalty.item.rule", RULE_KEYS),
    ("penalty.item.rule.bands", BAND_KEYS),
    ("grading", &["basis", "band"]),
    (
        "grading.band",
        &["label", "label_en", "min", "max", "color"],
    ),
    (
        "disqualify",
        &[
            "id",
            "name",
            "name_en",
            "indicator",
            "captions",
            "when",
            "cap_grade",
        ],
    ),
    (
        "ranking",
        &["scope", "method", "tie_tolerance", "tie_break"],
    ),
];

const RULE_KEYS: &[&str] = &[
    "kind",
    "indicator",
    "captions",
    "scale",
    "zero_at",
    "full_at",
    "bands",
    "categories",
    "direction",
    "per",
    "floor",
    "allow_above_100",
    "allow_negative",
];
const BAND_KEYS: &[&str] = &["min", "max", "points"];
const SECTION_KEYS: &[&str] = &["name", "name_en", "cap", "item"];
const ITEM_KEYS: &[&str] = &["id", "name", "name_en", "max", "rule"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCriteria {
    pub meta: S<RawMeta>,
    pub policy: Option<S<RawPolicy>>,
    #[serde(default)]
    pub criterion: Vec<S<RawNode>>,
    pub bonus: Option<S<RawSection>>,
    pub penalty: Option<S<RawSection>>,
    pub grading: Option<S<RawGrading>>,
    #[serde(default)]
    pub disqualify: Vec<S<RawDisqualify>>,
    pub ranking: Option<S<RawRanking>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMeta {
    pub name: S<String>,
    pub name_en: Option<String>,
    pub year: S<i64>,
    pub version: Option<String>,
    /// Legal basis, e.g. the decision that issued the set.
    pub basis: Option<String>,
    pub unit_types: S<Vec<S<String>>>,
    pub max_points: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPolicy {
    pub missing: Option<S<String>>,
    pub not_applicable: Option<S<String>>,
    pub survey_absent: Option<S<String>>,
    pub rates: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNode {
    pub id: S<String>,
    pub name: S<String>,
    pub name_en: Option<String>,
    pub max: S<f64>,
    pub rule: Option<S<RawRule>>,
    pub survey: Option<bool>,
    pub not_applicable: Option<S<String>>,
    pub missing: Option<S<String>>,
    pub applies_to: Option<S<Vec<S<String>>>>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRule {
    pub kind: S<String>,
    pub indicator: Option<S<String>>,
    /// Column captions the indicator may appear under in data tables.
    pub captions: Option<Vec<String>>,
    pub scale: Option<S<String>>,
    pub zero_at: Option<S<f64>>,
    pub full_at: Option<S<f64>>,
    pub bands: Option<S<Vec<S<RawBand>>>>,
    pub categories: Option<S<BTreeMap<String, S<f64>>>>,
    pub direction: Option<S<String>>,
    pub per: Option<S<f64>>,
    pub floor: Option<S<f64>>,
    pub allow_above_100: Option<S<bool>>,
    pub allow_negative: Option<S<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBand {
    pub min: Option<S<f64>>,
    pub max: Option<S<f64>>,
    pub points: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSection {
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub cap: S<f64>,
    #[serde(default)]
    pub item: Vec<S<RawItem>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawItem {
    pub id: S<String>,
    pub name: S<String>,
    pub name_en: Option<String>,
    pub max: S<f64>,
    pub rule: S<RawRule>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrading {
    pub basis: Option<S<String>>,
    #[serde(default)]
    pub band: Vec<S<RawGrade>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGrade {
    pub label: S<String>,
    pub label_en: Option<String>,
    pub min: Option<S<f64>>,
    pub max: Option<S<f64>>,
    pub color: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisqualify {
    pub id: S<String>,
    pub name: S<String>,
    pub name_en: Option<String>,
    pub indicator: S<String>,
    pub captions: Option<Vec<String>>,
    pub when: S<String>,
    pub cap_grade: S<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRanking {
    pub scope: Option<S<String>>,
    pub method: Option<S<String>>,
    pub tie_tolerance: Option<S<f64>>,
    pub tie_break: Option<S<Vec<S<String>>>>,
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_listed_key_is_a_field() {
        super::super::keys::assert_every_key_is_a_field::<super::RawCriteria>(
            super::KEYS,
            &[
                "criterion",
                "bonus.item",
                "penalty.item",
                "grading.band",
                "disqualify",
            ],
        );
    }
}
