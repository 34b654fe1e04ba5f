//! A validated criteria set in words: one line per rule, the tree as
//! `parindex check` prints it, and the method statement (rounding, ties, grade bands) that every
//! result carries. Text only; the language comes from `i18n`.

use crate::input::criteria::model::*;
use crate::input::criteria::Criteria;
use crate::support::numfmt::fmt_num;

/// A number in the reader's notation: decimal comma in Vietnamese ("0,000001", "72,5%").
fn nl(vi: bool, x: f64) -> String {
    let s = fmt_num(x);
    if vi {
        s.replace('.', ",")
    } else {
        s
    }
}
use crate::support::i18n::Lang;

pub fn rule(r: &Rule, max: f64, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let body = match &r.kind {
        RuleKind::Proportional => {
            if vi {
                "tỷ lệ × điểm tối đa".to_string()
            } else {
                "rate × max".to_string()
            }
        }
        RuleKind::Linear { zero_at, full_at } => {
            let u = if r.scale == Scale::Percent { "%" } else { "" };
            if vi {
                format!(
                    "tuyến tính: {}{u} → 0 điểm, {}{u} → {} điểm",
                    fmt_num(*zero_at),
                    fmt_num(*full_at),
                    fmt_num(max)
                )
            } else {
                format!(
                    "linear: {}{u} → 0, {}{u} → {}",
                    fmt_num(*zero_at),
                    fmt_num(*full_at),
                    fmt_num(max)
                )
            }
        }
        RuleKind::Bands(bands) => {
            let parts: Vec<String> = bands
                .iter()
                .map(|b| match b.min {
                    Some(m) => format!("≥{} → {}", fmt_num(m), fmt_num(b.points)),
                    None => format!(
                        "{} → {}",
                        if vi { "còn lại" } else { "otherwise" },
                        fmt_num(b.points)
                    ),
                })
                .collect();
            format!("{}: {}", if vi { "bậc" } else { "bands" }, parts.join("; "))
        }
        RuleKind::YesNo => {
            if vi {
                format!("có → {}, không → 0", fmt_num(max))
            } else {
                format!("yes → {}, no → 0", fmt_num(max))
            }
        }
        RuleKind::Category(cats) => {
            let parts: Vec<String> = cats
                .iter()
                .map(|c| format!("{} → {}", c.written, fmt_num(c.points)))
                .collect();
            format!(
                "{}: {}",
                if vi { "phân loại" } else { "category" },
                parts.join("; ")
            )
        }
        RuleKind::Relative { lower_better } => match (vi, lower_better) {
            (true, false) => "tối đa × giá trị / giá trị cao nhất".to_string(),
            (true, true) => "tối đa × giá trị thấp nhất / giá trị".to_string(),
            (false, false) => "max × value / best value".to_string(),
            (false, true) => "max × best (lowest) value / value".to_string(),
        },
        RuleKind::Deduction { per, floor } => {
            if vi {
                format!(
                    "trừ {} điểm mỗi trường hợp, không dưới {}",
                    fmt_num(*per),
                    fmt_num(*floor)
                )
            } else {
                format!(
                    "minus {} per occurrence, floor {}",
                    fmt_num(*per),
                    fmt_num(*floor)
                )
            }
        }
        RuleKind::PerOccurrence { per } => {
            if vi {
                format!(
                    "{} điểm mỗi trường hợp, tối đa {}",
                    fmt_num(*per),
                    fmt_num(max)
                )
            } else {
                format!("{} per occurrence, up to {}", fmt_num(*per), fmt_num(max))
            }
        }
        RuleKind::Appraised => {
            if vi {
                "điểm thẩm định nhập trực tiếp".to_string()
            } else {
                "appraised points entered directly".to_string()
            }
        }
    };
    format!("{} [{}] ← {}", r.kind.name(), body, r.indicator)
}

