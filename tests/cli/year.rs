//! Year over year across the mergers: hand-computed baselines (population weights, equal
//! weights, a partial predecessor, a reused code that must not be joined directly, a new unit, a
//! unit type change), rank changes only within the same group, the lineage's validation, and the
//! sample run's comparison through the binary.

use super::*;

/// Last year: U1 (ranked 3/7), O1–O5, a town U4 whose code the new U4 reuses, U6 ranked among
/// wards, O6 which no lineage row accounts for.
const PREV: &str = "unit_code,unit_name,unit_type,index_pct,rank,rank_of,grade,rank_group
U1,Xã Một cũ,xã,88,3,7,B,xã
O1,Xã Ô Một,xã,80,6,7,B,xã
O2,Xã Ô Hai,xã,90,2,7,A,xã
O3,Xã Ô Ba,xã,70,7,7,C,xã
O4,Xã Ô Bốn,xã,60,8,8,C,xã
U4,Thị trấn Bốn,thị trấn,95,1,7,A,thị trấn
O5,Xã Ô Năm,xã,75,5,7,C,xã
U6,Phường Sáu,phường,85,1,2,B,phường
O6,Xã Ô Sáu,xã,50,9,9,C,xã
";

/// U1 unchanged; U2 = O1 + O2 (population 1,000 and 3,000); U3 = O3 + part of O4; U4 = the
/// old U4 + O5 (the code reused); U5 has no predecessor; U6 unchanged but now ranked as a xã.
const LINEAGE: &str = "Mã mới;Mã cũ;Quan hệ;Dân số
U1;U1;giữ nguyên;5000
U2;O1;nhập toàn bộ;1000
U2;O2;nhập toàn bộ;3000
U3;O3;nhập toàn bộ;2000
U3;O4;nhập một phần;500
U4;U4;nhập toàn bộ;1000
U4;O5;nhập toàn bộ;1000
U6;U6;giữ nguyên;4000
";

fn year_run(dir: &Path, lineage: &str, weight: bool) -> Out {
    let fx = repo().join("tests/fixtures/mini");
    std::fs::write(dir.join("prev.csv"), PREV).unwrap();
    std::fs::write(dir.join("lineage.csv"), lineage).unwrap();
    let mut run_file = format!(
        "criteria = [\"{}\"]\nunits = \"{}\"\nout = \"out\"\nlang = \"en\"\n[[data]]\nfile = \"{}\"\n[previous]\nresults = \"prev.csv\"\nlineage = \"lineage.csv\"\nyear = 2024\n",
        fx.join("criteria.toml").display(),
        fx.join("units.csv").display(),
        fx.join("data.csv").display()
    );
    if weight {
        run_file.push_str("[previous.lineage_columns]\nweight = \"Dân số\"\n");
    }
    std::fs::write(dir.join("run.toml"), run_file).unwrap();
    run_in(dir, &["score", "run.toml"])
}

