//! `report.html` and the per-unit scorecards: one self-contained file each (inline CSS and SVG,
//! no script, no network) that prints on A4 from any browser — rankings and summary pages in
//! landscape, each scorecard (phiếu kết quả) on its own portrait page. Rendered with minijinja
//! (a maintained Jinja engine with auto-escaping for `.html` templates, so unit names from the
//! data cannot inject markup) from the view model; the template is `templates/report.html`,
//! compiled into the binary. Every label comes from `labels` in the run's language.

use minijinja::{context, Environment, Value};
use serde::Serialize;

use super::svg;
use super::view::{
    self, Card, Cell, Column, Field, Group, Header, Kind, MethodLine, ReportView, Row, TitleBlock,
};
use super::Run;
use crate::support::i18n::Lang;

const TEMPLATE: &str = include_str!("../../templates/report.html");

/// Units per index chart: one chart prints on one landscape page.
const BARS_PER_CHART: usize = 40;

#[derive(Serialize)]
struct GroupPage {
    #[serde(flatten)]
    group: Group,
    /// The ranking table: its columns, and each row's cells as the page shows them.
    columns: Vec<Column>,
    table: Vec<Vec<HtmlCell>>,
    top: Vec<Row>,
    bottom: Vec<Row>,
    index_charts: Vec<String>,
    area_chart: String,
}

/// A table cell as `report.html` writes it: its text (numbers in the reader's notation), its
/// class (alignment) and, for a grade, its band's colour.
#[derive(Serialize)]
struct HtmlCell {
    text: String,
    class: Option<&'static str>,
    bg: Option<String>,
}

/// A row's cells under `columns`.
fn html_cells(columns: &[Column], r: &Row, lang: Lang) -> Vec<HtmlCell> {
    columns
        .iter()
        .map(|c| {
            let text = match r.cell(c.field) {
                Cell::Text(t) => t.to_string(),
                Cell::Number(x) if c.kind == Kind::Percent => format!("{}%", view::num2(x, lang)),
                Cell::Number(x) => view::num2(x, lang),
                Cell::Rank(rank, of) => format!("{rank}/{of}"),
            };
            let class = match (c.kind, c.field) {
                (Kind::Rank | Kind::Grade, _) => Some("c"),
                (Kind::Points | Kind::Percent, _) => Some("num"),
                (_, Field::Name) => Some("nw"),
                _ => None,
            };
            HtmlCell {
                text,
                class,
                bg: (c.kind == Kind::Grade).then(|| r.color.clone()),
            }
        })
        .collect()
}

fn env(lang: Lang) -> Environment<'static> {
    let mut env = Environment::new();
    env.add_template("report.html", TEMPLATE)
        .expect("the bundled template parses");
    // Numbers as people read them: 2 decimals, decimal comma in Vietnamese.
    env.add_filter("n2", move |x: f64| view::num2(x, lang));
    env.add_filter("n", move |x: f64| view::num(x, lang));
    env.add_filter("svg", |s: String| Value::from_safe_string(s));
    env.set_formatter(escape_html);
    env
}

