//! A criteria annex as offices write it (`parindex criteria import`): the table "Bộ tiêu chí xác
//! định Chỉ số CCHC" of a Decision, in a workbook or a CSV, read into a tree of criteria with their
//! maxima and, for each leaf, the scoring rule its guidance states when the guidance is one of the
//! phrasings offices use (the phrasings `criteria export` writes) — anything else is `appraised`,
//! never a guessed rule. The header row is found under any title rows by its captions, in any
//! order; a column-number row ("(1) (2) (3)") and a total row are skipped; the numbering (Roman
//! areas, Arabic and dotted criteria, letters, dashes) makes the tree; rows without points are
//! guidance of the criterion above. Facts only: the report writes the TOML.

use std::path::Path;

use crate::input::ingest::{self, Value};
use crate::support::error::{DataIssue, Error, Result};
use crate::support::text;

/// A scoring rule read from a guidance text, as the criteria file writes it.
#[derive(Debug, Clone, PartialEq)]
pub enum Recognised {
    Proportional,
    Linear {
        zero_at: f64,
        full_at: f64,
        percent: bool,
    },
    /// (min, points), best first; the last may have no min.
    Bands {
        bands: Vec<(Option<f64>, f64)>,
        percent: bool,
    },
    YesNo,
    Category(Vec<(String, f64)>),
    Relative {
        lower_better: bool,
    },
    Deduction {
        per: f64,
        floor: f64,
    },
    PerOccurrence {
        per: f64,
    },
    /// No phrasing recognised: the appraisal team's points.
    Appraised,
}

/// A criterion of the annex.
#[derive(Debug, Clone)]
pub struct Criterion {
    /// Dotted id made from the tree ("3.2.1").
    pub id: String,
    /// The numbering as the document writes it ("III", "2", "a", "-").
    pub number: String,
    pub name: String,
    pub max: f64,
    pub rule: Option<Recognised>,
    /// The guidance as written (kept as the note when no rule was recognised).
    pub guidance: String,
    /// Evidence and guidance-only rows below it.
    pub notes: Vec<String>,
    pub line: usize,
    pub children: Vec<usize>,
    pub parent: Option<usize>,
}

/// A bonus or penalty section: its title, cap and items.
#[derive(Debug, Clone)]
pub struct Section {
    pub name: String,
    pub cap: f64,
    pub items: Vec<Criterion>,
    pub line: usize,
}

#[derive(Debug, Clone, Default)]
pub struct Annex {
    pub file: String,
    /// The title rows above the header ("BỘ CHỈ SỐ … NĂM 2025").
    pub titles: Vec<String>,
    pub nodes: Vec<Criterion>,
    pub areas: Vec<usize>,
    pub bonus: Option<Section>,
    pub penalty: Option<Section>,
    /// The total row's points, when the annex has one.
    pub total: Option<f64>,
}

#[derive(Clone, Copy, PartialEq)]
enum Col {
    Number,
    Name,
    Max,
    Guidance,
    Evidence,
}

fn column_of(caption: &str) -> Option<Col> {
    let k = text::fold(caption);
    let any = |words: &[&str]| words.iter().any(|w| k == *w || k.starts_with(w));
    if any(&["stt", "tt", "số tt", "số thứ tự"]) {
        Some(Col::Number)
    } else if any(&[
        "điểm tối đa",
        "điểm chuẩn",
        "thang điểm",
        "điểm tối đa điểm",
    ]) || k == "điểm"
    {
        Some(Col::Max)
    } else if any(&[
        "hướng dẫn chấm điểm",
        "phương pháp chấm điểm",
        "cách tính điểm",
        "hướng dẫn",
        "phương pháp",
    ]) {
        Some(Col::Guidance)
    } else if any(&["tài liệu kiểm chứng", "ghi chú", "tài liệu"]) {
        Some(Col::Evidence)
    } else if any(&["tiêu chí", "nội dung", "lĩnh vực", "tên tiêu chí"]) {
        Some(Col::Name)
    } else {
        None
    }
}

