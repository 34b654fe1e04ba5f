//! The words for the typed facts the layers below return: a criterion's flag, an award decision,
//! the kind of a year-on-year comparison, a ranking group's label (`criteria` says a criteria set
//! and its rules, `awards` an award's rules, `audit` the criteria audit's flags). Only here and in `report::view` do typed facts become
//! what people read, in the run's language; the layers below keep codes and keys.

pub mod audit;
pub mod awards;
pub mod criteria;

use crate::analyses::awards::Decision;
use crate::analyses::compare::Kind;
use crate::input::criteria::Criteria;
use crate::scoring::rank::{GroupKey, RankGroup, NO_BLOC};
use crate::scoring::score::Flag;
use crate::support::i18n::Lang;

/// What the reader noticed about the table `table`, as a note of the run.
pub fn read_note(table: &str, note: &crate::input::ingest::ReadNote) -> String {
    use crate::input::ingest::{line_list, ReadNote};
    match note {
        ReadNote::Utf8 { bom: true } => crate::tr!(
            "{table}: bảng mã UTF-8 (có BOM)",
            "{table}: encoding UTF-8 (with BOM)"
        ),
        ReadNote::Utf8 { bom: false } => {
            crate::tr!("{table}: bảng mã UTF-8", "{table}: encoding UTF-8")
        }
        ReadNote::Windows1258 => crate::tr!(
            "{table}: không phải UTF-8, đã đọc theo bảng mã Windows-1258",
            "{table}: not UTF-8, read as Windows-1258"
        ),
        ReadNote::Skipped(lines) => crate::tr!(
            "{table}: bỏ qua {} dòng không phải dữ liệu đơn vị (số thứ tự cột, tổng cộng, chữ ký): dòng {}",
            "{table}: skipped {} row(s) that are not unit data (column numbers, totals, signatures): row(s) {}",
            lines.len(),
            line_list(lines)
        ),
        ReadNote::Detected { locale, example } => crate::tr!(
            "{table}: phát hiện {} (ví dụ {example})",
            "{table}: {} detected (e.g. {example})",
            locale.describe()
        ),
        ReadNote::CommaFromSemicolon => crate::tr!(
            "{table}: không có số nào xác định được kiểu viết; coi dấu phẩy là dấu thập phân vì tệp dùng dấu `;`",
            "{table}: no unambiguous number; decimal comma assumed from the `;` separator"
        ),
        ReadNote::Ambiguous {
            count,
            example,
            locale,
        } => crate::tr!(
            "{table}: {count} giá trị như {example} có thể hiểu theo hai cách; đã đọc theo kiểu {}",
            "{table}: {count} value(s) such as {example} could be read either way; read with {}",
            locale.describe()
        ),
    }
}

