//! Binding: the only step of scoring that reads cells. For one criteria file and the units it
//! scores, it looks every (unit, leaf), (unit, bonus/penalty item) and (unit, condition) up in the
//! dataset, reads it as its rule expects, and produces a dense units × leaves matrix of [`Cell`]s
//! plus, separately, the trace (value as read, source cell). Every data problem is collected
//! here — unreadable values, missing values under `missing = "error"`, structural gaps, values
//! above the highest band — before anything is evaluated, so evaluation cannot fail.

use super::plan::Plan;
use super::rules::{self, Reading};
use crate::input::criteria::model::*;
use crate::input::dataset::{Dataset, Lookup};
use crate::input::ingest::Value;
use crate::input::units::{Registry, Source};
use crate::support::error::DataIssue;
use crate::support::i18n::Lang;
use crate::support::numfmt::Locale;

/// A bound value: what evaluation needs of a cell, with no strings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell {
    /// A number in the rule's scale (rates in percent).
    Num(f64),
    Yes(bool),
    /// Index into the rule's categories.
    Category(usize),
    NotApplicable,
    Missing,
    /// The leaf does not apply to the unit's type (`applies_to`).
    OutOfScope,
}

impl Cell {
    pub fn reading(self) -> Reading {
        match self {
            Cell::Num(x) => Reading::Num(x),
            Cell::Yes(b) => Reading::Yes(b),
            Cell::Category(i) => Reading::Category(i),
            Cell::NotApplicable | Cell::OutOfScope => Reading::NotApplicable,
            Cell::Missing => Reading::Missing,
        }
    }

    fn from_reading(r: Reading) -> Cell {
        match r {
            Reading::Num(x) => Cell::Num(x),
            Reading::Yes(b) => Cell::Yes(b),
            Reading::Category(i) => Cell::Category(i),
            Reading::NotApplicable => Cell::NotApplicable,
            Reading::Missing => Cell::Missing,
        }
    }
}

/// A disqualifying condition for one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CondState {
    Met,
    NotMet,
    /// The indicator is empty: treated as not met, and flagged.
    Missing,
}

/// The units × leaves matrix of one criteria file (member-major), its items and conditions.
#[derive(Debug, Clone)]
pub struct Bound {
    /// Registry indices of the units scored, in registry order.
    pub members: Vec<usize>,
    pub n_leaves: usize,
    pub n_items: usize,
    pub n_conditions: usize,
    pub cells: Vec<Cell>,
    pub items: Vec<Cell>,
    pub conditions: Vec<CondState>,
    /// Per member: every survey leaf that applies to it is missing (no survey data).
    pub unsurveyed: Vec<bool>,
}

impl Bound {
    pub fn cell(&self, mi: usize, l: usize) -> Cell {
        self.cells[mi * self.n_leaves + l]
    }
    pub fn item(&self, mi: usize, i: usize) -> Cell {
        self.items[mi * self.n_items + i]
    }
    pub fn condition(&self, mi: usize, d: usize) -> CondState {
        self.conditions[mi * self.n_conditions + d]
    }
}

/// Where each bound value came from, in the same layout as [`Bound`].
pub struct Trace {
    pub leaf_raw: Vec<String>,
    pub leaf_source: Vec<Option<Source>>,
    pub item_raw: Vec<String>,
    pub item_source: Vec<Option<Source>>,
}

/// One indicator for a unit: the cell, its table's locale, whether its table declared plain
/// rates as fractions, its source, and the file that lacks the unit's row.
struct Looked<'d> {
    value: &'d Value,
    locale: Locale,
    fraction: bool,
    source: Option<Source>,
    norow: Option<String>,
}

fn lookup<'d>(data: &'d Dataset, code: &str, indicator: &str) -> Looked<'d> {
    match data.get(code, indicator) {
        Lookup::Cell {
            value,
            locale,
            fraction,
            source,
        } => Looked {
            value,
            locale,
            fraction,
            source: Some(source),
            norow: None,
        },
        Lookup::NoRow { file } => Looked {
            value: &Value::Empty,
            locale: Locale::Vi,
            fraction: false,
            source: None,
            norow: Some(file.to_string()),
        },
        Lookup::Absent => Looked {
            value: &Value::Empty,
            locale: Locale::Vi,
            fraction: false,
            source: None,
            norow: None,
        },
    }
}

