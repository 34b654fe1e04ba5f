//! The short ranking shown on the terminal after `score`: the top of each ranking group (a few
//! columns of the view's ranking table) and a
//! one-line summary (units scored, grade counts, warnings), the notes and warnings, the files
//! written. Display only.

use std::path::Path;

use super::view::{self, Cell, Field, Kind, ReportView};
use super::Run;
use crate::support::i18n::Lang;
use crate::support::numfmt::{fixed, Locale};

/// How many units of each group the terminal shows.
const TOP: usize = 10;

/// The columns of the ranking the terminal shows, and how much of a unit's name.
const SHOWN: [Field; 6] = [
    Field::Rank,
    Field::Code,
    Field::Name,
    Field::Total,
    Field::Index,
    Field::Grade,
];
const NAME_WIDTH: usize = 34;

pub fn table(run: &Run, rv: &ReportView) -> String {
    let lang = run.lang;
    let loc = if lang == Lang::Vi {
        Locale::Vi
    } else {
        Locale::En
    };
    let mut out = String::new();
    for g in &rv.groups {
        out.push_str(&format!(
            "\n{} – {} ({} {})\n",
            lang.pick("Xếp hạng", "Ranking"),
            g.label,
            g.units,
            lang.pick("đơn vị", "units")
        ));
        let columns: Vec<view::Column> = view::ranking_columns(g, lang)
            .into_iter()
            .filter(|c| SHOWN.contains(&c.field))
            .collect();
        let rows: Vec<Vec<String>> = (rv.rows_of(g).iter().take(TOP))
            .map(|r| {
                columns
                    .iter()
                    .map(|c| match (c.kind, r.cell(c.field)) {
                        (_, Cell::Rank(rank, of)) => format!("{rank}/{of}"),
                        (Kind::Percent, Cell::Number(x)) => format!("{}%", fixed(x, 2, loc)),
                        (_, Cell::Number(x)) => fixed(x, 2, loc),
                        (_, Cell::Text(t)) => t.chars().take(NAME_WIDTH).collect(),
                    })
                    .collect()
            })
            .collect();
        let headers: Vec<String> = columns.iter().map(|c| c.header.clone()).collect();
        let width = |k: usize| {
            (rows.iter().map(|r| &r[k]).chain([&headers[k]]))
                .map(|t| t.chars().count())
                .max()
                .unwrap_or(0)
        };
        let widths: Vec<usize> = (0..columns.len()).map(width).collect();
        for line in std::iter::once(&headers).chain(&rows) {
            let cells: Vec<String> = line
                .iter()
                .zip(&columns)
                .zip(&widths)
                .map(|((t, c), &w)| match c.kind {
                    Kind::Rank | Kind::Points | Kind::Percent => format!("{t:>w$}"),
                    _ => format!("{t:<w$}"),
                })
                .collect();
            out.push_str(&format!("  {}\n", cells.join("  ").trim_end()));
        }
        if g.units > TOP {
            out.push_str(&format!(
                "    … {} {}\n",
                g.units - TOP,
                lang.pick("đơn vị khác trong results.xlsx", "more in results.xlsx")
            ));
        }
    }
    out
}

/// One line per ranking group on the change since last year, when the run compares.
pub fn year_lines(run: &Run, rv: &ReportView) -> String {
    let Some(y) = &rv.year else {
        return String::new();
    };
    let mut out = format!("{} {}:\n", run.lang.pick("So với", "Compared with"), y.year);
    for g in &y.groups {
        out.push_str(&format!("  {}\n", g.summary));
    }
    out
}

/// One line per award kind: how many proposed, referred to a vote, excluded by a gate.
pub fn award_lines(run: &Run) -> String {
    let Some((rules, p)) = run.awards else {
        return String::new();
    };
    let lang = run.lang;
    let mut out = String::new();
    for (ai, a) in rules.awards.iter().enumerate() {
        let of = |d: crate::analyses::awards::Decision| {
            p.considered
                .iter()
                .filter(|c| c.award == ai && c.decision == d)
                .count()
        };
        let gated = p
            .considered
            .iter()
            .filter(|c| c.award == ai && c.gated)
            .count();
        out.push_str(&format!(
            "{}: {} {}, {} {}, {} {}\n",
            lang.text(&a.name, a.name_en.as_ref()),
            of(crate::analyses::awards::Decision::Proposed),
            lang.pick("đề nghị", "proposed"),
            of(crate::analyses::awards::Decision::Vote),
            lang.pick("chờ hội đồng bỏ phiếu", "referred to a vote"),
            gated,
            lang.pick("không đạt điều kiện", "excluded by a gate")
        ));
    }
    out
}

