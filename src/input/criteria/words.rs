//! The closed word lists of the criteria file, each declared once with what it is called in
//! both languages: validation accepts exactly these words, diagnostics name the list in the
//! run's language, and the docs list the same words (docs/criteria-format.md).

use super::model::*;

/// A closed list of words and the values they mean.
pub struct Words<T: 'static> {
    pub name_vi: &'static str,
    pub name_en: &'static str,
    pub options: &'static [(&'static str, T)],
}

impl<T> Words<T> {
    pub fn name(&self) -> &'static str {
        crate::support::i18n::current().pick(self.name_vi, self.name_en)
    }
}

pub const MISSING: Words<MissingPolicy> = Words {
    name_vi: "cách xử lý giá trị thiếu",
    name_en: "missing-value policy",
    options: &[
        ("zero_and_flag", MissingPolicy::ZeroAndFlag),
        ("error", MissingPolicy::Error),
    ],
};

pub const NOT_APPLICABLE: Words<NaPolicy> = Words {
    name_vi: "cách xử lý không áp dụng",
    name_en: "not-applicable policy",
    options: &[
        ("full_points", NaPolicy::FullPoints),
        ("rebase", NaPolicy::Rebase),
    ],
};

pub const SURVEY_ABSENT: Words<SurveyAbsent> = Words {
    name_vi: "cách xử lý khi không có điều tra XHH",
    name_en: "survey-absent policy",
    options: &[
        ("rescale", SurveyAbsent::Rescale),
        ("zero", SurveyAbsent::Zero),
    ],
};

pub const RATES: Words<Rates> = Words {
    name_vi: "cách ghi tỷ lệ",
    name_en: "rate notation",
    options: &[("percent", Rates::Percent), ("fraction", Rates::Fraction)],
};

pub const SCALE: Words<Scale> = Words {
    name_vi: "thang đo (scale)",
    name_en: "scale",
    options: &[("percent", Scale::Percent), ("number", Scale::Number)],
};

/// `true` means lower is better.
pub const DIRECTION: Words<bool> = Words {
    name_vi: "chiều so sánh (direction)",
    name_en: "direction",
    options: &[("higher_better", false), ("lower_better", true)],
};

pub const SCOPE: Words<Scope> = Words {
    name_vi: "phạm vi xếp hạng",
    name_en: "ranking scope",
    options: &[
        ("unit_type", Scope::UnitType),
        ("bloc", Scope::Bloc),
        ("all", Scope::All),
    ],
};

pub const METHOD: Words<RankMethod> = Words {
    name_vi: "cách đánh số thứ hạng",
    name_en: "ranking method",
    options: &[
        ("competition", RankMethod::Competition),
        ("dense", RankMethod::Dense),
    ],
};

pub const BASIS: Words<GradeBasis> = Words {
    name_vi: "căn cứ xếp loại",
    name_en: "grading basis",
    options: &[
        ("rounded_index", GradeBasis::RoundedIndex),
        ("unrounded_index", GradeBasis::UnroundedIndex),
    ],
};

/// The rule kinds (their keys are checked per kind in `validate`).
pub const RULE_KINDS: [&str; 9] = [
    "proportional",
    "linear",
    "bands",
    "yes_no",
    "category",
    "relative",
    "deduction",
    "per_occurrence",
    "appraised",
];
