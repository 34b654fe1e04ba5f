//! The machine-readable outputs: `results.csv` (one row per unit) and `criterion-scores.csv`
//! (one row per unit and leaf or bonus/penalty item, with the value as read and its source cell).
//! English column names and codes, decimal point, fixed precision: the same inputs give the
//! same bytes.

use super::{area_ids, area_points, Run};
use crate::scoring::score::Scored;
use crate::support::numfmt::fmt_num;
use crate::support::numfmt::machine;

/// A text cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first)
/// gets a leading `'`, as OWASP recommends; numbers, negative ones included, stay numbers.
pub fn neutralise(field: &str) -> std::borrow::Cow<'_, str> {
    let risky = field
        .chars()
        .next()
        .is_some_and(|c| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r'));
    if risky && field.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// Write one record with every field neutralised.
fn put<I, T>(w: &mut ::csv::Writer<Vec<u8>>, rec: I)
where
    I: IntoIterator<Item = T>,
    T: AsRef<str>,
{
    // Field by field, each borrowed unless it is neutralised, then the record's end (an
    // empty record ends one written by fields): no copy of every field of every row.
    for f in rec {
        w.write_field(neutralise(f.as_ref()).as_bytes())
            .expect("writing to memory cannot fail");
    }
    w.write_record(None::<&[u8]>)
        .expect("writing to memory cannot fail");
}

/// Files start with a UTF-8 byte-order mark, as Excel's own "CSV UTF-8" does: without it a
/// double-click opens Vietnamese names as mojibake. parindex, the csv crate, pandas and
/// Python's `utf-8-sig` read it.
fn writer() -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new()
        .terminator(::csv::Terminator::Any(b'\n'))
        .from_writer(b"\xEF\xBB\xBF".to_vec())
}

fn finish(w: ::csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().expect("writing to memory cannot fail")
}

/// `criteria diff --csv`: one row per criterion of either set — paired (with what changed, or
/// `unchanged`), added or removed — in the new set's order, then the removed ones.
pub fn revision(
    old: &crate::input::criteria::Criteria,
    new: &crate::input::criteria::Criteria,
    r: &crate::analyses::revision::Revision,
) -> Vec<u8> {
    use crate::analyses::revision::{Change, Pairing};
    let mut w = writer();
    put(
        &mut w,
        [
            "change",
            "old_id",
            "new_id",
            "old_name",
            "new_name",
            "old_max",
            "new_max",
            "old_rule",
            "new_rule",
            "pairing",
            "similarity",
        ],
    );
    let rule = |n: &crate::input::criteria::model::Node| {
        n.rule().map_or("group", |r| r.kind.name()).to_string()
    };
    let side = |c: &crate::input::criteria::Criteria, i: Option<usize>| match i {
        Some(i) => {
            let n = &c.nodes[i];
            [n.id.clone(), n.name.clone(), fmt_num(n.max), rule(n)]
        }
        None => Default::default(),
    };
    let mut row =
        |change: String, o: Option<usize>, n: Option<usize>, pairing: &str, sim: String| {
            let [oid, oname, omax, orule] = side(old, o);
            let [nid, nname, nmax, nrule] = side(new, n);
            put(
                &mut w,
                [
                    change,
                    oid,
                    nid,
                    oname,
                    nname,
                    omax,
                    nmax,
                    orule,
                    nrule,
                    pairing.to_string(),
                    sim,
                ],
            );
        };
    for j in 0..new.nodes.len() {
        if let Some(p) = r.pairs.iter().find(|p| p.new == j) {
            let codes: Vec<&str> = (p.changes.iter())
                .map(|c| match c {
                    Change::Moved => "moved",
                    Change::Renamed => "renamed",
                    Change::Max => "max",
                    Change::Rule => "rule",
                    Change::Split => "split",
                })
                .collect();
            let change = if codes.is_empty() {
                "unchanged".to_string()
            } else {
                codes.join(";")
            };
            let pairing = match p.pairing {
                Pairing::Text => "text",
                Pairing::Id => "id",
            };
            row(
                change,
                Some(p.old),
                Some(j),
                pairing,
                format!("{:.3}", p.similarity),
            );
        } else {
            row("added".into(), None, Some(j), "", String::new());
        }
    }
    for &i in &r.removed {
        row("removed".into(), Some(i), None, "", String::new());
    }
    finish(w)
}

