//! `quyet-dinh.docx`: the draft Decision of the provincial People's Committee that publishes the
//! results, to the form of Decree 30/2020/NĐ-CP (Phụ lục I) — the header block (issuing body with a
//! short rule, number, national motto with its rule, place and date in italics), "QUYẾT ĐỊNH" and the
//! summary line, the authority, the legal bases in italics, the articles, the recipients and the
//! signature — then one landscape annex per ranking group (the view's ranking columns, header row
//! repeated on every page, no row split across pages) and, when the run proposes awards, an annex of
//! the proposals. Every figure is the view's, as the workbook and the report print it. The texts
//! come from the run file's `[decision]`, with defaults in the document's language here.

mod xml;

use crate::input::runfile::DecisionSpec;
use crate::report::view::{self, Cell as ViewCell, Column, Field, Header, Kind, ReportView};
use crate::report::Run;
use crate::support::i18n::Lang;
use xml::{line, para, rule, section_end, table, Align, Cell, Font, Page, Para};

/// Body text, 14 pt; the header block 13 pt; recipients and the proposals' tables 11 pt.
const BODY: Font = Font::pt(14);
const BLOCK: Font = Font::pt(13);
const SMALL: Font = Font::pt(11);
/// The ranking annexes' tables, 10 pt: a commune's has eight areas and the changes.
const TABLE: Font = Font::pt(10);

/// The file `score` writes when the run file has a `[decision]` section.
pub const FILE: &str = "quyet-dinh.docx";

