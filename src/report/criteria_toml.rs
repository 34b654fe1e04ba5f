//! The criteria file `criteria import` writes from an annex: one `[[criterion]]` per row with a
//! comment naming its source row and its numbering in the document, each recognised rule marked
//! for a person to confirm, an unrecognised guidance kept as the note of an `appraised` leaf;
//! `[meta]` from the title and the command line, a default grading to review. Formatted for
//! people; `check`, `template` and `score` take it as it is.

use crate::input::annex::{Annex, Criterion, Recognised};
use crate::support::numfmt::fmt_num;

/// What the annex does not say.
pub struct Meta<'a> {
    pub name: String,
    pub year: i64,
    pub unit_types: &'a [String],
}

/// A TOML string literal.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The indicator a leaf's data column is named by: `tc_` and its id.
pub fn indicator(id: &str) -> String {
    format!("tc_{}", id.replace('.', "_"))
}

/// A rule as an inline table, and whether it was recognised (to be confirmed) or not.
fn rule(r: &Recognised, indicator: &str) -> (String, bool) {
    let ind = q(indicator);
    let s = match r {
        Recognised::Proportional => format!("{{ kind = \"proportional\", indicator = {ind} }}"),
        Recognised::Linear {
            zero_at,
            full_at,
            percent,
        } => format!(
            "{{ kind = \"linear\", indicator = {ind}, zero_at = {}, full_at = {}, scale = \"{}\" }}",
            fmt_num(*zero_at),
            fmt_num(*full_at),
            if *percent { "percent" } else { "number" }
        ),
        Recognised::Bands { bands, percent } => {
            let b: Vec<String> = (bands.iter())
                .map(|(min, p)| match min {
                    Some(m) => format!("{{ min = {}, points = {} }}", fmt_num(*m), fmt_num(*p)),
                    None => format!("{{ points = {} }}", fmt_num(*p)),
                })
                .collect();
            format!(
                "{{ kind = \"bands\", indicator = {ind}, scale = \"{}\", bands = [{}] }}",
                if *percent { "percent" } else { "number" },
                b.join(", ")
            )
        }
        Recognised::YesNo => format!("{{ kind = \"yes_no\", indicator = {ind} }}"),
        Recognised::Category(cats) => {
            let c: Vec<String> = (cats.iter())
                .map(|(w, p)| format!("{} = {}", q(w), fmt_num(*p)))
                .collect();
            format!(
                "{{ kind = \"category\", indicator = {ind}, categories = {{ {} }} }}",
                c.join(", ")
            )
        }
        Recognised::Relative { lower_better } => format!(
            "{{ kind = \"relative\", indicator = {ind}, direction = \"{}\" }}",
            if *lower_better {
                "lower_better"
            } else {
                "higher_better"
            }
        ),
        Recognised::Deduction { per, floor } => format!(
            "{{ kind = \"deduction\", indicator = {ind}, per = {}, floor = {} }}",
            fmt_num(*per),
            fmt_num(*floor)
        ),
        Recognised::PerOccurrence { per } => format!(
            "{{ kind = \"per_occurrence\", indicator = {ind}, per = {} }}",
            fmt_num(*per)
        ),
        Recognised::Appraised => format!("{{ kind = \"appraised\", indicator = {ind} }}"),
    };
    (s, !matches!(r, Recognised::Appraised))
}

fn criterion(out: &mut String, file: &str, c: &Criterion, id: &str, table: &str) {
    // Bonus and penalty items have no `note`: their notes are comments.
    let item = table != "criterion";
    out.push_str(&format!(
        "\n# {file}, dòng {}: \"{}\"\n[[{table}]]\nid = {}\nname = {}\nmax = {}\n",
        c.line,
        c.number,
        q(id),
        q(&c.name),
        fmt_num(c.max)
    ));
    let mut notes = c.notes.clone();
    if let Some(r) = &c.rule {
        let (text, recognised) = rule(r, &indicator(id));
        if recognised {
            out.push_str(&format!(
                "# nhận dạng từ hướng dẫn \"{}\": hãy kiểm tra\n",
                c.guidance.replace('\n', " ")
            ));
        } else if !c.guidance.is_empty() && !crate::input::annex::says_appraised(&c.guidance) {
            notes.insert(0, c.guidance.clone());
        }
        out.push_str(&format!("rule = {text}\n"));
    }
    if notes.is_empty() {
    } else if item {
        out.push_str(&format!(
            "# ghi chú: {}\n",
            notes.join(" ").replace('\n', " ")
        ));
    } else {
        out.push_str(&format!("note = {}\n", q(&notes.join(" "))));
    }
}

/// The criteria file of an annex.
pub fn write(a: &Annex, meta: &Meta) -> String {
    let max_points = a
        .total
        .unwrap_or_else(|| a.areas.iter().map(|&i| a.nodes[i].max).sum());
    let types: Vec<String> = meta.unit_types.iter().map(|t| q(t)).collect();
    let mut out = format!(
        "# Nhập từ phụ lục {} bằng `parindex criteria import`. Các quy tắc chấm nhận dạng từ hướng dẫn\n\
         # được đánh dấu để người kiểm tra; hướng dẫn không nhận dạng được là điểm thẩm định, giữ ở `note`.\n\
         # Tên cột dữ liệu (`indicator`) đặt theo mã tiêu chí: đổi nếu cần. Định dạng: docs/criteria-format.md\n\n\
         [meta]\nname = {}\nyear = {}\nunit_types = [{}]\nmax_points = {}\n",
        a.file,
        q(&meta.name),
        meta.year,
        types.join(", "),
        fmt_num(max_points)
    );
    for c in &a.nodes {
        criterion(&mut out, &a.file, c, &c.id, "criterion");
    }
    // Item ids as the shipped files write them: T1… for bonus, D1… for penalty.
    for (key, section, prefix) in [("bonus", &a.bonus, "T"), ("penalty", &a.penalty, "D")] {
        let Some(s) = section else { continue };
        out.push_str(&format!(
            "\n# {}, dòng {}\n[{key}]\nname = {}\ncap = {}\n",
            a.file,
            s.line,
            q(&s.name),
            fmt_num(s.cap)
        ));
        for (k, it) in s.items.iter().enumerate() {
            let id = format!("{prefix}{}", k + 1);
            criterion(&mut out, &a.file, it, &id, &format!("{key}.item"));
        }
    }
    out.push_str(
        "\n# Thang xếp loại mặc định: hãy sửa theo quy định của tỉnh.\n[grading]\nbasis = \"rounded_index\"\n\n\
         [[grading.band]]\nlabel = \"Xuất sắc\"\nlabel_en = \"Excellent\"\nmin = 90\n\n\
         [[grading.band]]\nlabel = \"Tốt\"\nlabel_en = \"Good\"\nmin = 80\n\n\
         [[grading.band]]\nlabel = \"Khá\"\nlabel_en = \"Fair\"\nmin = 65\n\n\
         [[grading.band]]\nlabel = \"Trung bình\"\nlabel_en = \"Average\"\nmin = 50\n\n\
         [[grading.band]]\nlabel = \"Yếu\"\nlabel_en = \"Weak\"\n",
    );
    out
}