pub fn results(run: &Run) -> Vec<u8> {
    let areas = area_ids(run.criteria);
    let mut w = writer();
    let mut header: Vec<String> = ["unit_code", "unit_name", "unit_type", "bloc", "criteria"]
        .map(String::from)
        .to_vec();
    header.extend(areas.iter().map(|a| format!("area_{a}")));
    header.extend(
        [
            "bonus",
            "penalty",
            "tree_points",
            "tree_max",
            "total_points",
            "max_points",
            "index_pct",
            "grade",
            "rank",
            "rank_of",
            "rank_group",
            "rank_group_label",
            "flags",
        ]
        .map(String::from),
    );
    // With last year's results: the change, as `comparison.csv` explains it.
    if run.comparison.is_some() {
        header.extend(
            [
                "prev_index",
                "index_change",
                "prev_rank",
                "prev_rank_of",
                "rank_change",
                "prev_grade",
                "comparison",
            ]
            .map(String::from),
        );
    }
    put(&mut w, &header);
    for u in run.scores {
        let c = &run.criteria[u.criteria];
        let unit = &run.registry.units[u.unit];
        let mut rec: Vec<String> = vec![
            unit.code.clone(),
            unit.name.clone(),
            unit.unit_type.clone(),
            unit.bloc.clone().unwrap_or_default(),
            c.path.clone(),
        ];
        rec.extend(
            areas
                .iter()
                .map(|a| area_points(c, u, a).map(machine).unwrap_or_default()),
        );
        rec.extend([
            machine(u.bonus),
            machine(u.penalty),
            machine(u.tree_points),
            machine(u.tree_max),
            machine(u.total),
            machine(c.max_points),
            machine(u.index),
            c.grading.bands[u.grade].label.clone(),
            run.place(u).rank.to_string(),
            run.place(u).of.to_string(),
            run.group_key(u),
            run.group_label(u),
            u.flags
                .iter()
                .map(|f| f.code())
                .collect::<Vec<_>>()
                .join(";"),
        ]);
        if let Some(cmp) = run.comparison {
            let opt = |x: Option<String>| x.unwrap_or_default();
            match cmp.of(u.unit) {
                Some(ch) => rec.extend([
                    opt(ch.baseline.map(machine)),
                    opt(ch.index_change.map(machine)),
                    opt(ch.prev_rank.map(|r| r.to_string())),
                    opt(ch.prev_rank_of.map(|r| r.to_string())),
                    opt(ch.rank_change.map(|r| r.to_string())),
                    opt(ch.prev_grade.clone()),
                    ch.kind.code().to_string(),
                ]),
                None => rec.extend(std::iter::repeat_n(String::new(), 7)),
            }
        }
        put(&mut w, &rec);
    }
    finish(w)
}