/// The default texts of a Decision in `lang`.
struct Defaults {
    number: &'static str,
    motto: [&'static str; 2],
    no: &'static str,
    decision: &'static str,
    summary: &'static str,
    bases: Vec<String>,
    decides: &'static str,
    article: &'static str,
    articles: [&'static str; 3],
    recipients_title: &'static str,
    recipients: [&'static str; 6],
    signature: [&'static str; 2],
    annex: &'static str,
    attached: &'static str,
    awards_title: &'static str,
    legend: &'static str,
}

fn defaults(lang: Lang, run: &Run) -> Defaults {
    // The criteria sets' own legal bases come after the general ones.
    let sets = run.criteria.iter().filter_map(|c| {
        c.basis.as_ref().map(|b| {
            let name = lang.text(&c.name, c.name_en.as_ref());
            match lang {
                Lang::Vi => format!("Căn cứ {b} ban hành {name};"),
                Lang::En => format!("Pursuant to {b} issuing the {name};"),
            }
        })
    });
    match lang {
        Lang::Vi => Defaults {
            number: "       /QĐ-UBND",
            motto: ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
            no: "Số:",
            decision: "QUYẾT ĐỊNH",
            summary: "Về việc công bố Chỉ số cải cách hành chính năm {year}",
            bases: ["Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;".to_string(),
                "Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ ban hành Chương trình tổng thể cải cách hành chính nhà nước giai đoạn 2021 - 2030;".to_string()]
                .into_iter()
                .chain(sets)
                .chain(["Theo đề nghị của Giám đốc Sở Nội vụ.".to_string()])
                .collect(),
            decides: "QUYẾT ĐỊNH:",
            article: "Điều",
            articles: [
                "Công bố Chỉ số cải cách hành chính năm {year} của {units} cơ quan, đơn vị (chi tiết tại các Phụ lục kèm theo Quyết định này).",
                "Căn cứ kết quả Chỉ số cải cách hành chính năm {year}, các cơ quan, đơn vị phân tích, đánh giá ưu điểm, hạn chế, nguyên nhân và đề ra giải pháp khắc phục, nâng cao hiệu quả công tác cải cách hành chính trong năm tiếp theo.",
                "Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc Sở Nội vụ, Thủ trưởng các cơ quan, đơn vị có tên tại các Phụ lục kèm theo và các cơ quan, đơn vị có liên quan chịu trách nhiệm thi hành Quyết định này.",
            ],
            recipients_title: "Nơi nhận:",
            recipients: [
                "Như Điều 3;",
                "Bộ Nội vụ (để báo cáo);",
                "Thường trực Tỉnh ủy (để báo cáo);",
                "Thường trực HĐND tỉnh (để báo cáo);",
                "Chủ tịch, các Phó Chủ tịch UBND tỉnh;",
                "Lưu: VT, SNV.",
            ],
            signature: ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"],
            annex: "Phụ lục",
            attached: "(Kèm theo Quyết định số {number} {date})",
            awards_title: "DANH SÁCH ĐƠN VỊ ĐƯỢC ĐỀ NGHỊ KHEN THƯỞNG",
            legend: "Ghi chú cột:",
        },
        Lang::En => Defaults {
            number: "       /QĐ-UBND",
            motto: ["SOCIALIST REPUBLIC OF VIET NAM", "Independence - Freedom - Happiness"],
            no: "No.:",
            decision: "DECISION",
            summary: "On the publication of the Public Administration Reform Index {year}",
            bases: ["Pursuant to the Law on the Organisation of Local Government of 2025;".to_string(),
                "Pursuant to the Government's Resolution No. 76/NQ-CP of 15 July 2021 issuing the Master Programme of State Administrative Reform for 2021 - 2030;".to_string()]
                .into_iter()
                .chain(sets)
                .chain(["At the proposal of the Director of the Department of Home Affairs.".to_string()])
                .collect(),
            decides: "DECIDES:",
            article: "Article",
            articles: [
                "To publish the Public Administration Reform Index {year} of {units} agencies and units (in detail in the Annexes to this Decision).",
                "On the results of the Public Administration Reform Index {year}, the agencies and units shall analyse their strengths, shortcomings and their causes, and set out the measures to remedy them and to make administrative reform more effective next year.",
                "This Decision takes effect from the date of signing. The Chief of the Office of the Provincial People's Committee, the Director of the Department of Home Affairs, the heads of the agencies and units named in the Annexes and the agencies and units concerned shall implement this Decision.",
            ],
            recipients_title: "Recipients:",
            recipients: [
                "As in Article 3;",
                "Ministry of Home Affairs (to report);",
                "Standing Committee of the Provincial Party Committee (to report);",
                "Standing Committee of the Provincial People's Council (to report);",
                "Chair and Vice-Chairs of the Provincial People's Committee;",
                "Archived: VT, SNV.",
            ],
            signature: ["ON BEHALF OF THE PEOPLE'S COMMITTEE", "CHAIR"],
            annex: "Annex",
            attached: "(Attached to Decision No. {number} of {date})",
            awards_title: "UNITS PROPOSED FOR AWARDS",
            legend: "Columns:",
        },
    }
}

/// The Decision and its annexes, as the bytes of a .docx.
pub fn decision(
    run: &Run,
    rv: &ReportView,
    spec: &DecisionSpec,
) -> zip::result::ZipResult<Vec<u8>> {
    let lang = run.lang;
    let d = defaults(lang, run);
    let year = run.criteria.first().map_or(0, |c| c.year);
    let doc_year = (spec.date.or(run.report.date)).map_or(year + 1, |dt| dt.year as i64);
    let number = spec.number.clone().unwrap_or_else(|| d.number.to_string());
    // The annexes name the Decision's date as 15/01/2026, or leave it to fill.
    let signed = spec.date.map_or_else(
        || fill_date(lang, doc_year),
        |dt| match lang {
            Lang::Vi => format!("ngày {:02}/{:02}/{}", dt.day, dt.month, dt.year),
            Lang::En => format!("{:02}/{:02}/{}", dt.day, dt.month, dt.year),
        },
    );
    let fill = |text: &str| {
        text.replace("{year}", &year.to_string())
            .replace(
                "{units}",
                &crate::support::numfmt::whole(run.scores.len() as u64, lang),
            )
            .replace("{number}", &number)
            .replace("{doc_year}", &doc_year.to_string())
            .replace("{date}", &signed)
    };
    let issuer: Vec<String> = if spec.issuer.is_empty() {
        run.report.issuer.iter().take(1).cloned().collect()
    } else {
        spec.issuer.clone()
    };
    let mut body = String::new();

    // The header block: issuing body and number on the left, motto and date on the right.
    let (left, right) = (3685u32, xml::PORTRAIT_WIDTH - 3685);
    let mut issuing = String::new();
    for g in &spec.governing {
        issuing += &line(Para::center(), g, BLOCK);
    }
    for i in &issuer {
        issuing += &line(Para::center(), i, BLOCK.bold());
    }
    issuing += &rule(left, 1300);
    let mut motto = line(Para::center(), d.motto[0], Font::pt(12).bold());
    motto += &line(Para::center(), d.motto[1], BLOCK.bold());
    motto += &rule(right, 3100);
    let place = run.report.place.as_deref();
    let date_line = match spec.date {
        Some(date) => date.with_place(place, lang),
        None => match place {
            Some(p) => format!("{p}, {}", fill_date(lang, doc_year)),
            None => fill_date(lang, doc_year),
        },
    };
    body += &table(
        &[left, right],
        &[
            vec![Cell::new(left, issuing), Cell::new(right, motto)],
            vec![
                Cell::new(
                    left,
                    line(
                        Para {
                            before: 120,
                            ..Para::center()
                        },
                        &format!("{} {number}", d.no),
                        BLOCK,
                    ),
                ),
                Cell::new(
                    right,
                    line(
                        Para {
                            before: 120,
                            ..Para::center()
                        },
                        &date_line,
                        BLOCK.italic(),
                    ),
                ),
            ],
        ],
        0,
        0,
        false,
    );

    // Title, summary, authority, bases.
    body += &line(
        Para {
            before: 480,
            ..Para::center()
        },
        d.decision,
        BODY.bold(),
    );
    let summary = fill(spec.summary.as_deref().unwrap_or(d.summary));
    body += &line(Para::center(), &summary, BODY.bold());
    body += &rule(xml::PORTRAIT_WIDTH, 2200);
    let authority = spec.authority.clone().unwrap_or_else(|| {
        issuer
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    });
    body += &line(
        Para {
            before: 360,
            after: 240,
            ..Para::center()
        },
        &authority.to_uppercase(),
        BODY.bold(),
    );
    let bases: Vec<String> = if spec.bases.is_empty() {
        d.bases.clone()
    } else {
        spec.bases.clone()
    };
    for b in &bases {
        body += &line(Para::body(), &fill(b), BODY.italic());
    }
    body += &line(
        Para {
            before: 120,
            after: 240,
            ..Para::center()
        },
        d.decides,
        BODY.bold(),
    );

    // The articles; the last keeps with the signature.
    let articles: Vec<String> = if spec.articles.is_empty() {
        d.articles.iter().map(|s| s.to_string()).collect()
    } else {
        spec.articles.clone()
    };
    for (i, a) in articles.iter().enumerate() {
        let p = Para {
            keep_next: i + 1 == articles.len(),
            ..Para::body()
        };
        body += &para(
            p,
            &[
                xml::run(&format!("{} {}. ", d.article, i + 1), BODY.bold()),
                xml::run(&fill(a), BODY),
            ],
        );
    }

    // Recipients on the left, the signature on the right.
    let recipients: Vec<String> = if spec.recipients.is_empty() {
        d.recipients.iter().map(|s| s.to_string()).collect()
    } else {
        spec.recipients.clone()
    };
    let mut to = line(
        Para {
            before: 240,
            ..Para::default()
        },
        d.recipients_title,
        Font::pt(12).bold().italic(),
    );
    for r in &recipients {
        to += &line(Para::default(), &format!("- {r}"), SMALL);
    }
    let lines: Vec<String> = if spec.signature_lines.is_empty() {
        d.signature.iter().map(|s| s.to_string()).collect()
    } else {
        spec.signature_lines.clone()
    };
    let mut sign = String::new();
    for (i, l) in lines.iter().enumerate() {
        let p = Para {
            before: if i == 0 { 240 } else { 0 },
            ..Para::center()
        };
        sign += &line(p, l, BODY.bold());
    }
    // Room for the signature and the seal.
    sign += &line(
        Para {
            before: 1680,
            ..Para::center()
        },
        spec.signer.as_deref().unwrap_or(""),
        BODY.bold(),
    );
    let (l, r) = (4400u32, xml::PORTRAIT_WIDTH - 4400);
    body += &table(
        &[l, r],
        &[vec![Cell::new(l, to), Cell::new(r, sign)]],
        0,
        0,
        false,
    );
    body += &section_end(Page {
        landscape: false,
        first_page: true,
    });

    // One annex per ranking group, then the proposals.
    let changes: std::collections::HashMap<&str, &view::ChangeRow> = rv
        .year
        .iter()
        .flat_map(|y| y.groups.iter().flat_map(|g| &g.rows))
        .map(|c| (c.code.as_str(), c))
        .collect();
    let attached = fill(d.attached);
    let number_of = |i: usize| format!("{} {}", d.annex, view::roman(i + 1));
    let mut annexes: Vec<String> = (rv.groups.iter().enumerate())
        .map(|(i, g)| {
            let mut s = annex_title(&number_of(i), &g.title, &attached);
            s += &ranking_annex(rv, g, &changes, lang, &d);
            s
        })
        .collect();
    if let Some(aw) = &rv.awards {
        let title = annex_title(&number_of(annexes.len()), d.awards_title, &attached);
        annexes.push(title + &awards_annex(aw, lang));
    }
    let n = annexes.len();
    for (i, a) in annexes.into_iter().enumerate() {
        body += &a;
        if i + 1 < n {
            body += &section_end(Page {
                landscape: true,
                first_page: false,
            });
        }
    }
    let last = Page {
        landscape: n > 0,
        first_page: n == 0,
    };
    let created = run.report.date.map_or_else(
        || "2000-01-01T00:00:00Z".to_string(),
        |dt| format!("{:04}-{:02}-{:02}T00:00:00Z", dt.year, dt.month, dt.day),
    );
    xml::package(&body, last, &summary, lang.pick("vi-VN", "en-GB"), &created)
}

/// The date line of a Decision still to be signed: the day and month left to fill.
fn fill_date(lang: Lang, year: i64) -> String {
    match lang {
        Lang::Vi => format!("ngày     tháng     năm {year}"),
        Lang::En => format!("...... {year}"),
    }
}

/// An annex's number, title and what it is attached to.
fn annex_title(number: &str, title: &str, attached: &str) -> String {
    let mut s = line(Para::center(), number, BODY.bold());
    s += &line(Para::center(), &title.to_uppercase(), BODY.bold());
    s += &line(
        Para {
            after: 240,
            ..Para::center()
        },
        attached,
        BLOCK.italic(),
    );
    s
}

/// A centred cell of one line.
fn cell(width: u32, text: &str, f: Font, align: Align) -> Cell {
    Cell::new(
        width,
        line(
            Para {
                align,
                ..Para::default()
            },
            text,
            f,
        ),
    )
}

/// A ranking group's annex: the view's ranking columns (number, unit, area points, total, index,
/// grade, rank) and, when the run compares, the changes as published.
fn ranking_annex(
    rv: &ReportView,
    g: &view::Group,
    changes: &std::collections::HashMap<&str, &view::ChangeRow>,
    lang: Lang,
    d: &Defaults,
) -> String {
    // The published order: unit, area points, total, index, grade, rank; each column's width in
    // twips (the areas share what the others leave).
    let all = view::ranking_columns(g, lang);
    let width_of = |f: Field| match f {
        Field::Name => Some(2800u32),
        Field::Area(_) => Some(0),
        Field::Total => Some(850),
        Field::Index => Some(1000),
        Field::Grade => Some(950),
        Field::Rank => Some(750),
        _ => None,
    };
    let order = |c: &Column| match c.field {
        Field::Name => 0,
        Field::Area(k) => 1 + k,
        Field::Total => 1000,
        Field::Index => 1001,
        Field::Grade => 1002,
        _ => 1003,
    };
    let mut columns: Vec<Column> = all
        .into_iter()
        .filter(|c| width_of(c.field).is_some())
        .collect();
    columns.sort_by_key(order);
    let compare = !changes.is_empty();
    let seq = 567u32;
    let (change_w, rank_change_w) = if compare { (1500u32, 1100u32) } else { (0, 0) };
    let fixed: u32 = seq
        + change_w
        + rank_change_w
        + columns
            .iter()
            .filter_map(|c| width_of(c.field))
            .sum::<u32>();
    let areas = g.areas.len().max(1) as u32;
    let area_w = xml::LANDSCAPE_WIDTH.saturating_sub(fixed) / areas;
    let mut widths = vec![seq];
    widths.extend(columns.iter().map(|c| match width_of(c.field) {
        Some(0) => area_w,
        Some(w) => w,
        None => 0,
    }));
    let head = TABLE.bold();
    let mut header = vec![cell(seq, Header::Seq.text(lang), head, Align::Center)];
    for (c, w) in columns.iter().zip(&widths[1..]) {
        let text = match &c.sub {
            Some(sub) => format!("{} {sub}", c.header),
            None => c.header.clone(),
        };
        header.push(cell(*w, &text, head, Align::Center));
    }
    if compare {
        header.push(cell(
            change_w,
            Header::Change.text(lang),
            head,
            Align::Center,
        ));
        header.push(cell(
            rank_change_w,
            Header::RankChange.text(lang),
            head,
            Align::Center,
        ));
        widths.extend([change_w, rank_change_w]);
    }
    for c in &mut header {
        c.shaded = true;
    }
    let mut rows = vec![header];
    let mut dashes: Vec<String> = Vec::new();
    for (i, r) in rv.rows_of(g).iter().enumerate() {
        let mut row = vec![cell(seq, &(i + 1).to_string(), TABLE, Align::Center)];
        for (c, w) in columns.iter().zip(&widths[1..]) {
            let (text, align) = match (c.kind, r.cell(c.field)) {
                (_, ViewCell::Rank(rank, of)) => (format!("{rank}/{of}"), Align::Center),
                (Kind::Percent, ViewCell::Number(x)) => {
                    (format!("{}%", view::num2(x, lang)), Align::Center)
                }
                (_, ViewCell::Number(x)) => (view::num2(x, lang), Align::Center),
                (Kind::Grade, ViewCell::Text(t)) => (t.to_string(), Align::Center),
                (_, ViewCell::Text(t)) => (t.to_string(), Align::Left),
            };
            row.push(cell(*w, &text, TABLE, align));
        }
        if compare {
            let ch = changes.get(r.code.as_str());
            let index = ch.map_or("", |c| c.change_words.as_str());
            // No rank to compare with (a merged or new unit): a dash, its reason under the table.
            let rank = match ch {
                Some(c) if c.prev_rank.is_empty() && !c.rank_words.is_empty() => {
                    if !dashes.contains(&c.rank_words) {
                        dashes.push(c.rank_words.clone());
                    }
                    "–"
                }
                Some(c) => c.rank_words.as_str(),
                None => "",
            };
            let index = if index.is_empty() {
                ch.map_or("", |c| c.kind.as_str())
            } else {
                index
            };
            row.push(cell(change_w, index, TABLE, Align::Center));
            row.push(cell(rank_change_w, rank, TABLE, Align::Center));
        }
        rows.push(row);
    }
    // The legend (and what a dash means) is the table's last row, one cell across it: it then
    // never prints on a page of its own, without the table's header.
    let legend: Vec<String> = (g.areas.iter())
        .map(|a| format!("{}: {} ({})", a.short, a.name, view::num(a.max, lang)))
        .collect();
    let mut notes = line(
        Para {
            align: Align::Both,
            ..Para::default()
        },
        &format!("{} {}", d.legend, legend.join("; ")),
        SMALL.italic(),
    );
    if !dashes.is_empty() {
        let why = dashes.join("; ");
        let mut first = why.chars();
        let why: String = (first.next().into_iter().flat_map(char::to_uppercase))
            .chain(first)
            .collect();
        notes += &line(Para::default(), &format!("(–) {why}"), SMALL.italic());
    }
    rows.push(vec![Cell {
        span: widths.len() as u32,
        ..Cell::new(widths.iter().sum(), notes)
    }]);
    table(&widths, &rows, 1, 2, true)
}

/// The proposals annex: per award its name and rule, then the units proposed or referred to a vote.
fn awards_annex(aw: &view::AwardsView, lang: Lang) -> String {
    let mut s = String::new();
    let widths = [567u32, 3400, 2800, 1000, 1300, 1700, 3519];
    let head = SMALL.bold();
    for a in &aw.awards {
        s += &line(
            Para {
                before: 240,
                keep_next: true,
                ..Para::default()
            },
            &a.name,
            Font::pt(12).bold(),
        );
        s += &line(
            Para {
                after: 120,
                keep_next: true,
                align: Align::Both,
                ..Para::default()
            },
            &a.rule,
            SMALL.italic(),
        );
        let mut header: Vec<Cell> = [
            Header::Seq.text(lang),
            Header::Unit.text(lang),
            Header::Scope.text(lang),
            Header::Rank.text(lang),
            Header::Index.text(lang),
            lang.pick("Đề nghị", "Decision"),
            Header::Reason.text(lang),
        ]
        .iter()
        .zip(widths)
        .map(|(t, w)| cell(w, t, head, Align::Center))
        .collect();
        for c in &mut header {
            c.shaded = true;
        }
        let mut rows = vec![header];
        for (i, r) in a.proposed.iter().chain(&a.vote).enumerate() {
            rows.push(vec![
                cell(widths[0], &(i + 1).to_string(), SMALL, Align::Center),
                cell(widths[1], &r.name, SMALL, Align::Left),
                cell(widths[2], &r.scope, SMALL, Align::Left),
                cell(widths[3], &r.rank, SMALL, Align::Center),
                cell(
                    widths[4],
                    &format!("{}%", view::num2(r.index, lang)),
                    SMALL,
                    Align::Center,
                ),
                cell(widths[5], &r.decision, SMALL, Align::Center),
                cell(widths[6], &r.reason, SMALL, Align::Left),
            ]);
        }
        s += &table(&widths, &rows, 1, 0, true);
    }
    s
}

/// `parindex criteria export FILE.toml --out annex.docx`: the criteria set as the annex of the
/// Decision that issues it — STT in the document's numbering, the criterion, its maximum, the
/// scoring guidance in words, the notes — on A4 with the Decree's margins, the header row repeated
/// on every page and no row split, a total row.
pub fn criteria_annex(
    c: &crate::input::criteria::Criteria,
    lang: Lang,
) -> zip::result::ZipResult<Vec<u8>> {
    let mut body = line(Para::center(), lang.pick("Phụ lục", "Annex"), BODY.bold());
    let name = lang.text(&c.name, c.name_en.as_ref());
    body += &line(Para::center(), &name.to_uppercase(), BODY.bold());
    if let Some(b) = &c.basis {
        body += &line(
            Para::center(),
            &format!("({} {b})", lang.pick("Kèm theo", "Attached to")),
            BLOCK.italic(),
        );
    }
    body += &line(
        Para {
            after: 240,
            ..Para::center()
        },
        "",
        SMALL,
    );
    let widths = [700u32, 3650, 850, 2700, 1454];
    let head = SMALL.bold();
    let mut header: Vec<Cell> = (view::ANNEX.iter().zip(widths))
        .map(|(h, w)| cell(w, h.text(lang), head, Align::Center))
        .collect();
    for h in &mut header {
        h.shaded = true;
    }
    let mut rows = vec![header];
    for r in view::annex(c, lang) {
        let f = if r.strong { SMALL.bold() } else { SMALL };
        let name = if r.heading {
            r.name.to_uppercase()
        } else {
            r.name.clone()
        };
        let name_align = if r.number.is_empty() {
            Align::Center
        } else {
            Align::Left
        };
        rows.push(vec![
            cell(widths[0], &r.number, f, Align::Center),
            cell(widths[1], &name, f, name_align),
            cell(widths[2], &r.max, f, Align::Center),
            cell(widths[3], &r.guidance, SMALL, Align::Left),
            cell(widths[4], &r.note, SMALL, Align::Left),
        ]);
    }
    body += &table(&widths, &rows, 1, 0, true);
    xml::package(
        &body,
        Page {
            landscape: false,
            first_page: false,
        },
        name,
        lang.pick("vi-VN", "en-GB"),
        "2000-01-01T00:00:00Z",
    )
}