/// A leaf's scoring guidance as an annex writes it ("Đạt từ 24 trở lên: 2 điểm; từ 12 đến dưới
/// 24: 1 điểm; dưới 12: 0 điểm"), numbers in the reader's notation: the phrasings offices use, so
/// that a person reads the rule and an import can read it back.
pub fn guidance(r: &Rule, max: f64, lang: Lang) -> String {
    let n = |x: f64| crate::support::numfmt::num(x, lang);
    let u = if r.scale == Scale::Percent { "%" } else { "" };
    let pts = |x: f64| {
        format!(
            "{} {}",
            n(x),
            lang.pick("điểm", if x == 1.0 { "point" } else { "points" })
        )
    };
    match &r.kind {
        RuleKind::Proportional => match lang {
            Lang::Vi => format!("Điểm = tỷ lệ đạt được × {}", pts(max)),
            Lang::En => format!("Points = the rate achieved × {}", pts(max)),
        },
        RuleKind::Linear { zero_at, full_at } => {
            // Higher is better when full points are at the larger value.
            let (up, down) = if full_at >= zero_at {
                (
                    lang.pick("trở lên", "or more"),
                    lang.pick("trở xuống", "or less"),
                )
            } else {
                (
                    lang.pick("trở xuống", "or less"),
                    lang.pick("trở lên", "or more"),
                )
            };
            match lang {
                Lang::Vi => format!(
                    "Đạt từ {}{u} {up}: {}; từ {}{u} {down}: 0 điểm; ở giữa tính theo tỷ lệ",
                    n(*full_at),
                    pts(max),
                    n(*zero_at)
                ),
                Lang::En => format!(
                    "{}{u} {up}: {}; {}{u} {down}: 0 points; in between, in proportion",
                    n(*full_at),
                    pts(max),
                    n(*zero_at)
                ),
            }
        }
        RuleKind::Bands(bands) => {
            let mut parts = Vec::new();
            let mut above: Option<f64> = None;
            for b in bands {
                let text = match (b.min, above, lang) {
                    (Some(m), None, Lang::Vi) => format!("Đạt từ {}{u} trở lên", n(m)),
                    (Some(m), None, Lang::En) => format!("{}{u} or more", n(m)),
                    (Some(m), Some(a), Lang::Vi) => format!("từ {}{u} đến dưới {}{u}", n(m), n(a)),
                    (Some(m), Some(a), Lang::En) => {
                        format!("from {}{u} to below {}{u}", n(m), n(a))
                    }
                    (None, Some(a), Lang::Vi) => format!("dưới {}{u}", n(a)),
                    (None, Some(a), Lang::En) => format!("below {}{u}", n(a)),
                    (None, None, Lang::Vi) => "Mọi giá trị".to_string(),
                    (None, None, Lang::En) => "Any value".to_string(),
                };
                parts.push(format!("{text}: {}", pts(b.points)));
                above = b.min.or(above);
            }
            parts.join("; ")
        }
        RuleKind::YesNo => match lang {
            Lang::Vi => format!("Có: {}; không: 0 điểm", pts(max)),
            Lang::En => format!("Yes: {}; no: 0 points", pts(max)),
        },
        RuleKind::Category(cats) => {
            let parts: Vec<String> = (cats.iter())
                .map(|c| format!("{}: {}", c.written, pts(c.points)))
                .collect();
            let s = parts.join("; ");
            let mut first = s.chars();
            (first.next().into_iter().flat_map(char::to_uppercase))
                .chain(first)
                .collect()
        }
        RuleKind::Relative { lower_better } => match (lang, lower_better) {
            (Lang::Vi, false) => format!(
                "So với đơn vị cao nhất: điểm = {} × giá trị / giá trị cao nhất",
                pts(max)
            ),
            (Lang::Vi, true) => format!(
                "So với đơn vị thấp nhất: điểm = {} × giá trị thấp nhất / giá trị",
                pts(max)
            ),
            (Lang::En, false) => format!(
                "Against the best unit: points = {} × value / highest value",
                pts(max)
            ),
            (Lang::En, true) => format!(
                "Against the best unit: points = {} × lowest value / value",
                pts(max)
            ),
        },
        RuleKind::Deduction { per, floor } => match lang {
            Lang::Vi => format!(
                "Tối đa {}; trừ {}/trường hợp, thấp nhất {}",
                pts(max),
                pts(*per),
                pts(*floor)
            ),
            Lang::En => format!(
                "At most {}; minus {} per case, at least {}",
                pts(max),
                pts(*per),
                pts(*floor)
            ),
        },
        RuleKind::PerOccurrence { per } => match lang {
            Lang::Vi => format!("{}/trường hợp, tối đa {}", pts(*per), pts(max)),
            Lang::En => format!("{} per case, at most {}", pts(*per), pts(max)),
        },
        RuleKind::Appraised => lang
            .pick(
                "Đoàn thẩm định chấm điểm theo thực tế",
                "Scored by the appraisal team",
            )
            .to_string(),
    }
}