/// One line per audited set of criteria, when the run audits them: its findings.
pub fn audit_lines(run: &Run, rv: &ReportView) -> String {
    let Some(a) = &rv.audit else {
        return String::new();
    };
    let head = crate::report::view::audit_title(run.lang);
    (a.sets.iter())
        .map(|s| format!("{head}, {}: {}\n", s.title, s.findings))
        .collect()
}

/// One line on how sure the ranking is, when the run has replications.
pub fn uncertainty_line(run: &Run, rv: &ReportView) -> String {
    let Some(u) = &rv.uncertainty else {
        return String::new();
    };
    let lang = run.lang;
    let uncertain: usize = u.groups.iter().map(|g| g.uncertain).sum();
    let tops: Vec<String> = u
        .groups
        .iter()
        .map(|g| {
            // The group, its most likely first unit, and how often it was first.
            format!(
                "{}: {} {} {}% {}",
                g.label,
                g.top_name,
                lang.pick("đứng đầu trong", "first in"),
                crate::report::view::num(g.top_first, lang),
                lang.pick("số lần", "of replications")
            )
        })
        .collect();
    let weights = match &u.weights {
        Some(w) => format!(", {} {w}", lang.pick("trọng số", "weights")),
        None => String::new(),
    };
    format!(
        "{} ({} {}, {} {}{weights}): {}; {uncertain} {}\n",
        lang.pick("Độ tin cậy", "Uncertainty"),
        u.replications,
        lang.pick("lần mô phỏng", "replications"),
        lang.pick("hạt giống", "seed"),
        u.seed,
        tops.join(", "),
        lang.pick(
            "đơn vị xếp loại chưa chắc chắn",
            "unit(s) with an uncertain grade"
        )
    )
}

pub fn summary(run: &Run, warnings: usize) -> String {
    let lang = run.lang;
    // One grade ladder per criteria file: two files' ladders are different words ("Khá" and
    // "Hoàn thành"), so their counts are never merged into one list.
    let ladders: Vec<String> = run
        .criteria
        .iter()
        .enumerate()
        .filter_map(|(ci, c)| {
            let mut counts = vec![0usize; c.grading.bands.len()];
            for u in run.scores.iter().filter(|u| u.criteria == ci) {
                counts[u.grade] += 1;
            }
            let grades: Vec<String> = c
                .grading
                .bands
                .iter()
                .zip(&counts)
                .filter(|(_, &n)| n > 0)
                .map(|(b, n)| format!("{} {n}", b.label_in(lang)))
                .collect();
            let who = if run.criteria.len() > 1 {
                format!("{}: ", c.unit_types.join(", "))
            } else {
                String::new()
            };
            (!grades.is_empty()).then(|| format!("{who}{}", grades.join(", ")))
        })
        .collect();
    let n = run.scores.len();
    let files = run.criteria.len();
    format!(
        "{} {n} {} ({files} {}): {}; {warnings} {}.",
        lang.pick("Đã chấm", "Scored"),
        lang.pick("đơn vị", if n == 1 { "unit" } else { "units" }),
        lang.pick(
            "bộ tiêu chí",
            if files == 1 {
                "criteria set"
            } else {
                "criteria sets"
            }
        ),
        ladders.join("; "),
        lang.pick(
            "cảnh báo",
            if warnings == 1 { "warning" } else { "warnings" }
        )
    )
}

/// The run's notes and warnings, a line each, as they go to stderr.
pub fn notes(lang: Lang, notes: &[String], warnings: &[String]) -> String {
    let note = lang.pick("ghi chú", "note");
    let warning = lang.pick("cảnh báo", "warning");
    let mut out = String::new();
    for n in notes {
        out += &format!("{note}: {n}\n");
    }
    for w in warnings {
        out += &format!("{warning}: {w}\n");
    }
    out
}

