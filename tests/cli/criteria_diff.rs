//! `parindex criteria diff OLD NEW`: what changed between two criteria sets, through the binary —
//! on the sample's two years, on sets changed in known ways (a renumbered, a reworded, a new
//! criterion, a rule and a maximum changed), as CSV, and the caveat a run comparing with last year
//! prints beside its comparison.

use super::*;

fn row<'a>(
    rows: &'a [HashMap<String, String>],
    side: &str,
    id: &str,
) -> &'a HashMap<String, String> {
    rows.iter()
        .find(|r| r[side] == id)
        .unwrap_or_else(|| panic!("no row with {side} {id}: {rows:?}"))
}

#[test]
fn the_sample_years_differ_by_one_new_criterion_and_one_maximum() {
    let tmp = tempfile::tempdir().unwrap();
    let csv_path = tmp.path().join("diff.csv");
    let o = ok(run(&[
        "criteria",
        "diff",
        "criteria/xa-2024.toml",
        "criteria/xa-2025.toml",
        "--csv",
        &csv_path.display().to_string(),
    ]));
    for s in [
        "so với bộ năm 2024: 5 điểm trên 100 (5%) thay đổi cách chấm; thêm 1 tiêu chí, bỏ 0, thay đổi 1",
        "+ 7.7 Cập nhật thông tin trên Trang thông tin điện tử (số tin bài) (2 điểm)",
        "7.6 → 7.6 Tỷ lệ hồ sơ trực tuyến toàn trình (3 điểm): đổi điểm tối đa 5 → 3 [ghép theo nội dung]",
    ] {
        assert!(o.stdout.contains(s), "`{s}` not in {o:?}");
    }
    let rows = csv_rows(&csv_path);
    assert_eq!(row(&rows, "new_id", "7.7")["change"], "added");
    let r = row(&rows, "new_id", "7.6");
    assert_eq!(
        (
            r["change"].as_str(),
            r["old_max"].as_str(),
            r["new_max"].as_str()
        ),
        ("max", "5", "3")
    );
    // Every other criterion of the new set is paired with itself, unchanged.
    let unchanged = rows.iter().filter(|r| r["change"] == "unchanged").count();
    assert_eq!(unchanged, rows.len() - 2, "{rows:?}");

    // The other way round, the new criterion is removed; in English, the same facts.
    let o = ok(run(&[
        "--lang",
        "en",
        "criteria",
        "diff",
        "criteria/xa-2025.toml",
        "criteria/xa-2024.toml",
    ]));
    assert!(o.stdout.contains("Removed (1):\n  - 7.7"), "{o:?}");
    assert!(o.stdout.contains("maximum changed 3 → 5"), "{o:?}");
}

#[test]
fn a_renumbered_a_reworded_and_a_rescored_criterion_are_paired_as_stated() {
    let tmp = tempfile::tempdir().unwrap();
    let old = std::fs::read_to_string(repo().join("criteria/xa-2025.toml")).unwrap();
    // 7.7 renumbered 7.9 (same text), 2.1 rewritten under the same number, 7.6 scored by bands.
    let new = old
        .replace("id = \"7.7\"", "id = \"7.9\"")
        .replace(
            "name = \"Ban hành văn bản QPPL đúng thẩm quyền, trình tự\"",
            "name = \"Rà soát, hệ thống hóa văn bản pháp luật của địa phương\"",
        )
        .replace(
            "rule = { kind = \"linear\", indicator = \"full_online_rate\", zero_at = 20, full_at = 60 }",
            "rule = { kind = \"bands\", indicator = \"full_online_rate\", bands = [{ min = 50, points = 3 }, { points = 0 }] }",
        );
    assert_ne!(old, new);
    let (a, b) = (tmp.path().join("old.toml"), tmp.path().join("new.toml"));
    std::fs::write(&a, &old).unwrap();
    std::fs::write(&b, &new).unwrap();
    let csv_path = tmp.path().join("diff.csv");
    let o = ok(run(&[
        "criteria",
        "diff",
        &a.display().to_string(),
        &b.display().to_string(),
        "--csv",
        &csv_path.display().to_string(),
    ]));
    let rows = csv_rows(&csv_path);
    let moved = row(&rows, "new_id", "7.9");
    assert_eq!(
        (
            moved["change"].as_str(),
            moved["old_id"].as_str(),
            moved["pairing"].as_str()
        ),
        ("moved", "7.7", "text")
    );
    let reworded = row(&rows, "new_id", "2.1");
    assert_eq!(
        (
            reworded["change"].as_str(),
            reworded["old_id"].as_str(),
            reworded["pairing"].as_str()
        ),
        ("renamed", "2.1", "id")
    );
    let rescored = row(&rows, "new_id", "7.6");
    assert_eq!(
        (
            rescored["change"].as_str(),
            rescored["old_rule"].as_str(),
            rescored["new_rule"].as_str()
        ),
        ("rule", "linear", "bands")
    );
    // Changed definition: 7.6's 3 points (its rule); renumbering or rewording the text alone
    // does not change how a criterion is scored.
    assert!(
        o.stdout
            .contains(": 3 điểm trên 100 (3%) thay đổi cách chấm"),
        "{o:?}"
    );
    assert!(o.stdout.contains("[ghép theo số thứ tự]"), "{o:?}");
}

