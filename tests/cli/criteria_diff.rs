//! `parindex criteria diff OLD NEW`: what changed between two criteria sets, through the binary —
//! on the sample's two years, on sets changed in known ways (a renumbered, a reworded, a new
//! criterion, a rule and a maximum changed), as CSV, and the caveat a run comparing with last year
//! prints beside its comparison.

use super::*;

/// `criteria diff --csv` as (new_id or old_id) → row.
fn diff_csv(path: &Path) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap();
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.trim_start_matches('\u{feff}').to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

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
    let rows = diff_csv(&csv_path);
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
    let rows = diff_csv(&csv_path);
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