/// The files written, and the scorecards' folder (how many, where) if any.
pub fn written(lang: Lang, files: &[String], scorecards: Option<(usize, &Path)>) -> String {
    let mut out = format!(
        "{} {}\n",
        lang.pick("Đã ghi:", "Written:"),
        files.join(", ")
    );
    if let Some((n, dir)) = scorecards {
        out += &match lang {
            Lang::Vi => format!(
                "Phiếu kết quả từng đơn vị: {n} tệp trong {}\n",
                dir.display()
            ),
            Lang::En => format!("Scorecards, one per unit: {n} files in {}\n", dir.display()),
        };
    }
    out
}

/// `parindex criteria diff`: the caveat line, then the criteria added, removed and changed, and
/// the areas whose weight changed.
pub fn revision(
    old: &crate::input::criteria::Criteria,
    new: &crate::input::criteria::Criteria,
    r: &crate::analyses::revision::Revision,
    lang: Lang,
) -> String {
    use crate::analyses::revision::Pairing;
    use crate::support::numfmt::num;
    let mut out = format!(
        "{} → {}\n{}\n",
        old.path,
        new.path,
        super::words::revision_caveat(old, new, r, lang)
    );
    let node = |c: &crate::input::criteria::Criteria, i: usize| {
        let n = &c.nodes[i];
        format!(
            "{} {} ({} {})",
            n.id,
            lang.text(&n.name, n.name_en.as_ref()),
            num(n.max, lang),
            lang.pick("điểm", "pts")
        )
    };
    if !r.added.is_empty() {
        out += &format!("\n{} ({}):\n", lang.pick("Thêm", "Added"), r.added.len());
        for &j in &r.added {
            out += &format!("  + {}\n", node(new, j));
        }
    }
    if !r.removed.is_empty() {
        out += &format!("\n{} ({}):\n", lang.pick("Bỏ", "Removed"), r.removed.len());
        for &i in &r.removed {
            out += &format!("  - {}\n", node(old, i));
        }
    }
    let changed: Vec<_> = r.pairs.iter().filter(|p| !p.changes.is_empty()).collect();
    if !changed.is_empty() {
        out += &format!(
            "\n{} ({}):\n",
            lang.pick("Thay đổi", "Changed"),
            changed.len()
        );
        for p in changed {
            let (a, b) = (&old.nodes[p.old], &new.nodes[p.new]);
            let what: Vec<String> = (p.changes.iter())
                .map(|c| {
                    let w = super::words::revision_change(c, lang);
                    match c {
                        crate::analyses::revision::Change::Max => {
                            format!("{w} {} → {}", num(a.max, lang), num(b.max, lang))
                        }
                        crate::analyses::revision::Change::Rule => format!(
                            "{w} ({} → {})",
                            a.rule().map_or("-", |r| r.kind.name()),
                            b.rule().map_or("-", |r| r.kind.name())
                        ),
                        _ => w.to_string(),
                    }
                })
                .collect();
            let by = match p.pairing {
                Pairing::Text => lang.pick("ghép theo nội dung", "paired by text"),
                Pairing::Id => lang.pick("ghép theo số thứ tự", "paired by number"),
            };
            out += &format!(
                "  {} → {}: {} [{by}]\n",
                a.id,
                node(new, p.new),
                what.join("; ")
            );
        }
    }
    let weights: Vec<String> = (r.areas.iter())
        .filter(|w| (w.old_share - w.new_share).abs() > 1e-9)
        .map(|w| {
            let name = match (w.new, w.old) {
                (Some(j), _) => node(new, j),
                (None, Some(i)) => node(old, i),
                (None, None) => String::new(),
            };
            format!(
                "  {name}: {}% → {}%",
                num(
                    crate::support::numfmt::round_half_away(w.old_share * 100.0, 1),
                    lang
                ),
                num(
                    crate::support::numfmt::round_half_away(w.new_share * 100.0, 1),
                    lang
                )
            )
        })
        .collect();
    if !weights.is_empty() {
        out += &format!(
            "\n{}:\n{}\n",
            lang.pick(
                "Trọng số lĩnh vực (điểm tối đa trên tổng)",
                "Area weights (maximum over the total)"
            ),
            weights.join("\n")
        );
    }
    out
}
