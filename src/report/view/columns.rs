//! The columns of the documents' tables, defined once: every column header people read
//! (`Header`, in the run's language), and the ranking table as a list of typed columns
//! (`ranking_columns`) that the workbook, the HTML report and the terminal all render — the
//! workbook by each column's kind (a rank shown `3/34`, points, a percent, the grade in its
//! colour), the report from the same headers, the terminal a chosen few. A header like
//! "Tên đơn vị" is written here and nowhere else; `report.html` reads the same words by key.

use serde::Serialize;

use super::{num, Group, Row};
use crate::support::i18n::Lang;

/// A column header shared by the documents' tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Header {
    Rank,
    Code,
    UnitCode,
    Unit,
    UnitType,
    Bloc,
    CriteriaSet,
    Criterion,
    CriterionId,
    CriterionName,
    Max,
    Points,
    Bonus,
    Penalty,
    Total,
    Index,
    Grade,
    Notes,
    Units,
    ThisYear,
    Change,
    RankChange,
    Comparison,
    Difference,
    SelfAssessed,
    Appraised,
    Adjusted,
    MeanCut,
    MedianRank,
    Interval,
    PFirst,
    PGrade,
    PProposed,
    Scope,
    Reason,
    /// The row number of an annex table.
    Seq,
    /// An annex's criterion column.
    CriterionTree,
    /// An annex's scoring guidance.
    Guidance,
    NotApplicable,
    Missing,
    MeanShare,
    FullShare,
    ZeroShare,
    Distinct,
    ItemRest,
    NominalWeight,
    EffectiveWeight,
    RankShift,
    Alpha,
    Remarks,
}

/// The columns of a criteria annex (`criteria export`, .docx and .xlsx alike).
pub const ANNEX: [Header; 5] = [
    Header::Seq,
    Header::CriterionTree,
    Header::Max,
    Header::Guidance,
    Header::Notes,
];

impl Header {
    /// Every header, for the HTML report's label table.
    pub const ALL: [Header; 50] = [
        Header::Rank,
        Header::Code,
        Header::UnitCode,
        Header::Unit,
        Header::UnitType,
        Header::Bloc,
        Header::CriteriaSet,
        Header::Criterion,
        Header::CriterionId,
        Header::CriterionName,
        Header::Max,
        Header::Points,
        Header::Bonus,
        Header::Penalty,
        Header::Total,
        Header::Index,
        Header::Grade,
        Header::Notes,
        Header::Units,
        Header::ThisYear,
        Header::Change,
        Header::RankChange,
        Header::Comparison,
        Header::Difference,
        Header::SelfAssessed,
        Header::Appraised,
        Header::Adjusted,
        Header::MeanCut,
        Header::MedianRank,
        Header::Interval,
        Header::PFirst,
        Header::PGrade,
        Header::PProposed,
        Header::Scope,
        Header::Reason,
        Header::Seq,
        Header::CriterionTree,
        Header::Guidance,
        Header::NotApplicable,
        Header::Missing,
        Header::MeanShare,
        Header::FullShare,
        Header::ZeroShare,
        Header::Distinct,
        Header::ItemRest,
        Header::NominalWeight,
        Header::EffectiveWeight,
        Header::RankShift,
        Header::Alpha,
        Header::Remarks,
    ];