#[test]
fn a_bad_criteria_file_is_refused_before_anything_is_compared() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\nyaer = 2025\n").unwrap();
    let o = run(&[
        "criteria",
        "diff",
        "criteria/xa-2024.toml",
        &bad.display().to_string(),
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("bad.toml:2:1"), "{o:?}");
}

#[test]
fn a_run_with_last_years_criteria_says_what_changed_beside_its_comparison() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(run(&[
        "score",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &out.display().to_string(),
        "-q",
    ]));
    let caveat = "Bộ chỉ số CCHC của UBND các xã, phường, đặc khu năm 2025 so với bộ năm 2024: 5 điểm trên 100 (5%) thay đổi cách chấm";
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // In each comparison section of the communes' set (xã, phường, đặc khu) and the method.
    assert_eq!(html.matches(caveat).count(), 4, "the caveat in report.html");
    let sheet = sheet_cells(&out.join("results.xlsx"), "So sánh - xã");
    assert!(sheet.iter().any(|c| c.starts_with(caveat)), "{sheet:?}");
    let method = sheet_cells(&out.join("results.xlsx"), "Phương pháp");
    assert!(
        method.iter().any(|c| c.starts_with(caveat)),
        "the method sheet"
    );
    assert!(
        method.iter().any(|c| c.contains("criteria/xa-2024.toml")),
        "last year's criteria among the inputs"
    );
}

/// The rows of a .docx's tables, each cell's text.
fn docx_rows(docx: &Path) -> Vec<Vec<String>> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(std::fs::File::open(docx).unwrap()).unwrap();
    let mut doc = String::new();
    zip.by_name("word/document.xml")
        .unwrap()
        .read_to_string(&mut doc)
        .unwrap();
    assert_eq!(doc.matches("<w:tblHeader/>").count(), 1, "one header row");
    assert_eq!(
        doc.matches("<w:tr>").count(),
        doc.matches("<w:cantSplit/>").count()
    );
    doc.split("<w:tr>")
        .skip(1)
        .map(|tr| {
            let tr = &tr[..tr.find("</w:tr>").unwrap()];
            tr.split("<w:tc>")
                .skip(1)
                .map(|tc| {
                    let mut out = String::new();
                    for piece in tc.split("<w:t xml:space=\"preserve\">").skip(1) {
                        out.push_str(&piece[..piece.find("</w:t>").unwrap()]);
                    }
                    out.replace("&amp;", "&")
                })
                .collect()
        })
        .collect()
}