/// `comparison.csv`: one row per new unit and predecessor — the link, its weight and share of
/// the baseline, last year's figures of the predecessor — so anyone can recompute a baseline.
pub fn comparison(run: &Run) -> Vec<u8> {
    let mut w = writer();
    put(
        &mut w,
        [
            "unit_code",
            "unit_name",
            "comparison",
            "old_code",
            "old_name",
            "relation",
            "weight",
            "share",
            "old_index",
            "old_rank",
            "old_rank_of",
            "old_grade",
            "baseline",
            "index_pct",
            "index_change",
        ],
    );
    let Some(cmp) = run.comparison else {
        return finish(w);
    };
    let prev = cmp.previous.as_ref();
    let index: std::collections::HashMap<usize, f64> =
        run.scores.iter().map(|u| (u.unit, u.index)).collect();
    let opt = |x: Option<String>| x.unwrap_or_default();
    // In report order, a unit's predecessors together.
    for u in run.scores {
        let Some(ch) = cmp.of(u.unit) else { continue };
        let unit = &run.registry.units[u.unit];
        let rows: Vec<_> = cmp.rows.iter().filter(|r| r.unit == u.unit).collect();
        let base = [
            unit.code.clone(),
            unit.name.clone(),
            ch.kind.code().to_string(),
        ];
        let tail = [
            opt(ch.baseline.map(machine)),
            machine(index[&u.unit]),
            opt(ch.index_change.map(machine)),
        ];
        if rows.is_empty() {
            let mut rec: Vec<String> = base.to_vec();
            rec.extend(std::iter::repeat_n(String::new(), 9));
            rec.extend(tail.clone());
            put(&mut w, &rec);
        }
        for r in rows {
            let p = r.prev.and_then(|i| prev.map(|p| &p.units[i]));
            let mut rec: Vec<String> = base.to_vec();
            rec.extend([
                r.old.clone(),
                opt(p.map(|p| p.name.clone())),
                r.relation.code().to_string(),
                opt(r.weight.map(machine)),
                opt(r.share.map(machine)),
                opt(p.map(|p| machine(p.index))),
                opt(p.and_then(|p| p.rank.map(|x| x.to_string()))),
                opt(p.and_then(|p| p.rank_of.map(|x| x.to_string()))),
                opt(p.map(|p| p.grade.clone())),
            ]);
            rec.extend(tail.clone());
            put(&mut w, &rec);
        }
    }
    finish(w)
}

pub fn criterion_scores(run: &Run) -> Vec<u8> {
    let mut w = writer();
    w.write_record([
        "unit_code",
        "part",
        "criterion_id",
        "criterion_name",
        "indicator",
        "value",
        "points",
        "max_points",
        "source_file",
        "source_row",
        "source_column",
        "flags",
    ])
    .expect("memory");
    let row = |w: &mut ::csv::Writer<Vec<u8>>,
               code: &str,
               part: &str,
               id: &str,
               name: &str,
               ind: &str,
               s: &Scored| {
        let flags: Vec<&str> = s.flags.iter().map(|f| f.code()).collect();
        let (file, r, col) = match &s.source {
            Some(src) => (&*src.file, src.row.to_string(), &*src.column),
            None => ("", String::new(), ""),
        };
        put(
            w,
            [
                code,
                part,
                id,
                name,
                ind,
                &s.raw,
                &machine(s.points),
                &fmt_num(s.max),
                file,
                &r,
                col,
                &flags.join(";"),
            ],
        );
    };
    for u in run.scores {
        let c = &run.criteria[u.criteria];
        let code = &run.registry.units[u.unit].code;
        for (ni, s) in &u.leaves {
            let n = &c.nodes[*ni];
            let ind = n.rule().map_or("", |r| r.indicator.as_str());
            row(&mut w, code, "tree", &n.id, &n.name, ind, s);
        }
        for (is_pen, ii, s) in &u.items {
            let sec = if *is_pen {
                c.penalty.as_ref()
            } else {
                c.bonus.as_ref()
            }
            .expect("item of a section");
            let it = &sec.items[*ii];
            row(
                &mut w,
                code,
                if *is_pen { "penalty" } else { "bonus" },
                &it.id,
                &it.name,
                &it.rule.indicator,
                s,
            );
        }
    }
    finish(w)
}

