//! The view of the award proposals: per award its rules in words and every unit considered with
//! its decision and reason.

use serde::Serialize;

use crate::analyses::awards::{Award, AwardNote, Considered, Gate, Rules, ScopeKey, Why};
use crate::report::Run;
use crate::scoring::score::UnitScore;
use crate::support::i18n::Lang;
use crate::support::numfmt::{num, num2, round_half_away};

/// One unit's line in an award's list.
#[derive(Debug, Clone, Serialize)]
pub struct AwardRow {
    pub scope: String,
    pub rank: String,
    pub code: String,
    pub name: String,
    pub index: f64,
    pub decision: String,
    pub reason: String,
    /// Percent of the uncertainty replications that proposed the unit, when the run has them.
    pub probability: Option<f64>,
}

/// One award as a committee reads it: the rule in words, who is proposed, who goes to a vote,
/// and the units ranked above a proposed one that were not proposed, with the gate.
#[derive(Debug, Clone, Serialize)]
pub struct AwardView {
    pub id: String,
    pub name: String,
    pub rule: String,
    pub proposed: Vec<AwardRow>,
    pub vote: Vec<AwardRow>,
    pub excluded_above: Vec<AwardRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AwardsView {
    pub name: String,
    pub basis: String,
    pub awards: Vec<AwardView>,
}

pub fn awards(run: &Run) -> Option<AwardsView> {
    use crate::analyses::awards::Decision;
    let (rules, p) = run.awards?;
    let lang = run.lang;
    let row = |c: &crate::analyses::awards::Considered| {
        let u = &run.scores[c.score];
        let unit = &run.registry.units[u.unit];
        AwardRow {
            scope: scope_label(run, &c.scope),
            rank: format!("{}/{}", c.rank, c.of),
            code: unit.code.clone(),
            name: unit.name.clone(),
            index: round_half_away(u.index, 2),
            decision: crate::report::words::decision(c.decision, lang).to_string(),
            reason: why_words(run, rules, c),
            probability: run
                .uncertainty
                .and_then(|f| f.award_p.get(c.award))
                .map(|v| round_half_away(v[c.score] * 100.0, 1)),
        }
    };
    let awards = rules
        .awards
        .iter()
        .enumerate()
        .map(|(ai, a)| {
            let mine: Vec<&crate::analyses::awards::Considered> =
                p.considered.iter().filter(|c| c.award == ai).collect();
            // Per scope, the rank of the last unit proposed (or sent to a vote).
            let mut last: std::collections::HashMap<&crate::analyses::awards::ScopeKey, usize> =
                std::collections::HashMap::new();
            for c in &mine {
                if c.decision != Decision::NotProposed {
                    let e = last.entry(&c.scope).or_default();
                    *e = (*e).max(c.rank);
                }
            }
            AwardView {
                id: a.id.clone(),
                name: lang.text(&a.name, a.name_en.as_ref()).to_string(),
                rule: crate::report::words::awards::describe(rules, a, run.criteria, lang),
                proposed: mine
                    .iter()
                    .filter(|c| c.decision == Decision::Proposed)
                    .map(|c| row(c))
                    .collect(),
                vote: mine
                    .iter()
                    .filter(|c| c.decision == Decision::Vote)
                    .map(|c| row(c))
                    .collect(),
                excluded_above: mine
                    .iter()
                    .filter(|c| {
                        c.decision == Decision::NotProposed
                            && c.gated
                            && last.get(&c.scope).is_some_and(|&r| c.rank < r)
                    })
                    .map(|c| row(c))
                    .collect(),
            }
        })
        .collect();
    Some(AwardsView {
        name: lang.text(&rules.name, rules.name_en.as_ref()).to_string(),
        basis: rules.basis.clone().unwrap_or_default(),
        awards,
    })
}

/// An award scope as people read it: the bloc (or "(chưa có khối)"), the unit type, or the
/// criteria set's name.
pub fn scope_label(run: &Run, s: &ScopeKey) -> String {
    let lang = run.lang;
    match s {
        ScopeKey::Bloc(Some(b)) => b.clone(),
        ScopeKey::Bloc(None) => crate::report::words::no_bloc(lang).to_string(),
        ScopeKey::UnitType(t) => t.clone(),
        ScopeKey::Criteria(ci) => run
            .criteria
            .get(*ci)
            .map(|c| lang.text(&c.name, c.name_en.as_ref()).to_string())
            .unwrap_or_default(),
    }
}

/// Why a unit was or was not proposed, in the run's language: the gates it failed with what it
/// has against what they need, its rank against the number proposed, or how a tie at the cut was
/// settled.
pub fn why_words(run: &Run, rules: &Rules, c: &Considered) -> String {
    let lang = run.lang;
    let a = &rules.awards[c.award];
    let u = &run.scores[c.score];
    let (rank, n) = (c.rank, c.of);
    match &c.why {
        Why::Failed(gates) => {
            let words: Vec<String> = gates
                .iter()
                .map(|g| gate_words(run, rules, a, u, g))
                .collect();
            format!(
                "{}: {}",
                lang.pick("không đạt", "not eligible"),
                words.join("; ")
            )
        }
        Why::Ranked => match lang {
            Lang::Vi => format!("đứng thứ {rank}/{n} – {}", scope_label(run, &c.scope)),
            Lang::En => format!("ranked {rank}/{n} – {}", scope_label(run, &c.scope)),
        },
        Why::BeyondCount(count) => {
            let how_many = match count {
                Some(k) => k.to_string(),
                None => lang
                    .pick("mọi đơn vị đạt điều kiện", "every unit passing")
                    .to_string(),
            };
            match lang {
                Lang::Vi => {
                    format!("đứng thứ {rank}/{n}, ngoài số được đề nghị ({how_many})")
                }
                Lang::En => format!("ranked {rank}/{n}, beyond the number proposed ({how_many})"),
            }
        }
        Why::TieBreak { ahead } => {
            let chain = a.tie_break.join(", ");
            match (lang, ahead) {
                (Lang::Vi, true) => format!("đồng hạng tại ngưỡng, hơn ở tiêu chí phụ {chain}"),
                (Lang::Vi, false) => format!("đồng hạng tại ngưỡng, kém ở tiêu chí phụ {chain}"),
                (Lang::En, true) => format!("tied at the cut, ahead on the tie-break {chain}"),
                (Lang::En, false) => format!("tied at the cut, behind on the tie-break {chain}"),
            }
        }
        Why::TieIncluded => lang
            .pick(
                "đồng hạng tại ngưỡng, đề nghị cả các đơn vị đồng hạng",
                "tied at the cut, all tied units proposed",
            )
            .to_string(),
        Why::TieVote => lang
            .pick(
                "đồng hạng tại ngưỡng — đề nghị hội đồng bỏ phiếu",
                "tied at the cut — referred to the committee's vote",
            )
            .to_string(),
    }
}

/// One failed gate in words.
fn gate_words(run: &Run, rules: &Rules, a: &Award, u: &UnitScore, g: &Gate) -> String {
    let lang = run.lang;
    let c = &run.criteria[u.criteria];
    let indicator = |i: &str| c.indicator_name(i, lang).unwrap_or(i).to_string();
    match g {
        Gate::AlreadyProposed { award } => {
            let other = &rules.awards[*award];
            let name = lang.text(&other.name, other.name_en.as_ref());
            match lang {
                Lang::Vi => format!("đã được đề nghị {name}"),
                Lang::En => format!("already proposed for {name}"),
            }
        }
        Gate::Grade { band, required } => {
            let has = c
                .grading
                .bands
                .get(*band)
                .map(|b| b.label_in(lang))
                .unwrap_or_default();
            match lang {
                Lang::Vi => format!("xếp loại {has}, yêu cầu {required}"),
                Lang::En => format!("graded {has}, {required} required"),
            }
        }
        Gate::Index { index, min } => match lang {
            Lang::Vi => format!("chỉ số {}% < {}%", num2(*index, lang), num(*min, lang)),
            Lang::En => format!("index {}% < {}%", num2(*index, lang), num(*min, lang)),
        },
        Gate::Disqualified { id } => {
            let name = (c.disqualify.iter().find(|d| &d.id == id))
                .map(|d| lang.text(&d.name, d.name_en.as_ref()).to_string())
                .unwrap_or_default();
            match lang {
                Lang::Vi => format!("có điều kiện hạ loại {id} ({name})"),
                Lang::En => format!("disqualifying condition {id} ({name})"),
            }
        }
        Gate::MissingData => lang.pick("thiếu dữ liệu", "missing data").to_string(),
        Gate::Declined { change } => {
            super::year::change_words(*change, lang)
                + lang.pick(" so với năm trước", " on last year")
        }
        Gate::Probability { p, min } => {
            let (p, min) = (num(p * 100.0, lang), num(min * 100.0, lang));
            match lang {
                Lang::Vi => format!("xác suất giữ xếp loại {p}% < {min}%"),
                Lang::En => format!("probability of the grade {p}% < {min}%"),
            }
        }
        Gate::Test { test, reading } => {
            let t = &a.gates.tests[*test];
            match reading {
                Some(x) => format!(
                    "{} = {} ({} {})",
                    indicator(&t.indicator),
                    num(*x, lang),
                    lang.pick("yêu cầu", "required"),
                    crate::report::words::awards::test_words(t, run.criteria, lang)
                ),
                None => format!(
                    "{}: {}",
                    indicator(&t.indicator),
                    lang.pick("không có dữ liệu", "no data")
                ),
            }
        }
    }
}

/// What the selection left out, in words (for the run's notes).
pub fn note_words(rules: &Rules, n: &AwardNote, lang: Lang) -> String {
    let award = |i: usize| {
        let a = &rules.awards[i];
        lang.text(&a.name, a.name_en.as_ref()).to_string()
    };
    match (n, lang) {
        (AwardNote::NoUncertainty { award: i }, Lang::Vi) => format!(
            "{}: chưa có số liệu độ bất định, điều kiện xác suất tối thiểu chưa áp dụng",
            award(*i)
        ),
        (AwardNote::NoUncertainty { award: i }, Lang::En) => format!(
            "{}: no uncertainty figures, the minimum-probability gate is not applied",
            award(*i)
        ),
        (AwardNote::NoPrevious { award: i }, Lang::Vi) => format!(
            "{}: không có kết quả năm trước, điều kiện không giảm chưa áp dụng",
            award(*i)
        ),
        (AwardNote::NoPrevious { award: i }, Lang::En) => format!(
            "{}: no previous year, the not-declined gate is not applied",
            award(*i)
        ),
    }
}