#[test]
fn baselines_kinds_and_rank_changes_hand_computed() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ok(year_run(tmp.path(), LINEAGE, true));
    let r = results(&tmp.path().join("out"));
    let col = |u: &str, c: &str| r[u][c].clone();
    // This year's indexes (the mini fixture): U1 100, U2 70, U3 62.5, U4 82, U5 82, U6 70.
    // U1 unchanged: 100 − 88 = +12; rank 3/7 → 1/6 in the same group: up 2.
    assert_eq!(
        [
            "prev_index",
            "index_change",
            "prev_rank",
            "prev_rank_of",
            "rank_change",
            "prev_grade",
            "comparison"
        ]
        .map(|c| col("U1", c)),
        ["88", "12", "3", "7", "2", "B", "direct"]
    );
    // U2 = (80 × 1000 + 90 × 3000) / 4000 = 87.5; merged: no rank change.
    assert_eq!(
        ["prev_index", "index_change", "rank_change", "comparison"].map(|c| col("U2", c)),
        ["87.5", "-17.5", "", "merged"]
    );
    // U3 = (70 × 2000 + 60 × 500) / 2500 = 68, approximate (O4 only partly in it).
    assert_eq!(
        ["prev_index", "index_change", "comparison"].map(|c| col("U3", c)),
        ["68", "-5.5", "approximate"]
    );
    // U4 reuses the old U4's code but is a merger: (95 + 75) / 2 = 85, never the old U4's 95.
    assert_eq!(
        ["prev_index", "index_change", "prev_rank", "comparison"].map(|c| col("U4", c)),
        ["85", "-3", "", "merged"]
    );
    assert_eq!(col("U5", "comparison"), "new");
    assert_eq!(col("U5", "prev_index"), "");
    // U6 unchanged, but last year ranked among wards: index change yes, rank change no.
    assert_eq!(
        [
            "prev_index",
            "index_change",
            "prev_rank",
            "rank_change",
            "comparison"
        ]
        .map(|c| col("U6", c)),
        ["85", "-15", "1", "", "direct"]
    );
    // comparison.csv lets anyone recompute U2's baseline: weights and shares.
    let cmp = std::fs::read_to_string(tmp.path().join("out/comparison.csv")).unwrap();
    assert!(
        cmp.contains("U2,Xã Hai,merged,O1,Xã Ô Một,whole_merge,1000,0.25,80,6,7,B,87.5,70,-17.5"),
        "{cmp}"
    );
    assert!(
        cmp.contains("U2,Xã Hai,merged,O2,Xã Ô Hai,whole_merge,3000,0.75,90,2,7,A,87.5,70,-17.5"),
        "{cmp}"
    );
    // The old unit nobody took over is named; the terminal has the group's line.
    assert!(
        o.stderr
            .contains("1 unit(s) of last year's results are in no lineage row")
            && o.stderr.contains("O6"),
        "{o:?}"
    );
    assert!(
        o.stdout.contains(
            "Compared with 2024:\n  xã: 1 up, 4 down, 1 new; largest rise Xã Một (up 12.00 points)"
        ),
        "{o:?}"
    );
    // Written the way results are published, in the report and on the scorecards.
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(html.contains("COMPARED WITH 2024"));
    assert!(html.contains("up 12.00 points on 2024"), "U1's card");
    assert!(html.contains("up 2 place(s)"));
    let mut wb = open_workbook_auto(tmp.path().join("out/results.xlsx")).unwrap();
    assert!(wb.sheet_names().contains(&"Change - xã".to_string()));
    let sheet = wb.worksheet_range("Change - xã").unwrap();
    let first_row = sheet
        .rows()
        .find(|r| r[0] == Data::String("U1".into()))
        .unwrap();
    assert_eq!(first_row[5].to_string(), "▲ up 12.00 points");

    // Equal weights when the file names no weight column: U2 = (80 + 90) / 2 = 85.
    let tmp = tempfile::tempdir().unwrap();
    ok(year_run(tmp.path(), LINEAGE, false));
    let r = results(&tmp.path().join("out"));
    assert_eq!(r["U2"]["prev_index"], "85");
    assert_eq!(r["U3"]["prev_index"], "65");
}

#[test]
fn lineage_problems_are_all_reported_with_their_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let bad = "Mã mới;Mã cũ;Quan hệ
U1;U1;giữ nguyên
U9;O1;nhập toàn bộ
U2;O7;nhập toàn bộ
U2;O2;nhập toàn bộ
U2;O2;nhập toàn bộ
U3;U5;nhập toàn bộ
U5;U3;nhập toàn bộ
U4;O5;hợp tác
";
    let o = year_run(tmp.path(), bad, false);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("lineage.csv, row 9, column C (Quan hệ): relation `hợp tác` not understood"),
        "{o:?}"
    );
    // The unreadable relation hides nothing: the rest is reported in the same run.
    for s in [
        "lineage.csv, row 3: new code `U9` is not in this year's unit registry",
        "lineage.csv, row 6: the link U2 ← O2 is already on row 5",
        "a cycle in the lineage: `U3` leads back to itself",
    ] {
        assert!(o.stderr.contains(s), "{s}: {o:?}");
    }
    assert!(!tmp.path().join("out").exists());
    // A negative and a missing weight hide nothing either.
    let weighted = "Mã mới;Mã cũ;Quan hệ;Dân số
