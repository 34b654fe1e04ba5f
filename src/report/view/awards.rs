//! The view of the award proposals: per award its rules in words and every unit considered with
//! its decision and reason.

use serde::Serialize;

use crate::numfmt::round_half_away;
use crate::report::Run;

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
    use crate::awards::Decision;
    let (rules, p) = run.awards?;
    let lang = run.lang;
    let row = |c: &crate::awards::Considered| {
        let u = &run.scores[c.score];
        let unit = &run.registry.units[u.unit];
        AwardRow {
            scope: c.scope.clone(),
            rank: format!("{}/{}", c.rank, c.of),
            code: unit.code.clone(),
            name: unit.name.clone(),
            index: round_half_away(u.index, 2),
            decision: c.decision.label(lang).to_string(),
            reason: c.reason.clone(),
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
            let mine: Vec<&crate::awards::Considered> =
                p.considered.iter().filter(|c| c.award == ai).collect();
            // Per scope, the rank of the last unit proposed (or sent to a vote).
            let mut last: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
            for c in &mine {
                if c.decision != Decision::NotProposed {
                    let e = last.entry(c.scope.as_str()).or_default();
                    *e = (*e).max(c.rank);
                }
            }
            AwardView {
                id: a.id.clone(),
                name: lang.text(&a.name, a.name_en.as_ref()).to_string(),
                rule: crate::awards::describe(rules, a, run.criteria, lang),
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
                            && last.get(c.scope.as_str()).is_some_and(|&r| c.rank < r)
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