/// What the command saw while it assembled the run, as a note on the terminal.
pub enum RunNote<'a> {
    /// Units of a type no criteria file scores.
    NotScored { unit_type: &'a str, units: usize },
    /// Columns read that no criterion uses.
    UnusedColumns(&'a [String]),
    /// Survey columns in a self-assessment (units do not score the survey).
    SurveyIgnored(&'a [String]),
    /// The Monte Carlo's size, seed and time.
    Replications {
        replications: usize,
        seed: u64,
        seconds: f64,
    },
}

/// A run note in the run's language.
pub fn run_note(note: &RunNote) -> String {
    match note {
        RunNote::NotScored { unit_type, units } => crate::tr!(
            "{units} đơn vị loại `{unit_type}` không được chấm: không có tệp tiêu chí cho loại này",
            "{units} unit(s) of type `{unit_type}` not scored: no criteria file given for that type"
        ),
        RunNote::UnusedColumns(columns) => crate::tr!(
            "các cột đã đọc nhưng không tiêu chí nào dùng: {}",
            "columns read but used by no criterion: {}",
            columns.join(", ")
        ),
        RunNote::SurveyIgnored(columns) => crate::tr!(
            "tự đánh giá: bỏ qua các cột điều tra xã hội học ({}); đơn vị không tự chấm phần này",
            "self-assessment: survey columns ignored ({}); units do not score the survey",
            columns.join(", ")
        ),
        RunNote::Replications {
            replications,
            seed,
            seconds,
        } => crate::tr!(
            "độ bất định: {} lần mô phỏng, hạt giống {}, {}",
            "uncertainty: {} replications, seed {}, {}",
            replications,
            seed,
            crate::support::numfmt::seconds(*seconds)
        ),
    }
}

/// A change of a criterion between two criteria sets.
pub fn revision_change(c: &crate::analyses::revision::Change, lang: Lang) -> &'static str {
    use crate::analyses::revision::Change;
    match c {
        Change::Moved => lang.pick("đổi số thứ tự", "renumbered"),
        Change::Renamed => lang.pick("đổi nội dung", "reworded"),
        Change::Max => lang.pick("đổi điểm tối đa", "maximum changed"),
        Change::Rule => lang.pick("đổi cách chấm", "scoring rule changed"),
        Change::Split => lang.pick(
            "tách thành hoặc gộp từ tiêu chí thành phần",
            "split into or merged from sub-criteria",
        ),
    }
}

/// How much of a criteria set changed definition since the last: the caveat a meeting needs
/// before reading a change of rank ("Bộ tiêu chí … 2025 so với 2024: 14 điểm trên 100 thay đổi
/// cách chấm; thêm 3, bỏ 1, đổi 5 tiêu chí").
pub fn revision_caveat(
    old: &Criteria,
    new: &Criteria,
    r: &crate::analyses::revision::Revision,
    lang: Lang,
) -> String {
    use crate::support::numfmt::num;
    let changed = r.pairs.iter().filter(|p| !p.changes.is_empty()).count();
    let share = if r.new_max > 0.0 {
        r.changed_points / r.new_max * 100.0
    } else {
        0.0
    };
    crate::tr!(
        "{} so với bộ năm {}: {} điểm trên {} ({}%) thay đổi cách chấm; thêm {} tiêu chí, bỏ {}, thay đổi {}",
        "{} against the set of {}: {} points of {} ({}%) changed definition; {} criteria added, {} removed, {} changed",
        lang.text(&new.name, new.name_en.as_ref()),
        old.year,
        num(crate::support::numfmt::round_half_away(r.changed_points, 2), lang),
        num(r.new_max, lang),
        num(crate::support::numfmt::round_half_away(share, 1), lang),
        r.added.len(),
        r.removed.len(),
        changed
    )
}

/// What happened to a criterion of a unit, as a scorecard and the workbook's reference sheet say it.
pub fn flag(f: Flag, lang: Lang) -> &'static str {
    match f {
        Flag::Missing => lang.pick("thiếu dữ liệu", "missing"),
        Flag::NotApplicable => lang.pick("không áp dụng", "not applicable"),
        Flag::Rebased => lang.pick("không tính vào điểm tối đa", "left out of the maximum"),
        Flag::NoSurvey => lang.pick("không có điều tra XHH", "no survey data"),
        Flag::NotInScope => lang.pick("không thuộc loại đơn vị", "not for this unit type"),
        Flag::BelowBands => lang.pick("dưới mức thấp nhất", "below every band"),
        Flag::Capped => lang.pick("chạm mức tối đa", "capped"),
    }
}

/// An award decision.
pub fn decision(d: Decision, lang: Lang) -> &'static str {
    match d {
        Decision::Proposed => lang.pick("đề nghị", "proposed"),
        Decision::NotProposed => lang.pick("không đề nghị", "not proposed"),
        Decision::Vote => lang.pick("hội đồng bỏ phiếu", "committee vote"),
    }
}

/// The kind of comparison a unit got with last year.
pub fn change_kind(k: Kind, lang: Lang) -> &'static str {
    match k {
        Kind::Direct => lang.pick("so sánh trực tiếp", "direct"),
        Kind::Merged => lang.pick("hợp nhất", "merged"),
        Kind::Approximate => lang.pick("so sánh gần đúng", "approximate"),
        Kind::New => lang.pick("mới", "new"),
        Kind::NotCompared => lang.pick("không so sánh", "not compared"),
    }
}

/// The group of units with no emulation bloc (a ranking group, an award scope).
pub fn no_bloc(lang: Lang) -> &'static str {
    lang.pick(NO_BLOC[0], NO_BLOC[1])
}

/// A ranking group's name from its key: the unit type, the bloc (or "no bloc"), the file's unit
/// types.
pub fn group_key(key: &GroupKey, lang: Lang) -> String {
    key.name().unwrap_or_else(|| no_bloc(lang).to_string())
}

/// An official ranking group's label: its key's name, and the file's unit types when another
/// criteria file has a group of the same name.
pub fn rank_group(g: &RankGroup, criteria: &[Criteria], lang: Lang) -> String {
    let label = group_key(&g.key, lang);
    match criteria.get(g.criteria) {
        Some(c) if g.shared_label => format!("{label} ({})", c.unit_types.join(", ")),
        _ => label,
    }
}