fn cell_text(v: &Value) -> String {
    match v {
        Value::Empty => String::new(),
        Value::Text(s) => s.trim().to_string(),
        Value::Number(x) => crate::support::numfmt::machine(*x),
        Value::Percent(x) => format!(
            "{}%",
            crate::support::numfmt::machine(ingest::percent_of(*x))
        ),
    }
}

/// A number as an annex writes it: "2", "2,0", "1.5", "2 điểm", "tối đa 5".
pub fn points(s: &str) -> Option<f64> {
    let k = text::key(s);
    let k = k
        .trim_start_matches("tối đa")
        .trim_end_matches("điểm")
        .trim()
        .replace(',', ".");
    k.parse::<f64>().ok().filter(|x| x.is_finite() && *x >= 0.0)
}

fn is_roman(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'))
}

/// The numbering of a row, cleaned of a trailing "." or ")".
fn clean_number(s: &str) -> String {
    s.trim().trim_end_matches(['.', ')']).trim().to_string()
}

/// A row numbered "(1)", "(2)"… under the header: the columns' numbers, not data.
fn is_column_numbers(cells: &[String]) -> bool {
    let filled: Vec<&String> = cells.iter().filter(|c| !c.is_empty()).collect();
    filled.len() >= 2
        && filled.iter().all(|c| {
            let t = c.trim_matches(['(', ')', ' ']);
            !t.is_empty()
                && t.chars()
                    .all(|ch| ch.is_ascii_digit() || ch == '=' || ch == '+')
        })
}