    /// The header in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        let (vi, en) = match self {
            Header::Rank => ("Hạng", "Rank"),
            Header::Code => ("Mã", "Code"),
            Header::UnitCode => ("Mã đơn vị", "Unit code"),
            Header::Unit => ("Tên đơn vị", "Unit"),
            Header::UnitType => ("Loại đơn vị", "Unit type"),
            Header::Bloc => ("Khối thi đua", "Bloc"),
            Header::CriteriaSet => ("Bộ tiêu chí", "Criteria set"),
            Header::Criterion => ("Tiêu chí", "Criterion"),
            Header::CriterionId => ("Mã tiêu chí", "Criterion id"),
            Header::CriterionName => ("Tên tiêu chí", "Criterion name"),
            Header::Max => ("Điểm tối đa", "Max"),
            Header::Points => ("Điểm đạt", "Points"),
            Header::Bonus => ("Điểm thưởng", "Bonus"),
            Header::Penalty => ("Điểm trừ", "Penalty"),
            Header::Total => ("Tổng điểm", "Total points"),
            Header::Index => ("Chỉ số CCHC (%)", "PAR Index (%)"),
            Header::Grade => ("Xếp loại", "Grade"),
            Header::Notes => ("Ghi chú", "Notes"),
            Header::Units => ("Số đơn vị", "Units"),
            Header::ThisYear => ("Năm nay", "This year"),
            Header::Change => ("Thay đổi", "Change"),
            Header::RankChange => ("Thứ hạng", "Rank change"),
            Header::Comparison => ("So sánh", "Comparison"),
            Header::Difference => ("Chênh lệch", "Difference"),
            Header::SelfAssessed => ("Tự đánh giá", "Self-assessed"),
            Header::Appraised => ("Thẩm định", "Appraised"),
            Header::Adjusted => ("Số tiêu chí điều chỉnh", "Criteria adjusted"),
            Header::MeanCut => ("Điểm trừ bình quân", "Mean cut"),
            Header::MedianRank => ("Hạng trung vị", "Median rank"),
            Header::Interval => ("Khoảng hạng 90%", "90% rank interval"),
            Header::PFirst => ("Xác suất đứng đầu", "P(first)"),
            Header::PGrade => ("Xác suất giữ xếp loại", "P(grade)"),
            Header::PProposed => ("Xác suất được đề nghị", "P(proposed)"),
            Header::Scope => ("Phạm vi", "Scope"),
            Header::Reason => ("Lý do", "Reason"),
            Header::Seq => ("STT", "No."),
            Header::CriterionTree => (
                "Lĩnh vực, tiêu chí, tiêu chí thành phần",
                "Area, criterion, sub-criterion",
            ),
            Header::Guidance => ("Hướng dẫn chấm điểm", "Scoring guidance"),
            Header::NotApplicable => ("Không áp dụng", "Not applicable"),
            Header::Missing => ("Thiếu số liệu", "Missing"),
            Header::MeanShare => ("Điểm bình quân (% tối đa)", "Mean (% of max)"),
            Header::FullShare => ("Đạt tối đa", "At full points"),
            Header::ZeroShare => ("0 điểm", "At zero"),
            Header::Distinct => ("Số mức điểm", "Distinct values"),
            Header::ItemRest => ("Tương quan với phần còn lại (r)", "Item–rest r"),
            Header::NominalWeight => ("Trọng số theo điểm tối đa", "Nominal weight"),
            Header::EffectiveWeight => ("Trọng số thực tế", "Effective weight"),
            Header::RankShift => (
                "Xê dịch hạng khi bỏ (bình quân / lớn nhất)",
                "Rank shift if removed (mean / largest)",
            ),
            Header::Alpha => (
                "Cronbach α (lĩnh vực) / α nếu bỏ",
                "Cronbach's α (area) / α if dropped",
            ),
            Header::Remarks => ("Nhận xét", "Remarks"),
        };
        lang.pick(vi, en)
    }

    /// The key `report.html` reads the header by (`t.unit`).
    pub fn key(self) -> &'static str {
        match self {
            Header::Rank => "rank",
            Header::Code => "code",
            Header::UnitCode => "unit_code",
            Header::Unit => "unit",
            Header::UnitType => "unit_type",
            Header::Bloc => "bloc",
            Header::CriteriaSet => "criteria_set",
            Header::Criterion => "criterion",
            Header::CriterionId => "criterion_id",
            Header::CriterionName => "criterion_name",
            Header::Max => "max",
            Header::Points => "points",
            Header::Bonus => "bonus",
            Header::Penalty => "penalty",
            Header::Total => "total",
            Header::Index => "index",
            Header::Grade => "grade",
            Header::Notes => "notes",
            Header::Units => "units",
            Header::ThisYear => "now",
            Header::Change => "change",
            Header::RankChange => "rank_change",
            Header::Comparison => "comparison",
            Header::Difference => "difference",
            Header::SelfAssessed => "self_total",
            Header::Appraised => "appraised",
            Header::Adjusted => "adjusted",
            Header::MeanCut => "mean_cut",
            Header::MedianRank => "median_rank",
            Header::Interval => "interval",
            Header::PFirst => "p_first",
            Header::PGrade => "p_grade",
            Header::PProposed => "p_proposed",
            Header::Scope => "scope",
            Header::Reason => "reason",
            Header::Seq => "seq",
            Header::CriterionTree => "criterion_tree",
            Header::Guidance => "guidance",
            Header::NotApplicable => "not_applicable",
            Header::Missing => "missing",
            Header::MeanShare => "mean_share",
            Header::FullShare => "full_share",
            Header::ZeroShare => "zero_share",
            Header::Distinct => "distinct",
            Header::ItemRest => "item_rest_r",
            Header::NominalWeight => "nominal_weight",
            Header::EffectiveWeight => "effective_weight",
            Header::RankShift => "rank_shift",
            Header::Alpha => "alpha",
            Header::Remarks => "remarks",
        }
    }
}