/// The policy for plain rates in a cell: the table's declaration wins over the criteria file.
fn rates_for(l: &Looked, policy: Rates) -> Rates {
    if l.fraction {
        Rates::Fraction
    } else {
        policy
    }
}

/// "(tiêu chí 7.7, đơn vị XA002)" in the run's language.
fn at(what: &str, id: &str, unit: &str) -> String {
    let vi = crate::support::i18n::current() == Lang::Vi;
    let word = match (what, vi) {
        ("criterion", true) => "tiêu chí",
        ("item", true) => "mục",
        ("condition", true) => "điều kiện",
        (w, _) => w,
    };
    if vi {
        format!("({word} {id}, đơn vị {unit})")
    } else {
        format!("({word} {id}, unit {unit})")
    }
}

fn issue(src: &Option<Source>, file_without_row: &Option<String>, msg: String) -> DataIssue {
    match src {
        Some(s) => DataIssue {
            file: s.file.to_string(),
            row: Some(s.row),
            column: Some(s.column.to_string()),
            message: msg,
        },
        None => DataIssue {
            file: file_without_row.clone().unwrap_or_default(),
            row: None,
            column: None,
            message: msg,
        },
    }
}

/// Read every cell one criteria file needs for `members`; problems go to `issues`.
pub fn bind(
    plan: &Plan,
    members: &[usize],
    registry: &Registry,
    data: &Dataset,
    issues: &mut Vec<DataIssue>,
) -> (Bound, Trace) {
    let c = plan.criteria;
    let n = plan.leaves.len();
    let m = members.len();
    let mut cells = vec![Cell::Missing; m * n];
    let mut leaf_raw = vec![String::new(); m * n];
    let mut leaf_source: Vec<Option<Source>> = vec![None; m * n];
    // Missing survey values under `missing = "error"` wait until we know whether the unit was
    // surveyed at all: a unit with no survey data follows `survey_absent`, not `missing`.
    let mut deferred: Vec<(usize, DataIssue)> = Vec::new();
    for (l, lp) in plan.leaves.iter().enumerate() {
        let node = plan.node(l);
        let rule = lp.rule;
        // A structural gap — no unit of this file has a value — is one message, not one per
        // unit: the table or column is missing, not the units' data.
        let gap = systematic_gap(c, node, rule, members, registry, data);
        if let Some(msg) = &gap {
            if !node.survey {
                issues.push(msg.clone());
            }
        }
        let has_column = !data.holders(&rule.indicator).is_empty();
        for (mi, &u) in members.iter().enumerate() {
            let unit = &registry.units[u];
            let k = mi * n + l;
            if !node.applies(&unit.unit_type) {
                cells[k] = Cell::OutOfScope;
                continue;
            }
            let looked = lookup(data, &unit.code, &rule.indicator);
            let rates = rates_for(&looked, c.policy.rates);
            let Looked {
                value,
                locale,
                source,
                norow,
                ..
            } = looked;
            let reading = match rules::read(rule, node.max, value, locale, rates) {
                Ok(Reading::Num(x)) => match rules::points(rule, node.max, Reading::Num(x), None) {
                    // Values a rule cannot score (above the highest band) are data errors.
                    Err(msg) => {
                        issues.push(issue(
                            &source,
                            &None,
                            format!("{msg} {}", at("criterion", &node.id, &unit.code)),
                        ));
                        Reading::Missing
                    }
                    Ok(_) => Reading::Num(x),
                },
                Ok(r) => r,
                Err(msg) => {
                    issues.push(issue(
                        &source,
                        &norow,
                        format!("{msg} {}", at("criterion", &node.id, &unit.code)),
                    ));
                    Reading::Missing
                }
            };
            if reading == Reading::Missing
                && lp.missing == MissingPolicy::Error
                && *value == Value::Empty
                && gap.is_none()
                && has_column
            {
                let why = match &norow {
                    Some(f) => crate::tr!(
                        "đơn vị `{}` không có dòng nào trong {f}, tệp chứa `{}`",
                        "unit `{}` has no row in {f}, which holds `{}`",
                        unit.code,
                        rule.indicator
                    ),
                    None => crate::tr!(
                        "giá trị `{}` bị trống",
                        "the value of `{}` is empty",
                        rule.indicator
                    ),
                };
                let problem = issue(
                    &source,
                    &norow,
                    crate::tr!(
                        "{why}; tiêu chí {} coi thiếu dữ liệu là lỗi",
                        "{why}; criterion {} treats missing values as errors",
                        node.id
                    ),
                );
                if node.survey {
                    deferred.push((mi, problem));
                } else {
                    issues.push(problem);
                }
            }
            cells[k] = Cell::from_reading(reading);
            leaf_raw[k] = value.as_read();
            leaf_source[k] = source;
        }
    }
    let unsurveyed: Vec<bool> = (0..m)
        .map(|mi| {
            let mut survey = (0..n)
                .filter(|&l| plan.leaves[l].survey && cells[mi * n + l] != Cell::OutOfScope)
                .peekable();
            survey.peek().is_some() && survey.all(|l| cells[mi * n + l] == Cell::Missing)
        })
        .collect();
    issues.extend(
        deferred
            .into_iter()
            .filter(|(mi, _)| !unsurveyed[*mi])
            .map(|(_, i)| i),
    );

    // Bonus and penalty items.
    let ni = plan.items.len();
    let mut items = vec![Cell::Missing; m * ni];
    let mut item_raw = vec![String::new(); m * ni];
    let mut item_source: Vec<Option<Source>> = vec![None; m * ni];
    for (mi, &u) in members.iter().enumerate() {
        let unit = &registry.units[u];
        for (i, ip) in plan.items.iter().enumerate() {
            let it = ip.item;
            let looked = lookup(data, &unit.code, &it.rule.indicator);
            let rates = rates_for(&looked, c.policy.rates);
            let Looked {
                value,
                locale,
                source,
                norow,
                ..
            } = looked;
            let cell = match rules::read(&it.rule, it.max, value, locale, rates) {
                Err(msg) => {
                    issues.push(issue(
                        &source,
                        &norow,
                        format!("{msg} {}", at("item", &it.id, &unit.code)),
                    ));
                    Cell::Missing
                }
                Ok(Reading::Missing) => {
                    if c.policy.missing == MissingPolicy::Error
                        && !data.holders(&it.rule.indicator).is_empty()
                    {
                        issues.push(issue(
                            &source,
                            &norow,
                            crate::tr!(
                                "thiếu giá trị `{}` (mục {}, đơn vị {})",
                                "the value of `{}` is missing (item {}, unit {})",
                                it.rule.indicator,
                                it.id,
                                unit.code
                            ),
                        ));
                    }
                    Cell::Missing
                }
                Ok(r @ Reading::Num(_)) => match rules::points(&it.rule, it.max, r, None) {
                    Err(msg) => {
                        issues.push(issue(
                            &source,
                            &norow,
                            format!("{msg} {}", at("item", &it.id, &unit.code)),
                        ));
                        Cell::Missing
                    }
                    Ok(_) => Cell::from_reading(r),
                },
                Ok(r) => Cell::from_reading(r),
            };
            items[mi * ni + i] = cell;
            item_raw[mi * ni + i] = value.as_read();
            item_source[mi * ni + i] = source;
        }
    }

    // Disqualifying conditions.
    let nd = c.disqualify.len();
    let mut conditions = vec![CondState::NotMet; m * nd];
    for (mi, &u) in members.iter().enumerate() {
        let unit = &registry.units[u];
        for (di, d) in c.disqualify.iter().enumerate() {
            let Looked {
                value,
                locale,
                source,
                norow,
                ..
            } = lookup(data, &unit.code, &d.indicator);
            let state = match (&value, d.test) {
                (Value::Empty, _) => {
                    if c.policy.missing == MissingPolicy::Error
                        && !data.holders(&d.indicator).is_empty()
                    {
                        issues.push(issue(
                            &source,
                            &norow,
                            crate::tr!(
                                "thiếu giá trị `{}` (điều kiện {}, đơn vị {})",
                                "the value of `{}` is missing (condition {}, unit {})",
                                d.indicator,
                                d.id,
                                unit.code
                            ),
                        ));
                        CondState::NotMet
                    } else {
                        CondState::Missing
                    }
                }
                (v, Test::Yes) => match rules::yes_no(v) {
                    Some(true) => CondState::Met,
                    Some(false) => CondState::NotMet,
                    None => {
                        issues.push(issue(
                            &source,
                            &norow,
                            crate::tr!(
                                "cần giá trị có/không, nhưng gặp `{}` (điều kiện {}, đơn vị {})",
                                "expected yes/no, found `{}` (condition {}, unit {})",
                                v.as_read(),
                                d.id,
                                unit.code
                            ),
                        ));
                        CondState::NotMet
                    }
                },
                (v, Test::Cmp(op, x)) => match rules::number(v, locale) {
                    Some(p) if op.holds(p.value, x) => CondState::Met,
                    Some(_) => CondState::NotMet,
                    None => {
                        issues.push(issue(
                            &source,
                            &norow,
                            crate::tr!(
                                "cần một số, nhưng gặp `{}` (điều kiện {}, đơn vị {})",
                                "expected a number, found `{}` (condition {}, unit {})",
                                v.as_read(),
                                d.id,
                                unit.code
                            ),
                        ));
                        CondState::NotMet
                    }
                },
            };
            conditions[mi * nd + di] = state;
        }
    }
    (
        Bound {
            members: members.to_vec(),
            n_leaves: n,
            n_items: ni,
            n_conditions: nd,
            cells,
            items,
            conditions,
            unsurveyed,
        },
        Trace {
            leaf_raw,
            leaf_source,
            item_raw,
            item_source,
        },
    )
}

