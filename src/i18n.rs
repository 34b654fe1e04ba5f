//! The language of everything officials read: Vietnamese by default, English on `--lang en`.
//! Criteria-file texts carry their own `*_en` variants; fixed texts of the tool are chosen
//! with [`Lang::pick`] next to where they are used, so each label is written once per language.

use crate::criteria::model::GradeBand;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Lang {
    #[default]
    Vi,
    En,
}

impl Lang {
    pub fn pick<'a>(self, vi: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Vi => vi,
            Lang::En => en,
        }
    }

    /// A criteria text with an optional English variant.
    pub fn text<'a>(self, vi: &'a str, en: Option<&'a String>) -> &'a str {
        match (self, en) {
            (Lang::En, Some(e)) => e,
            _ => vi,
        }
    }
}

pub fn grade_label(b: &GradeBand, lang: Lang) -> &str {
    lang.text(&b.label, b.label_en.as_ref())
}