/// `appraisal.csv`: one row per unit and criterion (tree leaves, then bonus and penalty items)
/// that both the unit and the appraisal scored: the value each side gave, its points, the
/// difference (appraised − self; a cut is negative), the reason and where each came from.
/// Survey criteria are not self-assessed and are not listed.
pub fn appraisal(run: &Run) -> Vec<u8> {
    let mut w = writer();
    put(
        &mut w,
        [
            "unit_code",
            "unit_name",
            "part",
            "criterion_id",
            "criterion_name",
            "self_value",
            "self_points",
            "appraised_value",
            "appraised_points",
            "difference",
            "reason",
            "self_source",
            "appraised_source",
            "reason_source",
        ],
    );
    let src = |s: &Option<crate::input::units::Source>| {
        s.as_ref().map(|x| x.to_string()).unwrap_or_default()
    };
    if let Some(a) = run.appraisal {
        for l in &a.lines {
            let unit = &run.registry.units[l.unit];
            put(
                &mut w,
                [
                    unit.code.clone(),
                    unit.name.clone(),
                    l.part.to_string(),
                    l.id.clone(),
                    l.name.clone(),
                    l.self_value.clone(),
                    machine(l.self_points),
                    l.value.clone(),
                    machine(l.points),
                    machine(l.difference),
                    l.reason
                        .as_ref()
                        .map(|r| r.text.clone())
                        .unwrap_or_default(),
                    src(&l.self_source),
                    src(&l.source),
                    l.reason
                        .as_ref()
                        .map(|r| r.source.to_string())
                        .unwrap_or_default(),
                ],
            );
        }
    }
    finish(w)
}

/// `awards.csv`: one row per award, scope and unit considered, with the decision and the reason
/// in words.
pub fn awards(run: &Run) -> Vec<u8> {
    let mut w = writer();
    put(
        &mut w,
        [
            "award_id",
            "award",
            "scope",
            "unit_code",
            "unit_name",
            "rank_in_scope",
            "of",
            "index_pct",
            "decision",
            "reason",
            "p_proposed",
        ],
    );
    if let Some((rules, p)) = run.awards {
        for c in &p.considered {
            let a = &rules.awards[c.award];
            let u = &run.scores[c.score];
            let unit = &run.registry.units[u.unit];
            put(
                &mut w,
                [
                    a.id.clone(),
                    run.lang.text(&a.name, a.name_en.as_ref()).to_string(),
                    super::view::scope_label(run, &c.scope),
                    unit.code.clone(),
                    unit.name.clone(),
                    c.rank.to_string(),
                    c.of.to_string(),
                    machine(u.index),
                    c.decision.code().to_string(),
                    super::view::why_words(run, rules, c),
                    // The share of the uncertainty replications that proposed the unit.
                    run.uncertainty
                        .and_then(|f| f.award_p.get(c.award))
                        .map(|v| machine(v[c.score]))
                        .unwrap_or_default(),
                ],
            );
        }
    }
    finish(w)
}

/// `uncertainty.csv`: per unit, the nominal rank, the median rank and the 5–95% interval over
/// the replications, the probability of being first in its group, of its nominal grade and of
/// every grade (`label:probability;…`), and whether the grade is uncertain (below the level).
pub fn uncertainty(run: &Run) -> Vec<u8> {
    let mut w = writer();
    put(
        &mut w,
        [
            "unit_code",
            "unit_name",
            "rank_group",
            "rank_group_label",
            "rank",
            "rank_of",
            "rank_median",
            "rank_p05",
            "rank_p95",
            "p_first",
            "grade",
            "p_grade",
            "uncertain_grade",
            "grade_probabilities",
            "award_probabilities",
        ],
    );
    if let Some(f) = run.uncertainty {
        for u in run.scores {
            let Some(x) = f.of(u.unit) else { continue };
            let c = &run.criteria[u.criteria];
            let unit = &run.registry.units[u.unit];
            let probs: Vec<String> = c
                .grading
                .bands
                .iter()
                .zip(&x.p_grade)
                .map(|(b, p)| format!("{}:{}", b.label, machine(*p)))
                .collect();
            put(
                &mut w,
                [
                    unit.code.clone(),
                    unit.name.clone(),
                    run.group_key(u),
                    run.group_label(u),
                    x.rank.to_string(),
                    x.of.to_string(),
                    x.median.to_string(),
                    x.p05.to_string(),
                    x.p95.to_string(),
                    machine(x.p_first),
                    c.grading.bands[x.grade].label.clone(),
                    machine(x.p_grade[x.grade]),
                    (x.p_grade[x.grade] < f.level).to_string(),
                    probs.join(";"),
                    run.awards
                        .map(|(rules, _)| {
                            rules
                                .awards
                                .iter()
                                .zip(&f.award_p)
                                .map(|(a, p)| {
                                    let si = run
                                        .scores
                                        .iter()
                                        .position(|s| s.unit == u.unit)
                                        .expect("scored");
                                    format!("{}:{}", a.id, machine(p[si]))
                                })
                                .collect::<Vec<_>>()
                                .join(";")
                        })
                        .unwrap_or_default(),
                ],
            );
        }
    }
    finish(w)
}

