//! The validated criteria model: types that cannot hold what `validate` rejects (a leaf always
//! has a rule, bands are ordered, grades cover 0–100). Scoring, ranking and reports read only
//! this, never the raw TOML.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MissingPolicy {
    /// Score 0 and flag the cell.
    ZeroAndFlag,
    /// Refuse to score.
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NaPolicy {
    /// Not applicable earns the leaf's full points.
    FullPoints,
    /// Not applicable removes the leaf from the unit's maximum; the tree is rescaled.
    Rebase,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyAbsent {
    /// No survey data: survey leaves leave the unit's maximum (national practice).
    Rescale,
    /// No survey data: survey leaves score 0.
    Zero,
}

/// How a rate written without a `%` sign is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rates {
    /// `95.5` means 95.5%.
    Percent,
    /// `0.955` means 95.5%.
    Fraction,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Policy {
    pub missing: MissingPolicy,
    pub not_applicable: NaPolicy,
    pub survey_absent: SurveyAbsent,
    pub rates: Rates,
}

/// What a rule's indicator holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// A rate, held in percent (0–100).
    Percent,
    /// A count or other non-negative number.
    Number,
    /// Points entered by the appraisal team.
    Points,
    /// A word: yes/no or a category.
    Word,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Band {
    /// Inclusive lower bound; `None` is minus infinity.
    pub min: Option<f64>,
    /// Exclusive upper bound; `None` is the previous band's `min` (or plus infinity).
    pub max: Option<f64>,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    /// Normalised with `text::key`.
    pub key: String,
    pub written: String,
    pub points: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    Proportional,
    Linear { zero_at: f64, full_at: f64 },
    Bands(Vec<Band>),
    YesNo,
    Category(Vec<Category>),
    Relative { lower_better: bool },
    Deduction { per: f64, floor: f64 },
    PerOccurrence { per: f64 },
    Appraised,
}

impl RuleKind {
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::Proportional => "proportional",
            RuleKind::Linear { .. } => "linear",
            RuleKind::Bands(_) => "bands",
            RuleKind::YesNo => "yes_no",
            RuleKind::Category(_) => "category",
            RuleKind::Relative { .. } => "relative",
            RuleKind::Deduction { .. } => "deduction",
            RuleKind::PerOccurrence { .. } => "per_occurrence",
            RuleKind::Appraised => "appraised",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub indicator: String,
    /// Captions declared for the indicator's column (besides its code and the leaf's name).
    pub captions: Vec<String>,
    pub kind: RuleKind,
    pub scale: Scale,
    pub allow_above_100: bool,
    pub allow_negative: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Group { children: Vec<usize> },
    Leaf(Rule),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub max: f64,
    pub parent: Option<usize>,
    pub depth: usize,
    pub kind: NodeKind,
    /// Effective (inherited) survey mark.
    pub survey: bool,
    /// Effective unit types this node applies to; `None` is all of the file's types.
    pub applies_to: Option<Vec<String>>,
    pub not_applicable: NaPolicy,
    pub missing: MissingPolicy,
    pub note: Option<String>,
}

impl Node {
    pub fn rule(&self) -> Option<&Rule> {
        match &self.kind {
            NodeKind::Leaf(r) => Some(r),
            NodeKind::Group { .. } => None,
        }
    }

    pub fn applies(&self, unit_type: &str) -> bool {
        self.applies_to
            .as_ref()
            .is_none_or(|ts| ts.iter().any(|t| t == unit_type))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub max: f64,
    pub rule: Rule,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub cap: f64,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradeBasis {
    /// Grade the published index (rounded to 2 decimals): what people see decides.
    RoundedIndex,
    UnroundedIndex,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GradeBand {
    pub label: String,
    pub label_en: Option<String>,
    /// Inclusive lower bound on the index (%); `None` for the lowest band.
    pub min: Option<f64>,
    /// Fill colour, 0xRRGGBB.
    pub color: Option<u32>,
}

impl GradeBand {
    /// The band's label in `lang` (its English label when the file gives one).
    pub fn label_in(&self, lang: crate::support::i18n::Lang) -> &str {
        lang.text(&self.label, self.label_en.as_ref())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Grading {
    pub basis: GradeBasis,
    /// Best first.
    pub bands: Vec<GradeBand>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Test {
    Yes,
    Cmp(CmpOp, f64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Gt,
    Ge,
    Lt,
    Le,
    Eq,
    Ne,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
        }
    }

    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            CmpOp::Gt => a > b,
            CmpOp::Ge => a >= b,
            CmpOp::Lt => a < b,
            CmpOp::Le => a <= b,
            CmpOp::Eq => a == b,
            CmpOp::Ne => a != b,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Disqualify {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub indicator: String,
    pub captions: Vec<String>,
    pub test: Test,
    /// Index into `Grading::bands`: the best grade a unit with this event can get.
    pub cap_grade: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    UnitType,
    Bloc,
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankMethod {
    /// 1-2-2-4.
    Competition,
    /// 1-2-2-3.
    Dense,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ranking {
    pub scope: Scope,
    pub method: RankMethod,
    /// Totals this close (in points) are tied.
    pub tie_tolerance: f64,
    /// Node indices compared (higher first) when totals tie.
    pub tie_break: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Criteria {
    /// As given on the command line.
    pub path: String,
    pub sha256: String,
    pub name: String,
    pub name_en: Option<String>,
    pub year: i64,
    pub version: Option<String>,
    pub basis: Option<String>,
    pub unit_types: Vec<String>,
    pub max_points: f64,
    pub policy: Policy,
    /// Pre-order (by numeric id) tree.
    pub nodes: Vec<Node>,
    /// Indices of the top-level areas, in order.
    pub areas: Vec<usize>,
    pub bonus: Option<Section>,
    pub penalty: Option<Section>,
    pub grading: Grading,
    pub disqualify: Vec<Disqualify>,
    pub ranking: Ranking,
}

impl Criteria {
    pub fn leaves(&self) -> impl Iterator<Item = (usize, &Node, &Rule)> {
        self.nodes
            .iter()
            .enumerate()
            .filter_map(|(i, n)| n.rule().map(|r| (i, n, r)))
    }

    pub fn covers(&self, unit_type: &str) -> bool {
        self.unit_types.iter().any(|t| t == unit_type)
    }

    /// The name people know an indicator by: the name of the first criterion, bonus or penalty
    /// item, or condition that reads it, in `lang` (its English name when given).
    pub fn indicator_name(
        &self,
        indicator: &str,
        lang: crate::support::i18n::Lang,
    ) -> Option<&str> {
        let k = crate::support::text::key(indicator);
        let same = |i: &str| crate::support::text::key(i) == k;
        self.leaves()
            .find(|(_, _, r)| same(&r.indicator))
            .map(|(_, n, _)| lang.text(&n.name, n.name_en.as_ref()))
            .or_else(|| {
                [&self.bonus, &self.penalty]
                    .into_iter()
                    .flatten()
                    .flat_map(|s| s.items.iter())
                    .find(|it| same(&it.rule.indicator))
                    .map(|it| lang.text(&it.name, it.name_en.as_ref()))
            })
            .or_else(|| {
                self.disqualify
                    .iter()
                    .find(|d| same(&d.indicator))
                    .map(|d| lang.text(&d.name, d.name_en.as_ref()))
            })
    }

    /// Every indicator any part of the file reads, in first-use order.
    pub fn indicators(&self) -> Vec<&str> {
        let leaves = self.leaves().map(|(_, _, r)| r.indicator.as_str());
        let items = [&self.bonus, &self.penalty]
            .into_iter()
            .flatten()
            .flat_map(|s| s.items.iter().map(|it| it.rule.indicator.as_str()));
        let conditions = self.disqualify.iter().map(|d| d.indicator.as_str());
        let mut seen = std::collections::HashSet::new();
        leaves
            .chain(items)
            .chain(conditions)
            .filter(|s| seen.insert(*s))
            .collect()
    }
}
