//! Award proposals by stated rules (`docs/awards-format.md`). A rules file (TOML, versioned like
//! criteria) names award kinds; each has a scope (emulation bloc, unit type, or all units of a
//! criteria file), how many (top N, a quota of the units in scope or of a grade's count with a
//! stated reading and rounding, or everyone passing), gates (minimum grade or index, no
//! disqualifying condition, no missing data, not declined since last year, a minimum probability
//! when uncertainty figures exist, indicator tests), what happens on a tie at the cut (include all,
//! refer to the committee's vote, or break by stated criteria then a stated fallback — never by
//! row order) and precedence (units proposed for an earlier award are not considered again).
//! Parsing keeps spans for located diagnostics; selection is pure and gives every unit considered a
//! decision and a typed reason.
//!
//! `rules` reads and checks a rules file; `select` applies it to the ranked results; this module
//! holds the model they share (the report says an award's rules in words: `report::words::awards`).

mod rules;
mod select;

pub use rules::{load, looks_like_rules, parse};
pub use select::{select, AwardNote, Considered, Decision, Gate, Proposals, ScopeKey, Why};

use crate::input::criteria::model::CmpOp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Bloc,
    UnitType,
    Criteria,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    Down,
    Nearest,
    Up,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Base {
    Units,
    /// Units rated `label` (`at_least`: that grade or better).
    Grade {
        label: String,
        at_least: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    Include,
    Vote,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    pub indicator: String,
    pub op: CmpOp,
    /// A number, or 1/0 for có/không.
    pub value: f64,
    pub written: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Gates {
    pub min_grade: Option<String>,
    pub min_index: Option<f64>,
    pub no_disqualifying: bool,
    pub no_missing: bool,
    pub not_declined: bool,
    pub min_probability: Option<f64>,
    pub tests: Vec<Test>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Award {
    pub id: String,
    pub name: String,
    pub name_en: Option<String>,
    pub scope: Scope,
    /// Keys; empty: every scored unit.
    pub unit_types: Vec<String>,
    pub top: Option<usize>,
    pub quota: Option<(f64, Rounding, Base)>,
    pub all_passing: bool,
    pub ties: Ties,
    /// Node ids compared (higher points first) to break a tie at the cut, then `ties`.
    pub tie_break: Vec<String>,
    pub after: Vec<String>,
    pub gates: Gates,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub path: String,
    pub sha256: String,
    pub name: String,
    pub name_en: Option<String>,
    pub basis: Option<String>,
    pub awards: Vec<Award>,
}