/// Read an annex.
pub fn read(path: &Path) -> Result<Annex> {
    let (file, grid) = ingest::read_grid(path)?;
    let rows: Vec<(usize, Vec<String>)> = (grid.rows.iter())
        .map(|r| (r.line, r.cells.iter().map(cell_text).collect()))
        .collect();
    // The header: the first row with a numbering, a name and a maximum caption.
    let found = rows.iter().position(|(_, cells)| {
        let cols: Vec<Option<Col>> = cells.iter().map(|c| column_of(c)).collect();
        [Col::Number, Col::Name, Col::Max]
            .iter()
            .all(|want| cols.contains(&Some(*want)))
    });
    let Some(head) = found else {
        return Err(Error::data(
            &file,
            crate::tr!(
                "không tìm thấy dòng tiêu đề của bảng tiêu chí: cần các cột STT, Tiêu chí (hoặc Nội dung), Điểm tối đa",
                "no header row of a criteria table: it needs the columns STT, Tiêu chí (or Nội dung), Điểm tối đa"
            ),
        ));
    };
    let cols: Vec<Option<Col>> = rows[head].1.iter().map(|c| column_of(c)).collect();
    let at = |want: Col| cols.iter().position(|c| *c == Some(want));
    let (num_c, name_c, max_c) = (at(Col::Number), at(Col::Name), at(Col::Max));
    let (guide_c, evid_c) = (at(Col::Guidance), at(Col::Evidence));
    let max_col = max_c.map(|c| format!("{} ({})", text::column_letter(c), rows[head].1[c]));
    let get = |cells: &Vec<String>, c: Option<usize>| {
        c.and_then(|c| cells.get(c)).cloned().unwrap_or_default()
    };
    let mut out = Annex {
        file: file.clone(),
        titles: rows[..head]
            .iter()
            .flat_map(|(_, cells)| cells.iter().filter(|c| !c.is_empty()).cloned())
            .collect(),
        ..Annex::default()
    };
    let mut issues = Vec::new();
    // Where the next rows go: the area, the criterion, the sub-criterion being read.
    let mut stack: Vec<usize> = Vec::new();
    let mut section: Option<(bool, Section)> = None;
    let mut last: Option<usize> = None;
    for (line, cells) in &rows[head + 1..] {
        if cells.iter().all(|c| c.is_empty()) || is_column_numbers(cells) {
            continue;
        }
        let number = clean_number(&get(cells, num_c));
        let name = get(cells, name_c);
        let max_text = get(cells, max_c);
        let guidance = get(cells, guide_c);
        let evidence = get(cells, evid_c);
        let folded = text::fold(&name);
        if folded.starts_with("tổng") || folded == "total" {
            out.total = points(&max_text);
            continue;
        }
        let max = points(&max_text);
        if !max_text.is_empty() && max.is_none() {
            issues.push(DataIssue {
                file: file.clone(),
                row: Some(*line),
                column: max_col.clone(),
                message: crate::tr!(
                    "`{max_text}` không phải số điểm",
                    "`{max_text}` is not a number of points"
                ),
            });
            continue;
        }
        // A bonus or penalty section opens under its own Roman number.
        let is_bonus = folded.contains("điểm thưởng") || folded.contains("điểm cộng");
        let is_penalty = folded.contains("điểm trừ");
        if is_roman(&number) && (is_bonus || is_penalty) {
            if let Some((b, s)) = section.take() {
                if b {
                    out.bonus = Some(s);
                } else {
                    out.penalty = Some(s);
                }
            }
            section = Some((
                is_bonus,
                Section {
                    name,
                    cap: max.unwrap_or(0.0),
                    items: Vec::new(),
                    line: *line,
                },
            ));
            continue;
        }
        let Some(max) = max else {
            // No points: guidance of the criterion above.
            let text = [name, guidance, evidence]
                .into_iter()
                .filter(|t| !t.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            match (&mut section, last) {
                (Some((_, s)), _) if !s.items.is_empty() => s
                    .items
                    .last_mut()
                    .into_iter()
                    .for_each(|i| i.notes.push(text.clone())),
                (_, Some(l)) => out.nodes[l].notes.push(text),
                _ => {}
            }
            continue;
        };
        let rule = Some(recognise(&guidance, max));
        let mut c = Criterion {
            id: String::new(),
            number: number.clone(),
            name,
            max,
            rule,
            guidance,
            notes: if evidence.is_empty() {
                vec![]
            } else {
                vec![evidence]
            },
            line: *line,
            children: vec![],
            parent: None,
        };
        if let Some((_, s)) = &mut section {
            c.id = format!("{}", s.items.len() + 1);
            s.items.push(c);
            continue;
        }
        // The level this numbering stands at: Roman an area; an integer a criterion of it;
        // a letter a sub-criterion; a dotted number by its dots; a dash below the last.
        let level = if is_roman(&number) {
            0
        } else if number.contains('.') && number.split('.').all(|p| p.parse::<u32>().is_ok()) {
            number.matches('.').count() + 1
        } else if number.parse::<u32>().is_ok() {
            1
        } else if number.len() == 1 && number.chars().all(|ch| ch.is_ascii_lowercase()) {
            2
        } else {
            stack.len()
        }
        .min(stack.len());
        stack.truncate(level);
        let parent = stack.last().copied();
        let index = out.nodes.len();
        c.parent = parent;
        c.id = match parent {
            Some(p) => format!("{}.{}", out.nodes[p].id, out.nodes[p].children.len() + 1),
            None => format!("{}", out.areas.len() + 1),
        };
        match parent {
            Some(p) => out.nodes[p].children.push(index),
            None => out.areas.push(index),
        }
        out.nodes.push(c);
        stack.push(index);
        last = Some(index);
    }
    if let Some((b, s)) = section.take() {
        if b {
            out.bonus = Some(s);
        } else {
            out.penalty = Some(s);
        }
    }
    for n in &mut out.nodes {
        if !n.children.is_empty() {
            n.rule = None;
        }
    }
    // Maxima that do not add up, with their rows (as `check` reports a criteria file).
    let sum_of = |v: &[usize]| v.iter().map(|&i| out.nodes[i].max).sum::<f64>();
    for n in &out.nodes {
        let sum = sum_of(&n.children);
        if !n.children.is_empty() && (sum - n.max).abs() > 1e-6 {
            issues.push(DataIssue {
                file: file.clone(),
                row: Some(n.line),
                column: max_col.clone(),
                message: crate::tr!(
                    "`{} {}`: điểm tối đa {} nhưng các tiêu chí thành phần cộng lại {} (dòng {})",
                    "`{} {}`: maximum {} but its sub-criteria add up to {} (rows {})",
                    n.number,
                    n.name,
                    crate::support::numfmt::fmt_num(n.max),
                    crate::support::numfmt::fmt_num(sum),
                    ingest::line_list(
                        &n.children
                            .iter()
                            .map(|&c| out.nodes[c].line)
                            .collect::<Vec<_>>()
                    )
                ),
            });
        }
    }
    if let Some(total) = out.total {
        let sum = sum_of(&out.areas);
        if (sum - total).abs() > 1e-6 {
            issues.push(DataIssue {
                file: file.clone(),
                row: None,
                column: max_col.clone(),
                message: crate::tr!(
                    "tổng điểm {} nhưng các lĩnh vực cộng lại {}",
                    "the total is {} but the areas add up to {}",
                    crate::support::numfmt::fmt_num(total),
                    crate::support::numfmt::fmt_num(sum)
                ),
            });
        }
    }
    if out.nodes.is_empty() {
        issues.push(DataIssue {
            file: file.clone(),
            row: Some(rows[head].0),
            column: None,
            message: crate::tr!(
                "bảng tiêu chí không có dòng nào có điểm dưới dòng tiêu đề",
                "the criteria table has no row with points under its header"
            ),
        });
    }
    if issues.is_empty() {
        Ok(out)
    } else {
        Err(Error::Data(issues))
    }
}

/// `x`, `x%`, `x cuộc`: a number of a guidance text (a counted thing after it is dropped) and
/// whether it is a rate.
fn amount(s: &str) -> Option<(f64, bool)> {
    let t = s.trim();
    // "4 cuộc", "2 văn bản": the number, then words.
    let t = match t.find(|c: char| c.is_alphabetic()) {
        Some(at) if at > 0 && t[..at].trim().chars().any(|c| c.is_ascii_digit()) => t[..at].trim(),
        _ => t,
    };
    let (t, percent) = match t.strip_suffix('%') {
        Some(t) => (t.trim(), true),
        None => (t, false),
    };
    let x = t.replace(',', ".").parse::<f64>().ok()?;
    x.is_finite().then_some((x, percent))
}

/// "2 điểm" / "0 điểm".
fn pts(s: &str) -> Option<f64> {
    let k = text::key(s);
    amount(k.strip_suffix("điểm")?.trim()).map(|(x, _)| x)
}

/// Whether a guidance says the appraisal team scores the criterion ("Đoàn thẩm định chấm điểm theo
/// thực tế"): `appraised` stated, not merely not recognised.
pub fn says_appraised(guidance: &str) -> bool {
    let k = text::fold(guidance);
    k.contains("thẩm định chấm") || k.contains("scored by the appraisal team")
}

/// The rule a guidance text states, when it is one of the phrasings offices use; `Appraised`
/// otherwise (never a guess).
pub fn recognise(guidance: &str, max: f64) -> Recognised {
    let g = text::key(guidance);
    let g = g.trim_end_matches('.');
    let parts: Vec<&str> = g
        .split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let same = |x: f64| (x - max).abs() < 1e-9;
    // "điểm = tỷ lệ đạt được × 2 điểm"
    if parts.len() == 1 {
        if let Some(rest) = g.strip_prefix("điểm = tỷ lệ đạt được × ") {
            if pts(rest).is_some_and(same) {
                return Recognised::Proportional;
            }
        }
        // "tỷ lệ × điểm tối đa", "tỷ lệ (%) × điểm tối đa"
        let k = text::fold(g);
        if k == "tỷ lệ điểm tối đa" || k == "điểm tỷ lệ điểm tối đa" || k == "tỷ lệ x điểm tối đa"
        {
            return Recognised::Proportional;
        }
        // "trừ 0,5 điểm/trường hợp" (down to 0)
        if let Some(per) = g
            .strip_prefix("trừ ")
            .and_then(|r| r.strip_suffix("/trường hợp"))
        {
            if let Some(per) = pts(per) {
                return Recognised::Deduction { per, floor: 0.0 };
            }
        }
        // "1 điểm/trường hợp, tối đa 2 điểm"
        if let Some((per, cap)) = g.split_once("/trường hợp, tối đa ") {
            if let (Some(per), Some(cap)) = (pts(per), pts(cap)) {
                if same(cap) {
                    return Recognised::PerOccurrence { per };
                }
            }
        }
        for (prefix, lower_better) in [
            ("so với đơn vị cao nhất: điểm = ", false),
            ("so với đơn vị thấp nhất: điểm = ", true),
        ] {
            if let Some(rest) = g.strip_prefix(prefix) {
                let tail = if lower_better {
                    " × giá trị thấp nhất / giá trị"
                } else {
                    " × giá trị / giá trị cao nhất"
                };
                if rest.strip_suffix(tail).and_then(pts).is_some_and(same) {
                    return Recognised::Relative { lower_better };
                }
            }
        }
    }
    // "tối đa 2 điểm; trừ 0,5 điểm/trường hợp, thấp nhất 0 điểm"
    if parts.len() == 2 {
        if let (Some(top), Some(rest)) = (
            parts[0].strip_prefix("tối đa "),
            parts[1].strip_prefix("trừ "),
        ) {
            if let Some((per, floor)) = rest.split_once("/trường hợp, thấp nhất ") {
                if let (Some(top), Some(per), Some(floor)) = (pts(top), pts(per), pts(floor)) {
                    if same(top) {
                        return Recognised::Deduction { per, floor };
                    }
                }
            }
        }
    }
    let pairs: Option<Vec<(&str, f64)>> = parts
        .iter()
        .map(|p| {
            let (l, r) = p.rsplit_once(':')?;
            Some((l.trim(), pts(r)?))
        })
        .collect();
    let Some(pairs) = pairs else {
        return linear(&parts, max).unwrap_or(Recognised::Appraised);
    };
    // "có: 1 điểm; không: 0 điểm"
    if pairs.len() == 2
        && pairs[0].0 == "có"
        && pairs[1].0 == "không"
        && same(pairs[0].1)
        && pairs[1].1 == 0.0
    {
        return Recognised::YesNo;
    }
    // "đạt từ 24 trở lên: 2 điểm; từ 12 đến dưới 24: 1 điểm; dưới 12: 0 điểm"
    if let Some(b) = bands(&pairs) {
        return b;
    }
    // "không: 0 điểm; một phần: 1 điểm; toàn trình: 2 điểm"
    if pairs.len() >= 2
        && pairs.iter().all(|(w, _)| {
            !w.is_empty() && amount(w).is_none() && !w.contains("từ") && !w.contains("dưới")
        })
        && pairs.iter().any(|(_, p)| same(*p))
    {
        return Recognised::Category(pairs.iter().map(|(w, p)| (w.to_string(), *p)).collect());
    }
    Recognised::Appraised
}

fn bands(pairs: &[(&str, f64)]) -> Option<Recognised> {
    let mut out = Vec::new();
    let mut percent = false;
    let mut above: Option<f64> = None;
    for (i, (l, p)) in pairs.iter().enumerate() {
        let l = l.strip_prefix("đạt ").unwrap_or(l);
        let min = if let Some(x) = l
            .strip_prefix("từ ")
            .and_then(|r| r.strip_suffix(" trở lên"))
        {
            (i == 0).then_some(())?;
            let (x, pc) = amount(x)?;
            percent |= pc;
            Some(x)
        } else if let (0, Some((x, pc))) = (i, amount(l)) {
            // "Đạt 100%: 2 điểm" first: that value and above.
            percent |= pc;
            Some(x)
        } else if let Some(r) = l.strip_prefix("từ ") {
            let (x, y) = r.split_once(" đến dưới ")?;
            let ((x, pc), (y, _)) = (amount(x)?, amount(y)?);
            (above == Some(y)).then_some(())?;
            percent |= pc;
            Some(x)
        } else if let Some(y) = l.strip_prefix("dưới ") {
            let (y, _) = amount(y)?;
            (above == Some(y) && i + 1 == pairs.len()).then_some(())?;
            None
        } else {
            return None;
        };
        above = min.or(above);
        out.push((min, *p));
    }
    (out.len() >= 2).then_some(Recognised::Bands {
        bands: out,
        percent,
    })
}

/// "đạt từ 100% trở lên: 8 điểm; từ 80% trở xuống: 0 điểm; ở giữa tính theo tỷ lệ"
fn linear(parts: &[&str], max: f64) -> Option<Recognised> {
    if parts.len() != 3 || parts[2] != "ở giữa tính theo tỷ lệ" {
        return None;
    }
    let (full, p_full) = parts[0].strip_prefix("đạt từ ")?.rsplit_once(':')?;
    let (zero, p_zero) = parts[1].strip_prefix("từ ")?.rsplit_once(':')?;
    if (pts(p_full)? - max).abs() > 1e-9 || pts(p_zero)? != 0.0 {
        return None;
    }
    let strip = |s: &str| {
        s.strip_suffix(" trở lên")
            .or_else(|| s.strip_suffix(" trở xuống"))
            .map(str::to_string)
    };
    let (full_at, pc) = amount(&strip(full)?)?;
    let (zero_at, _) = amount(&strip(zero)?)?;
    Some(Recognised::Linear {
        zero_at,
        full_at,
        percent: pc,
    })
}

#[cfg(test)]
mod tests {
    use super::{recognise, Recognised};

    /// The phrasings offices write (the issue's examples among them) and what each reads as.
    #[test]
    fn common_phrasings_are_recognised_and_others_are_not_guessed() {
        let bands = |b: &[(Option<f64>, f64)], percent| Recognised::Bands {
            bands: b.to_vec(),
            percent,
        };
        let cases: &[(&str, f64, Recognised)] = &[
            ("Có: 1 điểm; không: 0 điểm", 1.0, Recognised::YesNo),
            (
                "Điểm = tỷ lệ đạt được × 2 điểm",
                2.0,
                Recognised::Proportional,
            ),
            ("Tỷ lệ × điểm tối đa", 2.0, Recognised::Proportional),
            (
                "Đạt 100%: 2 điểm; từ 80% đến dưới 100%: 1 điểm; dưới 80%: 0 điểm",
                2.0,
                bands(&[(Some(100.0), 2.0), (Some(80.0), 1.0), (None, 0.0)], true),
            ),
            (
                "Từ 4 cuộc trở lên: 1 điểm; từ 2 đến dưới 4 cuộc: 0,5 điểm; dưới 2 cuộc: 0 điểm",
                1.0,
                bands(&[(Some(4.0), 1.0), (Some(2.0), 0.5), (None, 0.0)], false),
            ),
            (
                "Ban hành đúng thời hạn: 1 điểm; ban hành chậm: 0,5 điểm; không ban hành: 0 điểm",
                1.0,
                Recognised::Category(vec![
                    ("ban hành đúng thời hạn".into(), 1.0),
                    ("ban hành chậm".into(), 0.5),
                    ("không ban hành".into(), 0.0),
                ]),
            ),
            (
                "Trừ 0,5 điểm/trường hợp",
                2.0,
                Recognised::Deduction {
                    per: 0.5,
                    floor: 0.0,
                },
            ),
            (
                "1 điểm/trường hợp, tối đa 2 điểm",
                2.0,
                Recognised::PerOccurrence { per: 1.0 },
            ),
            (
                "Đạt từ 95% trở lên: 3 điểm; từ 80% trở xuống: 0 điểm; ở giữa tính theo tỷ lệ",
                3.0,
                Recognised::Linear {
                    zero_at: 80.0,
                    full_at: 95.0,
                    percent: true,
                },
            ),
            // Not a phrasing: the appraisal team's points, whatever numbers it holds.
            (
                "Hội đồng xem xét, cho điểm tùy mức độ",
                2.0,
                Recognised::Appraised,
            ),
            ("Có: 2 điểm; không: 0 điểm", 1.0, Recognised::Appraised),
            ("Tốt: 2 điểm; khá: 1 điểm", 3.0, Recognised::Appraised),
        ];
        for (text, max, want) in cases {
            assert_eq!(&recognise(text, *max), want, "{text}");
        }
    }
}