/// `audit.csv`: one row per criteria file, unit type and node of its tree (areas, criteria,
/// leaves, in tree order), with the figures of `analyses::audit` (definitions in docs/audit.md)
/// and the flags as codes (`no_spread`, `duplicate`, `low_weight`, `not_applied`).
pub fn audit(run: &Run) -> Vec<u8> {
    let mut w = writer();
    put(
        &mut w,
        [
            "criteria",
            "unit_type",
            "criterion_id",
            "criterion_name",
            "level",
            "max_points",
            "units",
            "not_applicable",
            "missing",
            "mean_points",
            "mean_share",
            "full_share",
            "zero_share",
            "distinct",
            "sd",
            "item_rest_r",
            "nominal_weight",
            "effective_weight",
            "rank_shift_mean",
            "rank_shift_max",
            "alpha",
            "alpha_units",
            "alpha_if_dropped",
            "duplicates",
            "flags",
        ],
    );
    let opt = |x: Option<f64>| x.map(machine).unwrap_or_default();
    for set in run.audit.map(|a| a.sets.as_slice()).unwrap_or_default() {
        let c = &run.criteria[set.criteria];
        for e in &set.elements {
            let node = &c.nodes[e.node];
            let leaf = matches!(node.kind, crate::input::criteria::model::NodeKind::Leaf(_));
            let level = match (node.parent, leaf) {
                (None, _) => "area",
                (Some(_), true) => "leaf",
                (Some(_), false) => "criterion",
            };
            let mut flags = Vec::new();
            if e.units == 0 {
                flags.push("not_applied");
            }
            if e.no_spread {
                flags.push("no_spread");
            }
            if !e.duplicates.is_empty() {
                flags.push("duplicate");
            }
            if e.low_weight {
                flags.push("low_weight");
            }
            let duplicates: Vec<&str> = (e.duplicates.iter())
                .map(|&d| c.nodes[d].id.as_str())
                .collect();
            put(
                &mut w,
                [
                    c.path.clone(),
                    set.unit_type.clone(),
                    node.id.clone(),
                    node.name.clone(),
                    level.to_string(),
                    machine(e.max),
                    e.units.to_string(),
                    e.not_applicable.to_string(),
                    e.missing.to_string(),
                    opt(e.mean_points),
                    opt(e.mean_share),
                    opt(e.full_share),
                    opt(e.zero_share),
                    e.distinct.to_string(),
                    opt(e.sd),
                    opt(e.item_rest_r),
                    machine(e.nominal_weight),
                    opt(e.effective_weight),
                    machine(e.rank_shift_mean),
                    e.rank_shift_max.to_string(),
                    opt(e.alpha),
                    if node.parent.is_none() {
                        e.alpha_units.to_string()
                    } else {
                        String::new()
                    },
                    opt(e.alpha_if_dropped),
                    duplicates.join(";"),
                    flags.join(";"),
                ],
            );
        }
    }
    finish(w)
}

#[cfg(test)]
mod tests {
    use super::neutralise;

    #[test]
    fn formulas_are_neutralised_numbers_are_not() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(neutralise("+84 90"), "'+84 90");
        assert_eq!(neutralise("-x"), "'-x");
        assert_eq!(neutralise("\tx"), "'\tx");
        assert_eq!(neutralise("-1.5"), "-1.5");
        assert_eq!(neutralise("Xã Mỹ Thủy"), "Xã Mỹ Thủy");
    }
}