/// minijinja's HTML escaping without its `/` → `&#x2f;`: the five characters that matter in
/// text and quoted attributes are escaped, so a unit named `<script>` stays text, and a path or
/// a date ("15/01/2026") stays readable in the file. Safe values (the SVG charts) and everything
/// that is not a string go through minijinja's own formatter.
fn escape_html(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    match (state.auto_escape(), value.as_str()) {
        (minijinja::AutoEscape::Html, Some(text)) if !value.is_safe() => {
            let mut rest = text;
            while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
                out.write_str(&rest[..at])?;
                out.write_str(match rest.as_bytes()[at] {
                    b'&' => "&amp;",
                    b'<' => "&lt;",
                    b'>' => "&gt;",
                    b'"' => "&quot;",
                    _ => "&#x27;",
                })?;
                rest = &rest[at + 1..];
            }
            out.write_str(rest)?;
            Ok(())
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// Every fixed text of the report in the run's language, by key.
fn labels(lang: Lang) -> Value {
    Value::from_serialize(
        label_pairs(lang)
            .into_iter()
            .collect::<std::collections::BTreeMap<_, _>>(),
    )
}

/// The report's fixed texts as (key, text) pairs; a key given twice would silently keep its last
/// text (the median index was once called "median rank" that way), so a test forbids it.
fn label_pairs(lang: Lang) -> Vec<(&'static str, String)> {
    let l = |vi: &str, en: &str| lang.pick(vi, en).to_string();
    let mut pairs = Vec::from([
        ("lang", l("vi", "en")),
        ("summary", l("Tổng hợp", "Summary")),
        ("mean", l("Chỉ số bình quân", "Mean index")),
        ("median", l("Chỉ số trung vị", "Median index")),
        ("grades", l("Xếp loại", "Grades")),
        ("top", l("5 đơn vị dẫn đầu", "Top 5")),
        ("bottom", l("5 đơn vị cuối bảng", "Bottom 5")),
        ("ranking", l("Bảng xếp hạng", "Ranking")),
        ("columns", l("Ghi chú cột:", "Columns:")),
        ("charts", l("Biểu đồ", "Charts")),
        ("method", l("Phương pháp tính điểm", "Scoring method")),
        (
            "card",
            l(
                "PHIẾU KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH",
                "PAR INDEX SCORECARD",
            ),
        ),
        ("value", l("Giá trị đã đọc", "Value as read")),
        (
            "card_legend",
            l(
                "Ô tô hồng: điểm đạt dưới điểm tối đa, hoặc tự chấm đã được điều chỉnh.",
                "Pink: points below the maximum, or a self-assessment the appraisal changed.",
            ),
        ),
        ("items", l("Điểm thưởng và điểm trừ", "Bonus and penalty")),
        ("of", l("trên", "of")),
        ("group", l("Nhóm xếp hạng", "Ranking group")),
        ("unit_notes", l("Ghi chú về đơn vị", "Notes on the unit")),
        ("made_by", l("Lập bằng parindex", "Made with parindex")),
        ("self_points", l("Tự chấm", "Self")),
        ("reasons", l("Lý do điều chỉnh", "Reasons for adjustments")),
        ("compare_title", l("SO SÁNH VỚI", "COMPARED WITH")),
        ("up", l("tăng", "up")),
        ("down", l("giảm", "down")),
        ("rises", l("Tăng nhiều nhất", "Largest rises")),
        ("falls", l("Giảm nhiều nhất", "Largest falls")),
        ("since", l("so với", "on")),
        ("awards_title", l("ĐỀ NGHỊ KHEN THƯỞNG", "AWARD PROPOSALS")),
        ("unc_title", l("ĐỘ TIN CẬY CỦA XẾP HẠNG", "HOW SURE IS THE RANKING")),
        ("unc_intro_1", l("Số liệu điều tra xã hội học và điểm thẩm định có sai số. Chúng tôi chấm lại toàn bộ", "Survey shares and appraisal points carry error. Everything was re-scored")),
        ("unc_intro_2", l("lần, mỗi lần với số liệu thay đổi trong phạm vi sai số (hạt giống", "times, each time with the data moved within its error (seed")),
        ("unc_weights_1", l("Trọng số của mỗi lĩnh vực cũng được thay đổi ngẫu nhiên", "Each area's weight was also moved at random by")),
        ("unc_weights_2", l("để thấy thứ hạng phụ thuộc vào trọng số đến đâu.", "to show how far the ranking rests on the weights.")),
        ("unc_intro_3", l("\"Khoảng\" là khoảng thứ hạng đơn vị đạt được trong 90% số lần (từ phân vị 5% đến 95%); xếp loại được đánh dấu chưa chắc chắn khi đơn vị giữ được xếp loại dưới", "\"Interval\" is the range of ranks the unit reached in 90% of the replications (5th to 95th percentile); a grade is marked uncertain when it holds in less than")),
        ("unc_intro_4", l("số lần.", "of the replications.")),
        ("unc_first", l("đứng đầu trong", "is first in")),
        ("unc_of_reps", l("số lần mô phỏng", "of the replications")),
        ("unc_uncertain_n", l("đơn vị xếp loại chưa chắc chắn", "unit(s) with an uncertain grade")),
        ("unc_flag", l("chưa chắc chắn", "uncertain")),
        ("interval_bar", l("Khoảng hạng (trái: hạng 1)", "Rank interval (left: rank 1)")),
        ("rule", l("Quy định", "Rule")),
        (
            "vote",
            l(
                "Đồng hạng tại ngưỡng — hội đồng bỏ phiếu",
                "Tied at the cut — the committee votes",
            ),
        ),
        (
            "excluded",
            l(
                "Xếp trên đơn vị được đề nghị nhưng không được đề nghị",
                "Ranked above a proposed unit but not proposed",
            ),
        ),
        (
            "appraisal_title",
            l("TỰ ĐÁNH GIÁ VÀ THẨM ĐỊNH", "SELF-ASSESSMENT AND APPRAISAL"),
        ),
        (
            "self_mean",
            l("Tự đánh giá bình quân", "Mean self-assessed"),
        ),
        ("appraised_mean", l("Thẩm định bình quân", "Mean appraised")),
        ("largest_gaps", l("Chênh lệch lớn nhất", "Largest gaps")),
        (
            "most_cut",
            l("Tiêu chí bị trừ điểm nhiều nhất", "Criteria cut most often"),
        ),
        ("cut_units", l("Số đơn vị bị trừ", "Units cut")),
        (
            "unexplained",
            l("Điều chỉnh chưa có lý do", "Adjustments without a reason"),
        ),
    ]);
    // The tables' column headers, from the one list every document uses.
    pairs.extend(Header::ALL.map(|h| (h.key(), h.text(lang).to_string())));
    pairs
}

fn group_pages(run: &Run, rv: &ReportView) -> Vec<GroupPage> {
    let lang = run.lang;
    rv.groups
        .iter()
        .map(|g| {
            let rows = rv.rows_of(g);
            let n = rows.len();
            let k = n.min(5);
            let chunks = rows.chunks(BARS_PER_CHART).count();
            let index_charts = rows
                .chunks(BARS_PER_CHART)
                .map(|chunk| {
                    let mut title = format!(
                        "{} – {}",
                        lang.pick("Chỉ số CCHC theo đơn vị", "PAR Index by unit"),
                        g.label
                    );
                    if chunks > 1 {
                        title.push_str(&format!(
                            " ({} {}–{})",
                            lang.pick("hạng", "ranks"),
                            chunk[0].rank,
                            chunk[chunk.len() - 1].rank
                        ));
                    }
                    svg::index_bars(chunk, &g.grades, lang, &title)
                })
                .collect();
            let area_chart = svg::area_shares(
                &g.area_shares,
                lang,
                &format!(
                    "{} – {}",
                    lang.pick(
                        "Điểm bình quân theo lĩnh vực so với điểm tối đa",
                        "Mean points per area as a share of its maximum"
                    ),
                    g.label
                ),
            );
            let columns = view::ranking_columns(g, lang);
            GroupPage {
                top: rows[..k].to_vec(),
                bottom: rows[n - k..].to_vec(),
                table: rows.iter().map(|r| html_cells(&columns, r, lang)).collect(),
                columns,
                index_charts,
                area_chart,
                group: g.clone(),
            }
        })
        .collect()
}

/// What one rendering of the template shows (the whole report, or one unit's scorecard).
#[derive(Serialize)]
struct Doc<'a> {
    doc_title: &'a str,
    tb: &'a TitleBlock,
    groups: &'a [GroupPage],
    method: &'a [MethodLine],
    cards: &'a [Card],
    appraisal: Option<&'a view::AppraisalView>,
    year: Option<&'a view::YearView>,
    /// Said in place of the scorecards when a run is too large for them (see
    /// [`super::LARGE_RUN`]).
    cards_note: Option<String>,
    /// How last year is named on the scorecards ("2024"); a scorecard file has it without the
    /// comparison pages, which show every unit of the province.
    since: Option<&'a str>,
    awards: Option<&'a view::AwardsView>,
    unc: Option<&'a view::UncView>,
    audit: Option<AuditPage<'a>>,
}

/// The criteria audit's section: the view and each set's two charts.
#[derive(Serialize)]
struct AuditPage<'a> {
    #[serde(flatten)]
    view: &'a view::AuditView,
    title: &'static str,
    /// Per set: (weights chart, heat map).
    charts: Vec<(String, String)>,
}