#[test]
fn export_writes_the_official_annex_as_a_workbook_and_a_word_table() {
    let tmp = tempfile::tempdir().unwrap();
    let (xlsx, docx) = (
        tmp.path().join("phu-luc.xlsx"),
        tmp.path().join("phu-luc.docx"),
    );
    for out in [&xlsx, &docx] {
        ok(run(&[
            "criteria",
            "export",
            "criteria/xa-2025.toml",
            "--out",
            &out.display().to_string(),
        ]));
    }
    // The workbook's table: from the header row on, STT, criterion, maximum, guidance, notes.
    let mut book = open_workbook_auto(&xlsx).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    let text = |c: &Data| c.to_string();
    let all: Vec<Vec<String>> = range.rows().map(|r| r.iter().map(text).collect()).collect();
    let head = all
        .iter()
        .position(|r| r[0] == "STT")
        .expect("a header row");
    let xrows: Vec<Vec<String>> = all[head + 1..]
        .iter()
        .filter(|r| r.iter().any(|c| !c.is_empty()))
        .cloned()
        .collect();
    let drows = docx_rows(&docx);
    assert_eq!(drows[0][0], "STT");
    let drows = &drows[1..];
    // Every area and criterion of the file, bonus and penalty with their 3 and 2 items, the total.
    let file = std::fs::read_to_string(repo().join("criteria/xa-2025.toml")).unwrap();
    let nodes = file.matches("[[criterion]]").count();
    assert_eq!(xrows.len(), nodes + 1 + 3 + 1 + 2 + 1, "{xrows:?}");
    assert_eq!(drows.len(), xrows.len());
    for (x, d) in xrows.iter().zip(drows) {
        // The same number, maximum and guidance in both (the .docx writes areas upper case).
        assert_eq!(
            (&x[0], &x[2], &x[3]),
            (&d[0], &d[2], &d[3]),
            "{x:?} / {d:?}"
        );
        assert_eq!(x[1].to_uppercase(), d[1].to_uppercase());
    }
    let find = |name: &str| {
        xrows
            .iter()
            .find(|r| r[1] == name)
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    let area = find("Công tác chỉ đạo, điều hành CCHC");
    assert_eq!((area[0].as_str(), area[2].as_str()), ("I", "10"));
    let plan = find("Kế hoạch CCHC năm");
    assert_eq!(plan[0], "1");
    let leaf = find("Ban hành kế hoạch CCHC năm đúng thời hạn");
    assert_eq!(
        (leaf[0].as_str(), leaf[3].as_str()),
        ("a", "Có: 1 điểm; không: 0 điểm")
    );
    let bands = find("Cập nhật thông tin trên Trang thông tin điện tử (số tin bài)");
    assert_eq!(
        bands[3],
        "Đạt từ 24 trở lên: 2 điểm; từ 12 đến dưới 24: 1 điểm; dưới 12: 0 điểm"
    );
    let rate = find("Tỷ lệ TTHC niêm yết tại Bộ phận Một cửa");
    assert_eq!(
        (rate[2].as_str(), rate[3].as_str()),
        ("1,5", "Điểm = tỷ lệ đạt được × 1,5 điểm")
    );
    assert_eq!(xrows.last().unwrap()[1..3], ["TỔNG ĐIỂM", "100"]);
    // The same bytes again.
    let again = tmp.path().join("again.docx");
    ok(run(&[
        "criteria",
        "export",
        "criteria/xa-2025.toml",
        "--out",
        &again.display().to_string(),
    ]));
    assert_eq!(
        std::fs::read(&docx).unwrap(),
        std::fs::read(&again).unwrap()
    );
    // An annex is .xlsx or .docx.
    let o = run(&[
        "criteria",
        "export",
        "criteria/xa-2025.toml",
        "--out",
        "x.pdf",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
}

#[test]
fn check_of_a_run_file_checks_last_years_criteria_too() {
    let tmp = tempfile::tempdir().unwrap();
    copy_dir(&repo().join("sample-data"), &tmp.path().join("sample-data"));
    copy_dir(&repo().join("criteria"), &tmp.path().join("criteria"));
    ok(run_in(
        tmp.path(),
        &["check", "sample-data/danh-gia-2025.toml"],
    ));
    // Last year's communes' set broken: its area 1 says 11 over sub-criteria adding up to 10.
    let old = tmp.path().join("criteria/xa-2024.toml");
    let text = std::fs::read_to_string(&old).unwrap();
    let broken = text.replacen("max = 10\n", "max = 11\n", 1);
    assert_ne!(text, broken);
    std::fs::write(&old, broken).unwrap();
    let o = run_in(tmp.path(), &["check", "sample-data/danh-gia-2025.toml"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("xa-2024.toml:"), "{o:?}");
}