/// The tree with maxima and rules, as `parindex check` prints it.
pub fn tree(c: &Criteria, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let mut out = String::new();
    let types = c.unit_types.join(", ");
    out.push_str(&format!(
        "{} ({} {}), {} {}; {}: {}\n",
        c.name,
        if vi { "năm" } else { "year" },
        c.year,
        fmt_num(c.max_points),
        if vi { "điểm" } else { "points" },
        if vi { "áp dụng cho" } else { "scores" },
        types
    ));
    let width = c
        .nodes
        .iter()
        .map(|n| n.depth * 2 + n.id.len())
        .max()
        .unwrap_or(4);
    for n in &c.nodes {
        let label = format!("{}{}", "  ".repeat(n.depth - 1), n.id);
        let name = match (lang, &n.name_en) {
            (Lang::En, Some(e)) => e.as_str(),
            _ => n.name.as_str(),
        };
        out.push_str(&format!("{label:<width$}  {:>6}  {name}", fmt_num(n.max)));
        if n.survey {
            out.push_str(if vi {
                " (điều tra XHH)"
            } else {
                " (survey)"
            });
        }
        if let Some(ts) = &n.applies_to {
            out.push_str(&format!(" [{}]", ts.join(", ")));
        }
        out.push('\n');
        if let Some(r) = n.rule() {
            out.push_str(&format!(
                "{:<width$}          {}\n",
                "",
                rule(r, n.max, lang)
            ));
        }
    }
    for (s, title) in [
        (&c.bonus, if vi { "Điểm thưởng" } else { "Bonus" }),
        (&c.penalty, if vi { "Điểm trừ" } else { "Penalty" }),
    ] {
        if let Some(s) = s {
            out.push_str(&format!(
                "{title} ({} {}):\n",
                if vi { "tối đa" } else { "cap" },
                fmt_num(s.cap)
            ));
            for it in &s.items {
                out.push_str(&format!(
                    "  {:<6} {:>6}  {}\n          {}\n",
                    it.id,
                    fmt_num(it.max),
                    it.name,
                    rule(&it.rule, it.max, lang)
                ));
            }
        }
    }
    out.push_str(&grades(c, lang));
    out
}

/// Grade bands on one line each, e.g. `Xuất sắc: ≥ 90%`.
pub fn grades(c: &Criteria, lang: Lang) -> String {
    let vi = lang == Lang::Vi;
    let mut out = format!("{}:\n", if vi { "Xếp loại" } else { "Grades" });
    let mut upper: Option<f64> = None;
    for b in &c.grading.bands {
        let label = b.label_in(lang);
        let range = match (b.min, upper) {
            (Some(m), None) => format!("≥ {}%", nl(vi, m)),
            (Some(m), Some(u)) => format!("{}% – < {}%", nl(vi, m), nl(vi, u)),
            (None, Some(u)) => format!("< {}%", nl(vi, u)),
            (None, None) => {
                if vi {
                    "mọi mức".into()
                } else {
                    "any".into()
                }
            }
        };
        out.push_str(&format!("  {label}: {range}\n"));
        upper = b.min;
    }
    for d in &c.disqualify {
        let test = match d.test {
            Test::Yes => {
                if vi {
                    "có".to_string()
                } else {
                    "yes".to_string()
                }
            }
            Test::Cmp(op, x) => format!("{} {}", op.symbol(), nl(vi, x)),
        };
        let cap = c.grading.bands[d.cap_grade].label_in(lang);
        out.push_str(&format!(
            "  {} {}: {} ({} {}) → {} {}\n",
            if vi {
                "Điều kiện hạ loại"
            } else {
                "Disqualifying condition"
            },
            d.id,
            d.name,
            d.indicator,
            test,
            if vi { "không cao hơn" } else { "at best" },
            cap
        ));
    }
    out
}