U1;U1;giữ nguyên;-5
U9;O1;nhập toàn bộ;100
U2;O2;nhập toàn bộ;
U2;O2;nhập toàn bộ;300
U3;U5;nhập toàn bộ;1
U5;U3;nhập toàn bộ;1
";
    let o = year_run(tmp.path(), weighted, true);
    assert_eq!(o.code, 1, "{o:?}");
    for s in [
        "lineage.csv, row 2, column D (Dân số): negative weight: -5",
        "lineage.csv, row 4, column D (Dân số): the link U2 ← O2 has no weight",
        "lineage.csv, row 3: new code `U9` is not in this year's unit registry",
        "lineage.csv, row 5: the link U2 ← O2 is already on row 4",
        "a cycle in the lineage: `U3` leads back to itself",
    ] {
        assert!(o.stderr.contains(s), "{s}: {o:?}");
    }
    assert!(!tmp.path().join("out").exists());
    // Without the unreadable relation, the rest is reported together.
    let o = year_run(tmp.path(), &bad.replace("hợp tác", "nhập toàn bộ"), false);
    assert_eq!(o.code, 1, "{o:?}");
    for s in [
        "lineage.csv, row 3: new code `U9` is not in this year's unit registry",
        "lineage.csv, row 4: old code `O7` is not in last year's results",
        "lineage.csv, row 6: the link U2 ← O2 is already on row 5",
        "a cycle in the lineage: `U3` leads back to itself",
    ] {
        assert!(o.stderr.contains(s), "{s}: {o:?}");
    }
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn shares_of_a_split_unit_must_add_up() {
    let tmp = tempfile::tempdir().unwrap();
    let split = "Mã mới;Mã cũ;Quan hệ;Tỷ lệ
U1;U1;giữ nguyên;1
U2;O4;chia tách;0.6
U3;O4;chia tách;0.3
U6;U6;giữ nguyên;-1
";
    let fx = repo().join("tests/fixtures/mini");
    std::fs::write(tmp.path().join("prev.csv"), PREV).unwrap();
    std::fs::write(tmp.path().join("lineage.csv"), split).unwrap();
    let o = run_in(
        tmp.path(),
        &[
            "score",
            "--lang",
            "en",
            "--criteria",
            &fx.join("criteria.toml").display().to_string(),
            "--units",
            &fx.join("units.csv").display().to_string(),
            "--data",
            &fx.join("data.csv").display().to_string(),
            "--previous",
            "prev.csv",
            "--lineage",
            "lineage.csv",
            "--out",
            "out",
        ],
    );
    // No weight column declared: the shares are not read, the split is approximate.
    ok(o);
    let r = results(&tmp.path().join("out"));
    assert_eq!(r["U2"]["comparison"], "approximate");
    std::fs::write(
        tmp.path().join("run.toml"),
        format!(
            "criteria = [\"{}\"]\nunits = \"{}\"\nout = \"out2\"\nlang = \"en\"\n[[data]]\nfile = \"{}\"\n[previous]\nresults = \"prev.csv\"\nlineage = \"lineage.csv\"\n[previous.lineage_columns]\nweight = \"Tỷ lệ\"\n",
            fx.join("criteria.toml").display(),
            fx.join("units.csv").display(),
            fx.join("data.csv").display()
        ),
    )
    .unwrap();
    let o = run_in(tmp.path(), &["score", "run.toml"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("row 5, column D (Tỷ lệ): negative weight: -1"),
        "{o:?}"
    );
    std::fs::write(tmp.path().join("lineage.csv"), split.replace("-1", "1")).unwrap();
    let o = run_in(tmp.path(), &["score", "run.toml"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("the shares of old unit `O4` across 2 new units add up to 0.9, not 1"),
        "{o:?}"
    );
}

#[test]
fn the_sample_compares_2025_with_2024_across_the_merger() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = ok(run(&[
        "score",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &out.display().to_string(),
    ]));
    assert!(o.stdout.contains("So với năm 2024:"), "{o:?}");
    let r = results(&out);
    // XA013 reuses the code of a town that merged into it: compared with the mean of its
    // predecessors, not with the old XA013.
    assert_ne!(r["XA013"]["comparison"], "direct");
    let prev =
        std::fs::read_to_string(repo().join("sample-data/2024/ket-qua-2024/results.csv")).unwrap();
    let old = prev.lines().find(|l| l.starts_with("XA013,")).unwrap();
    assert!(!old.is_empty());
    // The renamed department and the commune that became a ward compare directly; only the
    // department keeps a rank change (the ward was ranked among communes).
    assert_eq!(r["S16"]["comparison"], "direct");
    assert!(!r["S16"]["rank_change"].is_empty());
    assert_eq!(r["PH003"]["comparison"], "direct");
    assert!(r["PH003"]["rank_change"].is_empty() && !r["PH003"]["prev_rank"].is_empty());
    // Every unit is compared one way or another; baselines recompute from comparison.csv.
    let mut rdr = csv::Reader::from_path(out.join("comparison.csv")).unwrap();
    let mut sum: HashMap<String, (f64, f64)> = HashMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        if rec[7].is_empty() {
            continue;
        }
        let e = sum.entry(rec[0].to_string()).or_default();
        e.0 += rec[7].parse::<f64>().unwrap() * rec[8].parse::<f64>().unwrap();
        e.1 = rec[12].parse().unwrap();
    }
    assert_eq!(sum.len(), 140);
    for (code, (recomputed, baseline)) in &sum {
        assert!(
            (recomputed - baseline).abs() < 1e-4,
            "{code}: {recomputed} vs {baseline}"
        );
    }
}

