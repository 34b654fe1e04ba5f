//! The draft Decision (`quyet-dinh.docx`): read back from the .docx the binary writes — the
//! Decree 30 form (page sizes and margins in twips, fonts, sizes, bold and italic of the named
//! parts), the annex rows against `results.csv`, the same bytes twice and from `parindex decision`,
//! the run file's `[decision]` checked — and printed through LibreOffice.

use std::io::Read;
use std::path::Path;
use std::process::Command;

use super::*;

/// A part of a .docx, as text.
fn part(docx: &Path, name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut s = String::new();
    zip.by_name(name)
        .unwrap_or_else(|_| panic!("{name} is not in {}", docx.display()))
        .read_to_string(&mut s)
        .unwrap();
    s
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// The text of an XML fragment: its `w:t` elements joined.
fn text(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(at) = rest.find("<w:t") {
        let after = &rest[at + 4..];
        // `<w:t>` or `<w:t xml:space=…>`, not `<w:tbl>`, `<w:tc>`, `<w:tr>`…
        if after.starts_with('>') || after.starts_with(' ') {
            let start = after.find('>').unwrap() + 1;
            let end = after.find("</w:t>").unwrap();
            out.push_str(&after[start..end]);
            rest = &after[end..];
        } else {
            rest = after;
        }
    }
    unescape(&out)
}

/// The run properties of the run whose text is exactly `t`.
fn props_of(doc: &str, t: &str) -> String {
    let needle = format!(r#"<w:t xml:space="preserve">{t}</w:t>"#);
    let at = doc
        .find(&needle)
        .unwrap_or_else(|| panic!("no run `{t}` in the Decision"));
    let start = doc[..at].rfind("<w:rPr>").unwrap();
    doc[start..at].to_string()
}

/// Every table row's cells as text.
fn rows(doc: &str) -> Vec<Vec<String>> {
    doc.split("<w:tr>")
        .skip(1)
        .map(|tr| {
            let tr = &tr[..tr.find("</w:tr>").unwrap()];
            tr.split("<w:tc>").skip(1).map(text).collect()
        })
        .collect()
}

/// The section properties in order: (width, height, orientation, title page).
fn sections(doc: &str) -> Vec<String> {
    doc.split("<w:sectPr>")
        .skip(1)
        .map(|s| s[..s.find("</w:sectPr>").unwrap()].to_string())
        .collect()
}

/// A number as the documents print it: the value results.csv writes, rounded half away from
/// zero to 2 decimals on its decimal digits (`4.645` → `4,65`: the stated rule, not the binary
/// double's `4.6449999…`), with the decimal comma in Vietnamese.
fn shown(csv_value: &str, lang: &str) -> String {
    let (neg, digits) = match csv_value.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, csv_value),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let frac = format!("{frac:0<3}");
    let mut cents: u64 = int.parse::<u64>().unwrap() * 100 + frac[..2].parse::<u64>().unwrap();
    if frac.as_bytes()[2] >= b'5' {
        cents += 1;
    }
    let sep = if lang == "vi" { "," } else { "." };
    let sign = if neg && cents > 0 { "-" } else { "" };
    format!("{sign}{}{sep}{:02}", cents / 100, cents % 100)
}

fn decision_of(lang: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(run(&[
        "score",
        "sample-data/danh-gia-2025.toml",
        "--lang",
        lang,
        "--out",
        &out.display().to_string(),
        "-q",
    ]));
    (tmp, out)
}

#[test]
fn the_decision_is_in_decree_30_form_with_the_results_in_its_annexes() {
    for lang in ["vi", "en"] {
        let (_tmp, out) = decision_of(lang);
        let docx = out.join("quyet-dinh.docx");
        let doc = part(&docx, "word/document.xml");
        let styles = part(&docx, "word/styles.xml");
        assert!(
            styles.contains(r#"<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman""#),
            "{styles}"
        );
        assert!(
            !doc.contains("w:rFonts"),
            "one font, set once in the styles"
        );
        // The Decision on portrait A4 with the Decree's margins (top and bottom 20 mm, left 30,
        // right 15, in twips), its first page without a page number; then one landscape annex
        // per ranking group (4) and the award proposals.
        let s = sections(&doc);
        assert_eq!(s.len(), 6, "{lang}: {s:?}");
        assert!(
            s[0].contains(r#"<w:pgSz w:w="11906" w:h="16838"/>"#),
            "{}",
            s[0]
        );
        assert!(s[0].contains("<w:titlePg/>"));
        for sect in &s {
            assert!(
                sect.contains(r#"w:top="1134" w:right="851" w:bottom="1134" w:left="1701""#),
                "{sect}"
            );
            assert!(sect.contains(r#"<w:headerReference w:type="default""#));
        }
        for sect in &s[1..] {
            assert!(
                sect.contains(r#"<w:pgSz w:w="16838" w:h="11906" w:orient="landscape"/>"#),
                "{sect}"
            );
            assert!(!sect.contains("<w:titlePg/>"));
        }
        assert!(part(&docx, "word/header1.xml").contains(" PAGE "));

        // The named parts: (text, bold, italic, size in half-points).
        let parts: &[(&str, bool, bool, u32)] = if lang == "vi" {
            &[
                ("ỦY BAN NHÂN DÂN", true, false, 26),
                ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", true, false, 24),
                ("Độc lập - Tự do - Hạnh phúc", true, false, 26),
                ("Sông Hồng, ngày     tháng     năm 2026", false, true, 26),
                ("Số:        /QĐ-UBND", false, false, 26),
                ("QUYẾT ĐỊNH", true, false, 28),
                (
                    "Về việc công bố Chỉ số cải cách hành chính năm 2025",
                    true,
                    false,
                    28,
                ),
                ("ỦY BAN NHÂN DÂN TỈNH SÔNG HỒNG", true, false, 28),
                (
                    "Căn cứ Luật Tổ chức chính quyền địa phương năm 2025;",
                    false,
                    true,
                    28,
                ),
                ("QUYẾT ĐỊNH:", true, false, 28),
                ("Điều 1. ", true, false, 28),
                ("Nơi nhận:", true, true, 24),
                ("- Như Điều 3;", false, false, 22),
                ("TM. ỦY BAN NHÂN DÂN", true, false, 28),
                ("Trần Văn Bình", true, false, 28),
                ("Phụ lục I", true, false, 28),
            ]
        } else {
            &[
                ("SOCIALIST REPUBLIC OF VIET NAM", true, false, 24),
                ("Independence - Freedom - Happiness", true, false, 26),
                ("DECISION", true, false, 28),
                ("DECIDES:", true, false, 28),
                ("Article 1. ", true, false, 28),
                ("Recipients:", true, true, 24),
                ("Annex I", true, false, 28),
            ]
        };
        for &(t, bold, italic, size) in parts {
            let p = props_of(&doc, t);
            assert_eq!(p.contains("<w:b/>"), bold, "{lang}: `{t}` bold: {p}");
            assert_eq!(p.contains("<w:i/>"), italic, "{lang}: `{t}` italic: {p}");
            assert!(
                p.contains(&format!(r#"<w:sz w:val="{size}"/>"#)),
                "{lang}: `{t}` size: {p}"
            );
        }
        // The body is justified with a first-line indent.
        assert!(doc
            .contains(r#"<w:ind w:left="0" w:right="0" w:firstLine="567"/><w:jc w:val="both"/>"#));

        // Every unit's row in its annex is results.csv rounded for people: its name, each area's
        // points, total, index, grade and rank; the header row repeats on every page and no row
        // splits.
        let table_rows = rows(&doc);
        let header_rows = doc.matches("<w:tblHeader/>").count();
        assert_eq!(
            header_rows,
            4 + 3,
            "a header row per annex table (3 awards)"
        );
        assert_eq!(
            doc.matches("<w:tr>").count(),
            doc.matches("<w:cantSplit/>").count()
        );
        let res = results(&out);
        assert_eq!(res.len(), 140);
        for (code, r) in &res {
            let name = &r["unit_name"];
            let row = table_rows
                .iter()
                .find(|row| row.get(1) == Some(name) && row.len() > 8)
                .unwrap_or_else(|| panic!("{lang}: no annex row for {code} {name}"));
            let areas: Vec<String> = (1..=8)
                .filter_map(|k| r.get(&format!("area_{k}")))
                .filter(|v| !v.is_empty())
                .map(|v| shown(v, lang))
                .collect();
            let n = areas.len();
            assert_eq!(row[2..2 + n], areas[..], "{lang}: {code} areas: {row:?}");
            assert_eq!(row[2 + n], shown(&r["total_points"], lang), "{code} total");
            assert_eq!(
                row[3 + n],
                format!("{}%", shown(&r["index_pct"], lang)),
                "{code} index"
            );
            if lang == "vi" {
                assert_eq!(row[4 + n], r["grade"], "{code} grade");
            }
            assert_eq!(
                row[5 + n],
                format!("{}/{}", r["rank"], r["rank_of"]),
                "{code} rank"
            );
        }
    }
}

#[test]
fn the_decision_is_the_same_bytes_every_time_and_from_the_decision_command() {
    let (_a, one) = decision_of("vi");
    let (_b, two) = decision_of("vi");
    let first = std::fs::read(one.join("quyet-dinh.docx")).unwrap();
    assert_eq!(first, std::fs::read(two.join("quyet-dinh.docx")).unwrap());
    // `parindex decision` writes the same file alone.
    let tmp = tempfile::tempdir().unwrap();
    let alone = tmp.path().join("qd.docx");
    ok(run(&[
        "decision",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &alone.display().to_string(),
        "-q",
    ]));
    assert_eq!(first, std::fs::read(&alone).unwrap());
    let written: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(written.len(), 1, "only the Decision is written");
}

#[test]
fn a_misspelt_key_or_placeholder_of_decision_is_refused_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("sample-data"), &tmp.path().join("sample-data"));
    copy_dir(&repo().join("criteria"), &tmp.path().join("criteria"));
    let file = tmp.path().join("sample-data/danh-gia-2025.toml");
    let original = std::fs::read_to_string(&file).unwrap();
    // A misspelt key, then (the keys right) a misspelt placeholder: each refused at its line,
    // with what was meant.
    for (added, needle, said) in [
        ("numbr = \"15/QĐ-UBND\"\n", "numbr", "`number`"),
        (
            "summary = \"Công bố Chỉ số năm {nam}\"\n",
            "summary",
            "{year}",
        ),
        ("date = \"30/02/2026\"\n", "date", "2026-01-15"),
        // A value of the wrong type, said in Vietnamese (toml writes English).
        (
            "number = 15\n",
            "number",
            "kiểu giá trị không đúng: số nguyên `15`, cần một chuỗi",
        ),
    ] {
        let text = original.replace("[decision]\n", &format!("[decision]\n{added}"));
        std::fs::write(&file, &text).unwrap();
        let line = (text.lines().enumerate())
            .skip_while(|(_, l)| *l != "[decision]")
            .find(|(_, l)| l.starts_with(needle))
            .unwrap()
            .0
            + 1;
        let o = run_in(
            tmp.path(),
            &["score", "sample-data/danh-gia-2025.toml", "--out", "out"],
        );
        assert_eq!(o.code, 2, "{o:?}");
        let at = format!("danh-gia-2025.toml:{line}:");
        assert!(o.stderr.contains(&at), "{at} not in {o:?}");
        assert!(o.stderr.contains(said), "{said} not in {o:?}");
    }
    assert!(!tmp.path().join("out").exists(), "nothing is written");

    // A number and a date: the date line as Decree 30 writes it, the annexes naming both.
    let text = original.replace(
        "[decision]\n",
        "[decision]\nnumber = \"15/QĐ-UBND\"\ndate = \"5/3/2026\"\n",
    );
    std::fs::write(&file, &text).unwrap();
    ok(run_in(
        tmp.path(),
        &[
            "decision",
            "sample-data/danh-gia-2025.toml",
            "--out",
            "qd.docx",
        ],
    ));
    let doc = part(&tmp.path().join("qd.docx"), "word/document.xml");
    let p = props_of(&doc, "Sông Hồng, ngày 05 tháng 3 năm 2026");
    assert!(p.contains("<w:i/>"), "{p}");
    props_of(&doc, "Số: 15/QĐ-UBND");
    assert_eq!(
        doc.matches("(Kèm theo Quyết định số 15/QĐ-UBND ngày 05/03/2026)")
            .count(),
        5,
        "each annex names the Decision"
    );
}

#[test]
fn the_decision_prints_its_first_page_whole_and_every_unit_on_one_page() {
    if !super::documents::have("soffice", "libreoffice-writer-nogui")
        || !super::documents::have("pdftotext", "poppler-utils")
        || !super::documents::have_vietnamese_fonts()
    {
        return;
    }
    let (tmp, out) = decision_of("vi");
    let conv = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(out.join("quyet-dinh.docx"))
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    let pdf = out.join("quyet-dinh.pdf");
    assert!(
        pdf.exists(),
        "LibreOffice could not open the .docx — is its word processor installed \
         (apt-get install -y libreoffice-writer-nogui)? {conv:?}"
    );
    let pages = super::documents::pdf_pages(&pdf);
    assert!((6..=20).contains(&pages.len()), "{} pages", pages.len());
    // Page 1: the header block, the title, the bases and the start of the articles.
    for s in [
        "ỦY BAN NHÂN DÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "QUYẾT ĐỊNH",
        "Căn cứ",
        "Điều 1.",
    ] {
        assert!(pages[0].contains(s), "page 1 lacks {s}: {}", pages[0]);
    }
    assert!(
        !pages[0].trim_start().starts_with('1'),
        "no number on page 1"
    );
    // The signature is never alone: its page has an article too.
    let sign = (pages.iter())
        .position(|p| p.contains("Trần Văn Bình"))
        .expect("the signer's name is printed");
    assert!(pages[sign].contains("Điều"), "{}", pages[sign]);
    // Every unit's name, index and rank on one page (a row is never split).
    let res = results(&out);
    for (code, r) in &res {
        let index = format!("{}%", shown(&r["index_pct"], "vi"));
        let rank = format!("{}/{}", r["rank"], r["rank_of"]);
        assert!(
            pages.iter().any(|p| {
                let flat = p.split_whitespace().collect::<Vec<_>>().join(" ");
                flat.contains(&r["unit_name"]) && p.contains(&index) && p.contains(&rank)
            }),
            "{code} {}: its row is not whole on one page",
            r["unit_name"]
        );
    }
    // Each annex's continuation pages start with the header row.
    for (i, p) in pages.iter().enumerate().skip(2) {
        assert!(
            p.contains("STT") && p.contains("Tên đơn vị"),
            "page {}: {p}",
            i + 1
        );
    }
}