/// What a ranking column shows of a [`Row`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Field {
    Rank,
    Code,
    Name,
    Bloc,
    /// The points of the group's `k`-th area.
    Area(usize),
    Bonus,
    Penalty,
    Total,
    Index,
    Grade,
    Notes,
}

/// How a column's values are shown: what decides the cell format of the workbook and the
/// alignment of the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Kind {
    /// `3/34`: a whole number over the group's size.
    Rank,
    /// A code, on one line.
    Code,
    /// Words that wrap in their cell.
    Text,
    /// Points, two decimals.
    Points,
    /// A percentage, two decimals.
    Percent,
    /// The grade in its band's colour.
    Grade,
}

/// One column of a table: what it shows, its header, and how.
#[derive(Debug, Clone, Serialize)]
pub struct Column {
    pub field: Field,
    pub header: String,
    /// A second header line: an area's maximum, "(25)".
    pub sub: Option<String>,
    pub kind: Kind,
}

/// A cell's value as a renderer needs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    Text(&'a str),
    Number(f64),
    /// A rank and the size of its group.
    Rank(usize, usize),
}

impl Row {
    /// The value of `field` in this row.
    pub fn cell(&self, field: Field) -> Cell<'_> {
        match field {
            Field::Rank => Cell::Rank(self.rank, self.rank_of),
            Field::Code => Cell::Text(&self.code),
            Field::Name => Cell::Text(&self.name),
            Field::Bloc => Cell::Text(&self.bloc),
            Field::Area(k) => Cell::Number(self.areas.get(k).copied().unwrap_or(0.0)),
            Field::Bonus => Cell::Number(self.bonus),
            Field::Penalty => Cell::Number(self.penalty),
            Field::Total => Cell::Number(self.total),
            Field::Index => Cell::Number(self.index),
            Field::Grade => Cell::Text(&self.grade),
            Field::Notes => Cell::Text(&self.notes),
        }
    }
}

/// The ranking table of a group, every column: rank, code, unit, bloc, each area's points under
/// its short header with its maximum, bonus, penalty, total, index, grade, notes.
pub fn ranking_columns(g: &Group, lang: Lang) -> Vec<Column> {
    let col = |field, header: Header, kind| Column {
        field,
        header: header.text(lang).to_string(),
        sub: None,
        kind,
    };
    let mut cols = vec![
        col(Field::Rank, Header::Rank, Kind::Rank),
        col(Field::Code, Header::Code, Kind::Code),
        col(Field::Name, Header::Unit, Kind::Text),
        col(Field::Bloc, Header::Bloc, Kind::Text),
    ];
    cols.extend(g.areas.iter().enumerate().map(|(k, a)| Column {
        field: Field::Area(k),
        header: a.short.clone(),
        sub: Some(format!("({})", num(a.max, lang))),
        kind: Kind::Points,
    }));
    cols.extend([
        col(Field::Bonus, Header::Bonus, Kind::Points),
        col(Field::Penalty, Header::Penalty, Kind::Points),
        col(Field::Total, Header::Total, Kind::Points),
        col(Field::Index, Header::Index, Kind::Percent),
        col(Field::Grade, Header::Grade, Kind::Grade),
        col(Field::Notes, Header::Notes, Kind::Text),
    ]);
    cols
}

#[cfg(test)]
mod tests {
    use super::Header;
    use crate::support::i18n::Lang;

    #[test]
    fn every_header_is_listed_once_with_a_key_of_its_own() {
        let mut keys: Vec<&str> = Header::ALL.iter().map(|h| h.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), Header::ALL.len());
        for h in Header::ALL {
            assert!(!h.text(Lang::Vi).is_empty() && !h.text(Lang::En).is_empty());
        }
    }
}