fn audit_page(rv: &ReportView, lang: Lang) -> Option<AuditPage<'_>> {
    let a = rv.audit.as_ref()?;
    let charts = (a.sets.iter())
        .map(|s| {
            (
                svg::weights(
                    &s.areas,
                    lang,
                    &format!(
                        "{} – {}",
                        lang.pick(
                            "Trọng số theo điểm tối đa và trọng số thực tế",
                            "Nominal and effective weight"
                        ),
                        s.title
                    ),
                ),
                svg::heat_map(
                    &s.areas,
                    &s.area_r,
                    lang,
                    lang.pick(
                        "Tương quan giữa các lĩnh vực (hệ số r)",
                        "Correlation between areas (r)",
                    ),
                ),
            )
        })
        .collect();
    Some(AuditPage {
        view: a,
        title: view::audit_title(lang),
        charts,
    })
}

fn render(lang: Lang, doc: &Doc) -> String {
    let env = env(lang);
    let tmpl = env.get_template("report.html").expect("registered above");
    tmpl.render(context! {
        t => labels(lang),
        ..Value::from_serialize(doc)
    })
    .unwrap_or_else(|e| {
        // A template error is a bug of ours; the report says so rather than the run crashing.
        format!(
            "<!DOCTYPE html><html><body><p>parindex: report.html could not be rendered ({}); please report this.</p></body></html>",
            super::svg::esc(&e.to_string())
        )
    })
}