#[test]
fn a_published_table_as_last_year_and_approximate_units_left_out() {
    use rust_xlsxwriter::{Format, Workbook};
    let tmp = tempfile::tempdir().unwrap();
    // Last year as the Department published it: a title row, Vietnamese headers, the index as a
    // percent-formatted cell, the rank written "3/7".
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let pct = Format::new().set_num_format("0.00%");
    ws.write_string(0, 0, "KẾT QUẢ CHỈ SỐ CCHC NĂM 2024")
        .unwrap();
    for (c, h) in [
        "Mã đơn vị",
        "Tên đơn vị",
        "Loại",
        "Chỉ số CCHC (%)",
        "Xếp hạng",
        "Xếp loại",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(2, c as u16, *h).unwrap();
    }
    for (i, line) in PREV.lines().skip(1).enumerate() {
        let f: Vec<&str> = line.split(',').collect();
        let r = 3 + i as u32;
        ws.write_string(r, 0, f[0]).unwrap();
        ws.write_string(r, 1, f[1]).unwrap();
        ws.write_string(r, 2, f[2]).unwrap();
        ws.write_number_with_format(r, 3, f[3].parse::<f64>().unwrap() / 100.0, &pct)
            .unwrap();
        ws.write_string(r, 4, format!("{}/{}", f[4], f[5])).unwrap();
        ws.write_string(r, 5, f[6]).unwrap();
    }
    wb.save(tmp.path().join("cong-bo-2024.xlsx")).unwrap();
    let fx = repo().join("tests/fixtures/mini");
    std::fs::write(tmp.path().join("lineage.csv"), LINEAGE).unwrap();
    std::fs::write(
        tmp.path().join("run.toml"),
        format!(
            "criteria = [\"{}\"]\nunits = \"{}\"\nout = \"out\"\nlang = \"en\"\n[[data]]\nfile = \"{}\"\n[previous]\nresults = \"cong-bo-2024.xlsx\"\nlineage = \"lineage.csv\"\napproximate = \"skip\"\n",
            fx.join("criteria.toml").display(),
            fx.join("units.csv").display(),
            fx.join("data.csv").display()
        ),
    )
    .unwrap();
    ok(run_in(tmp.path(), &["score", "run.toml"]));
    let r = results(&tmp.path().join("out"));
    // The rank "3/7" and the percent cell (0.88 shows 88%) read as last year's figures.
    assert_eq!(
        ["prev_index", "prev_rank", "prev_rank_of", "rank_change"].map(|c| r["U1"][c].clone()),
        ["88", "3", "7", "2"]
    );
    // approximate = "skip": U3 (part of O4) is not compared.
    assert_eq!(r["U3"]["comparison"], "not_compared");
    assert_eq!(r["U3"]["prev_index"], "");
}

/// The mini fixture ranked by bloc, with a U7 that has no bloc, in `dir`.
fn bloc_fixture(dir: &Path) {
    let fx = repo().join("tests/fixtures/mini");
    let criteria = std::fs::read_to_string(fx.join("criteria.toml"))
        .unwrap()
        .replace("[ranking]\n", "[ranking]\nscope = \"bloc\"\n");
    std::fs::write(dir.join("criteria.toml"), criteria).unwrap();
    let units = std::fs::read_to_string(fx.join("units.csv")).unwrap();
    std::fs::write(dir.join("units.csv"), units + "U7,Xã Bảy,xã,\n").unwrap();
    let data = std::fs::read_to_string(fx.join("data.csv")).unwrap();
    std::fs::write(dir.join("data.csv"), data + "U7,85,có,0,75,0,0,0\n").unwrap();
}