/// One message when no table that holds `node`'s indicator has a row for any unit of `members`
/// it applies to (an absent column is the dataset's own issue).
fn systematic_gap(
    c: &Criteria,
    node: &Node,
    rule: &Rule,
    members: &[usize],
    registry: &Registry,
    data: &Dataset,
) -> Option<DataIssue> {
    let holders = data.holders(&rule.indicator);
    if holders.is_empty() {
        return None;
    }
    let applicable: Vec<usize> = members
        .iter()
        .copied()
        .filter(|&u| node.applies(&registry.units[u].unit_type))
        .collect();
    if applicable.is_empty() {
        return None;
    }
    // "Provided" means a row in a table holding the column: a column whose cells are all empty
    // is the units' missing data (flagged per unit), not a structural gap.
    let any = applicable.iter().any(|&u| {
        matches!(
            data.get(&registry.units[u].code, &rule.indicator),
            Lookup::Cell { .. }
        )
    });
    if any {
        return None;
    }
    let mut types: Vec<&str> = applicable
        .iter()
        .map(|&u| registry.units[u].unit_type.as_str())
        .collect();
    types.sort();
    types.dedup();
    let searched: Vec<String> = holders
        .iter()
        .map(|&(ti, ci)| {
            let t = &data.tables[ti];
            format!("{} ({})", t.name, t.column_label(ci))
        })
        .collect();
    Some(DataIssue {
        file: c.path.clone(),
        row: None,
        column: None,
        message: crate::tr!(
            "không đơn vị loại {} nào có giá trị chỉ số `{}` (tiêu chí {}); đã tìm trong: {}. Có thể thiếu bảng dữ liệu của loại đơn vị này, hoặc cột chỉ có trong bảng của loại khác",
            "no unit of type {} has a value for the indicator `{}` (criterion {}); searched: {}. A data table for this unit type may be missing, or the column is only in another type's table",
            types.join(", "),
            rule.indicator,
            node.id,
            searched.join("; ")
        ),
    })
}