/// Whether `report.html` carries the scorecards (then the view must be built with them): a
/// province's run prints them one page each after the summary; a national run
/// ([`super::LARGE_RUN`]) holds the summary, rankings, charts, analyses and method, and says how
/// to get the scorecards: `--scorecards DIR`, one file per unit, to send to each.
pub fn cards_in_report(run: &Run) -> bool {
    !run.is_large()
}

/// The whole report: title block, summary and ranking per group, charts, method, scorecards.
pub fn report(run: &Run, rv: &ReportView) -> Vec<u8> {
    let with_cards = cards_in_report(run);
    let cards: &[Card] = if with_cards { &rv.cards } else { &[] };
    let cards_note = (!with_cards).then(|| {
        let n = crate::support::numfmt::whole(run.scores.len() as u64, run.lang);
        let max = crate::support::numfmt::whole(super::LARGE_RUN as u64, run.lang);
        crate::tr!(
            "Báo cáo này không kèm phiếu kết quả của {n} đơn vị: với hơn {max} đơn vị, một tệp chứa tất cả các phiếu quá lớn để in. Phiếu của từng đơn vị được ghi thành tệp riêng, mỗi đơn vị một tệp, với --scorecards THƯ_MỤC (hoặc scorecards = \"THƯ_MỤC\" trong mục [report] của tệp lần chạy).",
            "This report does not carry the scorecards of its {n} units: above {max} units, one file holding every scorecard is too large to print. Each unit's scorecard is written to a file of its own with --scorecards DIR (or scorecards = \"DIR\" in the [report] section of the run file)."
        )
    });
    render(
        run.lang,
        &Doc {
            doc_title: &rv.title,
            tb: &rv.title_block,
            groups: &group_pages(run, rv),
            method: &rv.method,
            cards,
            appraisal: rv.appraisal.as_ref(),
            year: rv.year.as_ref(),
            cards_note,
            since: rv.year.as_ref().map(|y| y.year.as_str()),
            awards: rv.awards.as_ref(),
            unc: rv.uncertainty.as_ref(),
            audit: audit_page(rv, run.lang),
        },
    )
    .into_bytes()
}

/// One file per unit for `--scorecards DIR`: (file name, bytes). File names are the unit code
/// with characters that are unsafe in file names replaced.
pub fn scorecards(run: &Run, rv: &ReportView) -> Vec<(String, Vec<u8>)> {
    rv.cards
        .iter()
        .map(|card| {
            let file = format!("{}.html", safe_file_name(&card.row.code));
            let html = render(
                run.lang,
                &Doc {
                    doc_title: &format!("{} – {}", rv.title, card.row.name),
                    tb: &rv.title_block,
                    groups: &[],
                    method: &[],
                    cards: std::slice::from_ref(card),
                    appraisal: None,
                    year: None,
                    cards_note: None,
                    since: rv.year.as_ref().map(|y| y.year.as_str()),
                    awards: None,
                    unc: None,
                    audit: None,
                },
            );
            (file, html.into_bytes())
        })
        .collect()
}

fn safe_file_name(code: &str) -> String {
    let s: String = code
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() || s.starts_with('.') {
        format!("_{s}")
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::{label_pairs, safe_file_name};

    #[test]
    fn every_label_key_is_given_once() {
        for lang in [
            crate::support::i18n::Lang::Vi,
            crate::support::i18n::Lang::En,
        ] {
            let pairs = label_pairs(lang);
            let mut keys: Vec<&str> = pairs.iter().map(|(k, _)| *k).collect();
            keys.sort_unstable();
            let before = keys.len();
            keys.dedup();
            assert_eq!(keys.len(), before, "a label key is given twice");
        }
    }

    #[test]
    fn unit_codes_become_safe_file_names() {
        assert_eq!(safe_file_name("XA013"), "XA013");
        assert_eq!(safe_file_name("../x/y"), "_.._x_y");
        assert_eq!(safe_file_name("00454"), "00454");
    }
}