/// Last year scored in one language, this year in the other: every unit keeps its rank change,
/// including a unit with no bloc under bloc ranking ("(no bloc)" / "(chưa có khối)" were once
/// compared as labels). `rank_group` is the stable key, the label is beside it.
#[test]
fn rank_changes_do_not_depend_on_the_language_of_either_year() {
    for (last, this) in [("en", "vi"), ("vi", "en")] {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        bloc_fixture(dir);
        let mut lineage = String::from("Mã mới;Mã cũ;Quan hệ\n");
        for u in 1..=7 {
            lineage += &format!("U{u};U{u};giữ nguyên\n");
        }
        std::fs::write(dir.join("lineage.csv"), lineage).unwrap();
        let base = "criteria = [\"criteria.toml\"]\nunits = \"units.csv\"\n";
        let data = "[[data]]\nfile = \"data.csv\"\n";
        std::fs::write(
            dir.join("last.toml"),
            format!("{base}out = \"last\"\nlang = \"{last}\"\n{data}"),
        )
        .unwrap();
        std::fs::write(
            dir.join("this.toml"),
            format!("{base}out = \"this\"\nlang = \"{this}\"\n{data}[previous]\nresults = \"last/results.csv\"\nlineage = \"lineage.csv\"\nyear = 2024\n"),
        )
        .unwrap();
        ok(run_in(dir, &["score", "last.toml"]));
        ok(run_in(dir, &["score", "this.toml"]));
        let r = results(&dir.join("this"));
        assert_eq!(r.len(), 7);
        for (code, row) in &r {
            // The same data both years: every rank is unchanged, and said so.
            assert_eq!(row["comparison"], "direct", "{last}→{this} {code}: {row:?}");
            assert_eq!(row["rank_change"], "0", "{last}→{this} {code}: {row:?}");
        }
        assert_eq!(r["U7"]["rank_group"], "no_bloc");
        assert_eq!(r["U1"]["rank_group"], "bloc:Cụm 1");
        let label = if this == "vi" {
            "(chưa có khối)"
        } else {
            "(no bloc)"
        };
        assert_eq!(r["U7"]["rank_group_label"], label);
        assert_eq!(r["U1"]["rank_group_label"], "Cụm 1");
    }
}

/// A `results.csv` of the shape before `rank_group_label` (a label in `rank_group`, in either
/// language) is still read as last year: its labels are matched against this year's groups.
#[test]
fn last_years_results_in_the_older_shape_still_compare() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    bloc_fixture(dir);
    // U1 and U7 ranked in the same groups as this year, U3 in another bloc.
    std::fs::write(
        dir.join("prev.csv"),
        "unit_code,unit_type,index_pct,rank,rank_of,rank_group\nU1,xã,90,2,3,Cụm 1\nU7,xã,80,1,1,(no bloc)\nU3,xã,70,1,3,Cụm 9\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("lineage.csv"),
        "Mã mới;Mã cũ;Quan hệ\nU1;U1;giữ nguyên\nU7;U7;giữ nguyên\nU3;U3;giữ nguyên\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("run.toml"),
        "criteria = [\"criteria.toml\"]\nunits = \"units.csv\"\nout = \"out\"\n[[data]]\nfile = \"data.csv\"\n[previous]\nresults = \"prev.csv\"\nlineage = \"lineage.csv\"\nyear = 2024\n",
    )
    .unwrap();
    ok(run_in(dir, &["score", "run.toml"]));
    let r = results(&dir.join("out"));
    // U1 is first of Cụm 1 this year (index 100): up one; U7 alone both years.
    assert_eq!(r["U1"]["rank_change"], "1", "{:?}", r["U1"]);
    assert_eq!(r["U7"]["rank_change"], "0", "{:?}", r["U7"]);
    // U3 was ranked in another bloc: no rank change.
    assert_eq!(r["U3"]["rank_change"], "", "{:?}", r["U3"]);
    assert_eq!(r["U3"]["comparison"], "direct");
}

/// Without a lineage file, units are joined on their code, and the run says so in a note.
#[test]
fn without_a_lineage_units_are_joined_on_their_code_and_the_run_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    std::fs::write(tmp.path().join("prev.csv"), PREV).unwrap();
    let args = |lang: &'static str| {
        vec![
            "score".to_string(),
            "--lang".into(),
            lang.into(),
            "--criteria".into(),
            fx.join("criteria.toml").display().to_string(),
            "--units".into(),
            fx.join("units.csv").display().to_string(),
            "--data".into(),
            fx.join("data.csv").display().to_string(),
            "--previous".into(),
            "prev.csv".into(),
            "--out".into(),
            format!("out-{lang}"),
        ]
    };
    for (lang, note) in [
        ("en", "note: no lineage file: units compared by unit code"),
        (
            "vi",
            "ghi chú: không có tệp kế thừa: so sánh theo mã đơn vị",
        ),
    ] {
        let a = args(lang);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        let o = ok(run_in(tmp.path(), &a));
        assert!(o.stderr.contains(note), "{o:?}");
    }
}