/// The method statement printed with results: ranking, ties, rounding, grading basis.
pub fn method(c: &Criteria, lang: Lang) -> Vec<String> {
    let vi = lang == Lang::Vi;
    let scope = match (c.ranking.scope, vi) {
        (Scope::UnitType, true) => "theo từng loại đơn vị",
        (Scope::Bloc, true) => "theo từng khối/cụm thi đua",
        (Scope::All, true) => "chung cho tất cả đơn vị",
        (Scope::UnitType, false) => "within each unit type",
        (Scope::Bloc, false) => "within each emulation bloc",
        (Scope::All, false) => "across all units",
    };
    let method = match (c.ranking.method, vi) {
        (RankMethod::Competition, true) => {
            "đồng hạng kiểu 1-2-2-4 (hạng kế tiếp bỏ qua số đơn vị đồng hạng)"
        }
        (RankMethod::Dense, true) => "đồng hạng kiểu 1-2-2-3 (không bỏ hạng)",
        (RankMethod::Competition, false) => "competition ranking 1-2-2-4",
        (RankMethod::Dense, false) => "dense ranking 1-2-2-3",
    };
    let tie_break: Vec<&str> = c
        .ranking
        .tie_break
        .iter()
        .map(|&i| c.nodes[i].id.as_str())
        .collect();
    let tb = if tie_break.is_empty() {
        if vi {
            "không có tiêu chí phụ".to_string()
        } else {
            "none".to_string()
        }
    } else if vi {
        format!(
            "điểm cao hơn ở lĩnh vực/tiêu chí {} (theo thứ tự)",
            tie_break.join(", ")
        )
    } else {
        format!("higher points in {} (in that order)", tie_break.join(", "))
    };
    let basis = match (c.grading.basis, vi) {
        (GradeBasis::RoundedIndex, true) => {
            "xếp loại theo chỉ số đã làm tròn 2 chữ số thập phân (số được công bố)"
        }
        (GradeBasis::UnroundedIndex, true) => "xếp loại theo chỉ số chưa làm tròn",
        (GradeBasis::RoundedIndex, false) => {
            "grades use the index rounded to 2 decimals (the published figure)"
        }
        (GradeBasis::UnroundedIndex, false) => "grades use the unrounded index",
    };
    if vi {
        vec![
            format!("Xếp hạng {scope}, theo tổng điểm chưa làm tròn; {method}."),
            format!("Hai đơn vị đồng hạng khi tổng điểm chênh nhau không quá {} điểm; tiêu chí phụ khi bằng điểm: {tb}; cùng hạng thì liệt kê theo mã đơn vị.", nl(vi, c.ranking.tie_tolerance)),
            "Điểm và chỉ số hiển thị được làm tròn 2 chữ số thập phân, nửa làm tròn ra xa số 0 (như hàm ROUND của Excel).".to_string(),
            format!("Chỉ số (%) = tổng điểm / {} × 100; {basis}.", nl(vi, c.max_points)),
        ]
    } else {
        vec![
            format!("Ranked {scope} on unrounded total points; {method}."),
            format!("Totals within {} points tie; tie-break: {tb}; equal ranks are listed by unit code.", fmt_num(c.ranking.tie_tolerance)),
            "Displayed points and index are rounded to 2 decimals, half away from zero (as Excel's ROUND).".to_string(),
            format!("Index (%) = total points / {} × 100; {basis}.", fmt_num(c.max_points)),
        ]
    }
}
