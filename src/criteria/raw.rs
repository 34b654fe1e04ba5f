//! The criteria file exactly as written: serde structs over TOML with byte spans kept on every
//! value a diagnostic may point at. Plain structs, `deny_unknown_fields` and no untagged or
//! flattened enums, because those lose spans. Nothing here is checked beyond TOML types;
//! `validate` turns this into the model.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

pub type S<T> = Spanned<T>;

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
