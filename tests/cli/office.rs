//! Files shaped the way offices make them, and files broken the ways files break: an Excel
//! workbook with merged title rows, a two-row header under a merged group caption, a row of
//! column numbers, percent-formatted rates, KAD/N/A cells, a totals row and a signature block,
//! Vietnamese captions instead of indicator codes — scored exactly like its canonical CSV twin —
//! and the regression tests for every crash and silent wrong number of the input boundary.

use super::*;

use rust_xlsxwriter::{Format, Workbook};

/// One unit of the mini fixture: code, name, on_time %, plan, complaints, sat %, initiatives,
/// incident, head_disciplined.
type MiniRow = (
    &'static str,
    &'static str,
    f64,
    &'static str,
    &'static str,
    Option<f64>,
    f64,
    &'static str,
    f64,
);

/// The mini fixture's data (tests/fixtures/mini/data.csv), row by row.
const MINI: [MiniRow; 6] = [
    ("U1", "Xã Một", 100.0, "có", "0", Some(90.0), 3.0, "0", 1.0),
    ("U2", "Xã Hai", 90.0, "có", "KAD", Some(80.0), 0.0, "0", 0.0),
    ("U3", "Xã Ba", 95.0, "không", "0", None, 0.0, "0", 0.0),
    ("U4", "Xã Bốn", 100.0, "có", "2", Some(85.0), 1.0, "1", 0.0),
    ("U5", "Xã Năm", 95.0, "x", "1", Some(85.0), 0.0, "0", 0.0),
    (
        "U6",
        "Xã Sáu",
        90.0,
        "1",
        "N/A",
        Some(80.0),
        0.0,
        "không",
        0.0,
    ),
];

#[derive(Clone, Copy)]
pub(crate) struct Shape {
    /// Rates stored as fractions in `0.00%` cells (Excel's way); otherwise as written.
    on_time_percent_format: bool,
    /// Rates written as plain fractions (0.95) with no percent format.
    on_time_plain_fraction: bool,
    /// A stray value in the sheet's last cell, XFD1048576.
    far_corner: bool,
}

pub(crate) const OFFICE: Shape = Shape {
    on_time_percent_format: true,
    on_time_plain_fraction: false,
    far_corner: false,
};

/// Write the mini data as a district office would: see the module comment.
pub(crate) fn office_workbook(path: &Path, sheet: &str, shape: Shape) {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    let bold = Format::new().set_bold();
    let pct2 = Format::new().set_num_format("0.00%");
    let pct0 = Format::new().set_num_format("0%");
    ws.merge_range(0, 0, 0, 9, "UBND TỈNH QUẢNG TRỊ – SỞ NỘI VỤ", &bold)
        .unwrap();
    ws.merge_range(
        1,
        0,
        1,
        9,
        "BẢNG TỔNG HỢP CHỈ SỐ CCHC CẤP XÃ NĂM 2025",
        &bold,
    )
    .unwrap();
    // Two-row header: row 4 (index 3) with vertical merges and one merged group caption.
    for (c, caption) in [
        (0u16, "STT"),
        (1, "Mã đơn vị"),
        (2, "Tên đơn vị"),
        (6, "HÀI LÒNG (%)"),
        (7, "Sáng kiến"),
        (8, "Sự cố"),
        (9, "Kỷ luật"),
    ] {
        ws.merge_range(3, c, 4, c, caption, &bold).unwrap();
    }
    ws.merge_range(3, 3, 3, 5, "Kết quả giải quyết TTHC", &bold)
        .unwrap();
    ws.write_string(4, 3, "Đúng hạn (%)").unwrap();
    ws.write_string(4, 4, "Kế hoạch").unwrap();
    ws.write_string(4, 5, "Phản ánh (số)").unwrap();
    for c in 0..10u16 {
        ws.write_string(5, c, format!("({})", c + 1)).unwrap();
    }
    let mut r = 6u32;
    for (i, u) in MINI.iter().enumerate() {
        let (code, name, on_time, plan, complaints, sat, initiatives, incident, disciplined) = *u;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, code).unwrap();
        ws.write_string(r, 2, name).unwrap();
        if shape.on_time_percent_format {
            ws.write_number_with_format(r, 3, on_time / 100.0, &pct2)
                .unwrap();
        } else if shape.on_time_plain_fraction {
            ws.write_number(r, 3, on_time / 100.0).unwrap();
        } else {
            ws.write_number(r, 3, on_time).unwrap();
        }
        ws.write_string(r, 4, plan).unwrap();
        match complaints.parse::<f64>() {
            Ok(x) => ws.write_number(r, 5, x).unwrap(),
            Err(_) => ws.write_string(r, 5, complaints).unwrap(),
        };
        if let Some(s) = sat {
            ws.write_number_with_format(r, 6, s / 100.0, &pct0).unwrap();
        }
        ws.write_number(r, 7, initiatives).unwrap();
        match incident.parse::<f64>() {
            Ok(x) => ws.write_number(r, 8, x).unwrap(),
            Err(_) => ws.write_string(r, 8, incident).unwrap(),
        };
        ws.write_number(r, 9, disciplined).unwrap();
        r += 1;
    }
    // The foot: totals, a place and date, titles, the signature note and names.
    ws.merge_range(r, 0, r, 2, "Tổng cộng", &bold).unwrap();
    ws.write_number(r, 7, 4.0).unwrap();
    ws.write_string(r + 2, 7, "Quảng Trị, ngày 15 tháng 12 năm 2025")
        .unwrap();
    ws.write_string(r + 3, 2, "Người lập biểu").unwrap();
    ws.write_string(r + 3, 7, "Thủ trưởng đơn vị").unwrap();
    ws.write_string(r + 4, 2, "(Ký, ghi rõ họ tên)").unwrap();
    ws.write_string(r + 7, 2, "Nguyễn Văn An").unwrap();
    ws.write_string(r + 7, 7, "Trần Thị Bình").unwrap();
    if shape.far_corner {
        ws.write_string(1_048_575, 16_383, "x").unwrap();
    }
    wb.save(path).unwrap();
}

fn mini_score(dir: &Path, data: &str, extra: &[&str]) -> Out {
    let fx = repo().join("tests/fixtures/mini");
    let mut a: Vec<String> = vec![
        "score".into(),
        "--lang".into(),
        "en".into(),
        "--criteria".into(),
        fx.join("criteria.toml").display().to_string(),
        "--units".into(),
        fx.join("units.csv").display().to_string(),
        "--data".into(),
        data.into(),
        "--out".into(),
        "out".into(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    run_in(dir, &args(&a))
}

/// `dir/out/results.csv` is byte for byte the CSV twin's.
fn assert_like_twin(dir: &Path) {
    assert_eq!(
        String::from_utf8_lossy(&std::fs::read(dir.join("out/results.csv")).unwrap()),
        String::from_utf8_lossy(&twin_results())
    );
}

/// results.csv of the canonical CSV twin.
fn twin_results() -> Vec<u8> {
    let tmp = tempfile::tempdir().unwrap();
    let data = repo().join("tests/fixtures/mini/data.csv");
    ok(mini_score(tmp.path(), &data.display().to_string(), &[]));
    std::fs::read(tmp.path().join("out/results.csv")).unwrap()
}

#[test]
fn an_office_workbook_scores_exactly_like_its_csv_twin() {
    let tmp = tempfile::tempdir().unwrap();
    office_workbook(&tmp.path().join("bao-cao.xlsx"), "Tổng hợp", OFFICE);
    let o = ok(mini_score(tmp.path(), "bao-cao.xlsx#Tổng hợp", &[]));
    let got = std::fs::read(tmp.path().join("out/results.csv")).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&twin_results()),
        "{o:?}"
    );
    // The skipped rows are listed once: the column numbers, the totals and the signature block.
    assert!(
        o.stderr
            .contains("skipped 6 row(s) that are not unit data (column numbers, totals, signatures): row(s) 6, 13, 15–17, 20"),
        "{o:?}"
    );
    // The trace shows the percentage as the office sees it, and its cell.
    let cs = std::fs::read_to_string(tmp.path().join("out/criterion-scores.csv")).unwrap();
    let line = cs.lines().find(|l| l.starts_with("U5,tree,1.1,")).unwrap();
    assert!(
        line.contains(",95%,") && line.contains("bao-cao.xlsx#Tổng hợp,11,D "),
        "{line}"
    );
}

#[test]
fn a_value_in_the_last_cell_of_the_sheet_costs_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let shape = Shape {
        far_corner: true,
        ..OFFICE
    };
    office_workbook(&tmp.path().join("b.xlsx"), "Sheet1", shape);
    ok(mini_score(tmp.path(), "b.xlsx", &[]));
    assert_like_twin(tmp.path());
}

#[test]
fn rates_written_as_fractions_stop_the_run_with_both_fixes() {
    let tmp = tempfile::tempdir().unwrap();
    let shape = Shape {
        on_time_percent_format: false,
        on_time_plain_fraction: true,
        ..OFFICE
    };
    office_workbook(&tmp.path().join("b.xlsx"), "Sheet1", shape);
    let o = mini_score(tmp.path(), "b.xlsx", &[]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("b.xlsx, column D"), "{o:?}");
    assert!(o.stderr.contains("all 6 values"), "{o:?}");
    assert!(o.stderr.contains("format the cells as %"), "{o:?}");
    assert!(o.stderr.contains("--rates-as-fraction 'b.xlsx'"), "{o:?}");
    assert!(!tmp.path().join("out").exists(), "nothing is written");
    // The declared fix, without touching the criteria file.
    ok(mini_score(
        tmp.path(),
        "b.xlsx",
        &["--rates-as-fraction", "b.xlsx"],
    ));
    assert_like_twin(tmp.path());
    // Naming a table that is not a --data table is a usage error.
    let o = mini_score(tmp.path(), "b.xlsx", &["--rates-as-fraction", "other.xlsx"]);
    assert_eq!(o.code, 2, "{o:?}");
}

/// The mini data as CSV with `header` instead of the first line.
fn mini_csv_with_header(dir: &Path, header: &str) -> String {
    let body = std::fs::read_to_string(repo().join("tests/fixtures/mini/data.csv")).unwrap();
    let rest: Vec<&str> = body.lines().skip(1).collect();
    std::fs::write(
        dir.join("d.csv"),
        format!("{header}\n{}\n", rest.join("\n")),
    )
    .unwrap();
    "d.csv".into()
}

#[test]
fn an_unknown_caption_is_reported_once_with_the_nearest_headers_and_a_map_fixes_it() {
    let tmp = tempfile::tempdir().unwrap();
    let d = mini_csv_with_header(
        tmp.path(),
        "Mã đơn vị,Tỷ lệ đúng hạn năm 2025,Kế hoạch,Phản ánh,Hài lòng (%),Sáng kiến,Sự cố,Kỷ luật",
    );
    let o = mini_score(tmp.path(), &d, &[]);
    assert_eq!(o.code, 1, "{o:?}");
    assert_eq!(
        o.stderr.matches("on_time").count(),
        1,
        "once, not per unit: {o:?}"
    );
    assert!(
        o.stderr
            .contains("did you mean `Tỷ lệ đúng hạn năm 2025` (d.csv)"),
        "{o:?}"
    );
    std::fs::write(
        tmp.path().join("map.toml"),
        "[columns]\non_time = \"Tỷ lệ đúng hạn năm 2025\"\n",
    )
    .unwrap();
    ok(mini_score(tmp.path(), &d, &["--map", "map.toml"]));
    assert_like_twin(tmp.path());
}

#[test]
fn captions_declared_in_the_criteria_file_are_matched_after_folding() {
    let tmp = tempfile::tempdir().unwrap();
    let crit = std::fs::read_to_string(repo().join("tests/fixtures/mini/criteria.toml"))
        .unwrap()
        .replace(
            "indicator = \"on_time\",",
            "indicator = \"on_time\", captions = [\"Tỷ lệ hồ sơ giải quyết đúng hạn\"],",
        );
    std::fs::write(tmp.path().join("c.toml"), crit).unwrap();
    let d = mini_csv_with_header(
        tmp.path(),
        "unit_code,TỶ LỆ HỒ SƠ GIẢI QUYẾT  ĐÚNG HẠN (%),plan,complaints,sat,initiatives,incident,head_disciplined",
    );
    let units = repo().join("tests/fixtures/mini/units.csv");
    let o = ok(run_in(
        tmp.path(),
        &[
            "score",
            "--criteria",
            "c.toml",
            "--units",
            &units.display().to_string(),
            "--data",
            &d,
            "--out",
            "out",
        ],
    ));
    let r = results(&tmp.path().join("out"));
    assert_eq!(r["U5"]["total_points"], "8.2", "{o:?}");
}

#[test]
fn a_column_only_the_other_unit_types_table_has_is_one_structural_error() {
    let tmp = tempfile::tempdir().unwrap();
    // The departments' table without on_time_rate; the communes' table still has it.
    let so = std::fs::read_to_string(repo().join("sample-data/2025/chi-so-so.csv")).unwrap();
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(so.trim_start_matches('\u{feff}').as_bytes());
    let mut w = csv::Writer::from_path(tmp.path().join("so.csv")).unwrap();
    let mut drop = None;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let d = *drop.get_or_insert_with(|| rec.iter().position(|h| h == "on_time_rate").unwrap());
        w.write_record(
            rec.iter()
                .enumerate()
                .filter(|(i, _)| *i != d)
                .map(|(_, f)| f),
        )
        .unwrap();
    }
    w.flush().unwrap();
    let mut a = sample_args(&tmp.path().join("out").display().to_string());
    let i = a
        .iter()
        .position(|x| x == "sample-data/2025/chi-so-so.csv")
        .unwrap();
    a[i] = tmp.path().join("so.csv").display().to_string();
    a.extend(["--lang".to_string(), "en".to_string()]);
    let o = run(&args(&a));
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.starts_with("1 problem in the input data"), "{o:?}");
    assert!(
        o.stderr.contains("no unit of type ban, sở has a value"),
        "{o:?}"
    );
    assert!(o.stderr.contains("`on_time_rate`"), "{o:?}");
    assert!(
        o.stderr.contains("chi-so-xa.csv"),
        "the tables searched are named: {o:?}"
    );
}

#[test]
fn a_table_with_only_a_header_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("d.csv"),
        "unit_code,on_time,plan,complaints,sat,initiatives,incident,head_disciplined\n",
    )
    .unwrap();
    let o = mini_score(tmp.path(), "d.csv", &[]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains("d.csv, row 1: the table has no data row"),
        "{o:?}"
    );
}

#[test]
fn unknown_codes_and_bad_values_are_reported_together() {
    let tmp = tempfile::tempdir().unwrap();
    let body = std::fs::read_to_string(repo().join("tests/fixtures/mini/data.csv"))
        .unwrap()
        .replace("U3,95,", "U3,abc,")
        + "U9,90,có,0,80,0,0,0\n";
    std::fs::write(tmp.path().join("d.csv"), body).unwrap();
    let o = mini_score(tmp.path(), "d.csv", &[]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("unit code `U9` is not in the unit registry"),
        "{o:?}"
    );
    assert!(o.stderr.contains("found the text `abc`"), "{o:?}");
}

#[test]
fn vietnamese_messages_have_no_english_fragments() {
    let tmp = tempfile::tempdir().unwrap();
    let body = std::fs::read_to_string(repo().join("tests/fixtures/mini/data.csv"))
        .unwrap()
        .replace("U3,95,", "U3,abc,");
    std::fs::write(tmp.path().join("d.csv"), body).unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let o = run_in(
        tmp.path(),
        &[
            "score",
            "--criteria",
            &fx.join("criteria.toml").display().to_string(),
            "--units",
            &fx.join("units.csv").display().to_string(),
            "--data",
            "d.csv",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("(tiêu chí 1.1, đơn vị U3)"), "{o:?}");
    assert!(
        !o.stderr.contains("criterion") && !o.stderr.contains("unit U3"),
        "{o:?}"
    );
}

#[test]
fn one_bad_byte_in_a_utf8_file_is_an_error_with_its_place_not_mojibake() {
    let tmp = tempfile::tempdir().unwrap();
    let mut bytes = std::fs::read(repo().join("tests/fixtures/mini/units.csv")).unwrap();
    let at = bytes.windows(3).position(|w| w == b"Hai").unwrap() + 1;
    bytes[at] = 0xFF;
    std::fs::write(tmp.path().join("u.csv"), bytes).unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let o = run_in(
        tmp.path(),
        &[
            "score",
            "--lang",
            "en",
            "--criteria",
            &fx.join("criteria.toml").display().to_string(),
            "--units",
            "u.csv",
            "--data",
            &fx.join("data.csv").display().to_string(),
            "--out",
            "out",
        ],
    );
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains(
            "u.csv, row 3: the file is UTF-8 but has an invalid byte 0xFF at character 8"
        ),
        "{o:?}"
    );
}

#[test]
fn the_encoding_used_is_always_said() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ok(run(&args(&sample_args(
        &tmp.path().join("out").display().to_string(),
    ))));
    assert!(
        o.stderr.contains("chi-so-so.csv: bảng mã UTF-8 (có BOM)"),
        "{o:?}"
    );
    assert!(
        o.stderr
            .contains("chi-so-xa.csv: không phải UTF-8, đã đọc theo bảng mã Windows-1258"),
        "{o:?}"
    );
}

/// The sample run's arguments (absolute paths) with `parquet` instead of the survey table.
pub(crate) fn sample_with_parquet(parquet: &str, out: &str, extra: &[&str]) -> Vec<String> {
    let mut a = sample_args(out);
    let at = a
        .iter()
        .position(|x| x.ends_with("dieu-tra-xhh.parquet"))
        .unwrap();
    a[at] = parquet.into();
    for x in a
        .iter_mut()
        .filter(|x| x.starts_with("sample-data") || x.starts_with("criteria"))
    {
        *x = repo().join(&*x).display().to_string();
    }
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

#[test]
fn damaged_parquet_is_an_error_never_a_crash() {
    let tmp = tempfile::tempdir().unwrap();
    let good = std::fs::read(repo().join("sample-data/2025/dieu-tra-xhh.parquet")).unwrap();
    let mut damaged_seen = 0;
    // Footer bytes that made polars-parquet 0.55 panic, every bit; and a truncated file.
    let mut cases: Vec<Vec<u8>> = vec![good[..good.len() - 100].to_vec()];
    for pos in [3561usize, 3569, 3579, 3583] {
        for bit in 0..8 {
            let mut b = good.clone();
            b[pos] ^= 1 << bit;
            cases.push(b);
        }
    }
    for (i, bytes) in cases.iter().enumerate() {
        std::fs::write(tmp.path().join("x.parquet"), bytes).unwrap();
        let a = sample_with_parquet("x.parquet", "out", &["--lang", "en", "-q"]);
        let o = run_in(tmp.path(), &args(&a));
        assert!(o.code == 0 || o.code == 1, "case {i}: {o:?}");
        assert!(!o.stderr.contains("panicked"), "case {i}: {o:?}");
        if o.stderr.contains("x.parquet: cannot read: damaged Parquet") {
            damaged_seen += 1;
        }
    }
    assert!(damaged_seen >= 5, "{damaged_seen}");
    // Found by `cargo fuzz run parquet`: polars asks for 136 GB and the allocator aborts the
    // process; the supervised child turns that into an error.
    std::fs::copy(
        repo().join("tests/fixtures/bad/alloc-failure.parquet"),
        tmp.path().join("x.parquet"),
    )
    .unwrap();
    let a = sample_with_parquet("x.parquet", "out2", &["--lang", "en"]);
    let o = run_in(tmp.path(), &args(&a));
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("x.parquet: cannot read: damaged Parquet (the reader stopped abruptly)"),
        "{o:?}"
    );
    assert!(!o.stderr.contains("memory allocation"), "{o:?}");
    assert!(!tmp.path().join("out2").exists(), "nothing written");
}

/// Rewrite one part of a workbook (a zip) with `edit`.
pub(crate) fn patch_part(src: &Path, dst: &Path, part: &str, edit: &dyn Fn(String) -> String) {
    use std::io::{Read, Write};
    let mut zin = zip::ZipArchive::new(std::fs::File::open(src).unwrap()).unwrap();
    let mut zout = zip::ZipWriter::new(std::fs::File::create(dst).unwrap());
    for i in 0..zin.len() {
        let mut f = zin.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut body = Vec::new();
        f.read_to_end(&mut body).unwrap();
        if name == part {
            body = edit(String::from_utf8(body).unwrap()).into_bytes();
        }
        zout.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        zout.write_all(&body).unwrap();
    }
    zout.finish().unwrap();
}

#[test]
fn workbooks_that_would_exhaust_memory_are_refused_with_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    office_workbook(&tmp.path().join("ok.xlsx"), "Sheet1", OFFICE);
    // A cell reference far outside any sheet.
    patch_part(
        &tmp.path().join("ok.xlsx"),
        &tmp.path().join("far.xlsx"),
        "xl/worksheets/sheet1.xml",
        &|s| s.replacen("r=\"B7\"", "r=\"B99999999\"", 1),
    );
    let o = mini_score(tmp.path(), "far.xlsx", &[]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains("far.xlsx: the workbook is damaged"),
        "{o:?}"
    );
    // A string table that claims more strings than its bytes can hold.
    patch_part(
        &tmp.path().join("ok.xlsx"),
        &tmp.path().join("sst.xlsx"),
        "xl/sharedStrings.xml",
        &|s| {
            let at = s.find("uniqueCount=\"").unwrap() + 13;
            let end = at + s[at..].find('"').unwrap();
            format!("{}99999999999{}", &s[..at], &s[end..])
        },
    );
    let o = mini_score(tmp.path(), "sst.xlsx", &[]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("the string table declares 99999999999 strings"),
        "{o:?}"
    );
    // Not a zip at all.
    std::fs::write(tmp.path().join("junk.xlsx"), b"PK\x03\x04 not really").unwrap();
    let o = mini_score(tmp.path(), "junk.xlsx", &[]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains("junk.xlsx: the workbook is damaged"),
        "{o:?}"
    );
}

#[test]
fn a_sheet_name_with_a_hash_can_be_chosen() {
    let tmp = tempfile::tempdir().unwrap();
    office_workbook(&tmp.path().join("b.xlsx"), "Kỳ #2", OFFICE);
    ok(mini_score(tmp.path(), "b.xlsx#Kỳ #2", &[]));
    assert_like_twin(tmp.path());
}

#[test]
fn non_finite_numbers_in_criteria_are_located_and_a_missing_criteria_file_is_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let crit = std::fs::read_to_string(repo().join("tests/fixtures/mini/criteria.toml"))
        .unwrap()
        .replacen("max = 4\n", "max = nan\n", 1)
        .replacen("per = 0.5", "per = inf", 1);
    std::fs::write(tmp.path().join("c.toml"), crit).unwrap();
    let o = run_in(tmp.path(), &["check", "--lang", "en", "c.toml"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr
            .contains("`nan` is not a finite number\n  --> c.toml:22:7"),
        "{o:?}"
    );
    assert!(
        o.stderr
            .contains("`inf` is not a finite number\n  --> c.toml:40:"),
        "{o:?}"
    );
    let o = run_in(tmp.path(), &["check", "missing.toml"]);
    assert_eq!(o.code, 2, "{o:?}");
    let fx = repo().join("tests/fixtures/mini");
    let o = run_in(
        tmp.path(),
        &[
            "score",
            "--criteria",
            "missing.toml",
            "--units",
            &fx.join("units.csv").display().to_string(),
            "--data",
            &fx.join("data.csv").display().to_string(),
            "--out",
            "out",
        ],
    );
    assert_eq!(o.code, 2, "{o:?}");
}

#[test]
fn a_very_long_line_is_cut_in_messages() {
    let tmp = tempfile::tempdir().unwrap();
    let crit = std::fs::read_to_string(repo().join("tests/fixtures/mini/criteria.toml"))
        .unwrap()
        .replacen(
            "name = \"Đúng hạn\"",
            &format!("name = \"{}\" x", "a".repeat(200_000)),
            1,
        );
    std::fs::write(tmp.path().join("c.toml"), crit).unwrap();
    let o = run_in(tmp.path(), &["check", "--lang", "en", "c.toml"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.len() < 2_000, "{} bytes of stderr", o.stderr.len());
}

#[test]
fn formulas_in_text_cells_are_neutralised_in_csv_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    let units = std::fs::read_to_string(repo().join("tests/fixtures/mini/units.csv"))
        .unwrap()
        .replace("Xã Một", "\"=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
    std::fs::write(tmp.path().join("u.csv"), units).unwrap();
    let fx = repo().join("tests/fixtures/mini");
    ok(run_in(
        tmp.path(),
        &[
            "score",
            "--criteria",
            &fx.join("criteria.toml").display().to_string(),
            "--units",
            "u.csv",
            "--data",
            &fx.join("data.csv").display().to_string(),
            "--out",
            "out",
        ],
    ));
    let r = results(&tmp.path().join("out"));
    assert_eq!(r["U1"]["unit_name"], "'=HYPERLINK(\"http://x\",\"y\")");
    // Numbers stay numbers.
    assert_eq!(r["U1"]["total_points"], "10");
}

#[test]
fn outputs_are_one_unit_and_inputs_are_never_overwritten() {
    let tmp = tempfile::tempdir().unwrap();
    // A folder where the workbook goes: nothing at all is written.
    std::fs::create_dir_all(tmp.path().join("out/results.xlsx")).unwrap();
    let data = repo().join("tests/fixtures/mini/data.csv");
    let o = mini_score(tmp.path(), &data.display().to_string(), &[]);
    assert_eq!(o.code, 2, "{o:?}");
    let left: Vec<String> = std::fs::read_dir(tmp.path().join("out"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["results.xlsx"], "no CSV beside it, no temporary");
    // derive may not write over its registry (or mapping file).
    std::fs::copy(
        repo().join("sample-data/units.csv"),
        tmp.path().join("units.csv"),
    )
    .unwrap();
    let before = std::fs::read(tmp.path().join("units.csv")).unwrap();
    let o = run_in(
        tmp.path(),
        &[
            "derive",
            &repo()
                .join("tests/fixtures/derive/ho-so.csv")
                .display()
                .to_string(),
            "--period",
            "2025",
            "--units",
            "units.csv",
            "--out",
            "units.csv",
        ],
    );
    assert_eq!(o.code, 2, "{o:?}");
    assert_eq!(std::fs::read(tmp.path().join("units.csv")).unwrap(), before);
}

#[test]
fn derive_names_the_row_of_a_stray_quote_and_of_a_bad_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let src = std::fs::read_to_string(repo().join("tests/fixtures/derive/ho-so.csv")).unwrap();
    let mut lines: Vec<String> = src.lines().map(String::from).collect();
    lines[8] = lines[8].replacen(',', ",\"", 1);
    std::fs::write(tmp.path().join("q.csv"), lines.join("\n") + "\n").unwrap();
    let o = run_in(
        tmp.path(),
        &[
            "derive", "q.csv", "--period", "2025", "--out", "z.csv", "--lang", "en", "-q",
        ],
    );
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("q.csv, row 9:"), "{o:?}");
    let mut bytes = src.into_bytes();
    bytes.extend_from_slice(b"H99,X\xff1,P1,online,full,2025-01-01,2025-01-05,2025-01-03,1,1\n");
    std::fs::write(tmp.path().join("u.csv"), bytes).unwrap();
    let o = run_in(
        tmp.path(),
        &[
            "derive", "u.csv", "--period", "2025", "--out", "z.csv", "--lang", "en", "-q",
        ],
    );
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("u.csv, row 16, column B: byte 0xFF is not UTF-8"),
        "{o:?}"
    );
    assert!(!tmp.path().join("z.csv").exists());
}

#[test]
fn a_csv_cut_off_in_the_middle_of_a_row_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let b = std::fs::read(repo().join("sample-data/2025/chi-so-xa.csv")).unwrap();
    std::fs::write(tmp.path().join("xa.csv"), &b[..b.len() / 2]).unwrap();
    let mut a = sample_args(&tmp.path().join("out").display().to_string());
    let i = a
        .iter()
        .position(|x| x == "sample-data/2025/chi-so-xa.csv")
        .unwrap();
    a[i] = tmp.path().join("xa.csv").display().to_string();
    a.extend(["--lang".to_string(), "en".to_string()]);
    let o = run(&args(&a));
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains(
            "xa.csv, row 60: the file ends in the middle of its last row (12 of 43 cells"
        ),
        "{o:?}"
    );
    assert!(!tmp.path().join("out").exists());
}

/// Numeric unit codes ("00004", as the statistics office writes them) typed into Excel lose
/// their leading zeros; the join refuses them — never a guess — and says what happened and how
/// to fix it, with the cell.
#[test]
fn codes_that_lost_their_leading_zeros_are_refused_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let units = std::fs::read_to_string(fx.join("units.csv")).unwrap();
    let padded = |code: &str| format!("0000{}", &code[1..]);
    let units: String = units
        .lines()
        .map(|l| match l.strip_prefix('U') {
            Some(rest) => format!("0000{rest}\n"),
            None => format!("{l}\n"),
        })
        .collect();
    std::fs::write(tmp.path().join("units.csv"), units).unwrap();
    // The data workbook, its code column typed as numbers (what Excel keeps of "00001").
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let headers = [
        "unit_code",
        "on_time",
        "plan",
        "complaints",
        "sat",
        "initiatives",
        "incident",
        "head_disciplined",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, u) in MINI.iter().enumerate() {
        let r = r as u32 + 1;
        let code: f64 = padded(u.0).parse().unwrap();
        ws.write_number(r, 0, code).unwrap();
        ws.write_number(r, 1, u.2).unwrap();
        ws.write_string(r, 2, u.3).unwrap();
        ws.write_string(r, 3, u.4).unwrap();
        if let Some(s) = u.5 {
            ws.write_number(r, 4, s).unwrap();
        }
        ws.write_number(r, 5, u.6).unwrap();
        ws.write_string(r, 6, u.7).unwrap();
        ws.write_number(r, 7, u.8).unwrap();
    }
    wb.save(tmp.path().join("data.xlsx")).unwrap();
    let criteria = fx.join("criteria.toml").display().to_string();
    let o = score_in(tmp.path(), &criteria, "units.csv", &["data.xlsx"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains(
            "data.xlsx, row 4, column A (unit_code): unit code `3` is not in the unit registry \
             (units.csv); `00003` is there: Excel probably dropped the code's leading zeros — \
             format the code column as Text"
        ),
        "{o:?}"
    );
    assert!(!tmp.path().join("out").exists());
    // In Vietnamese, by default.
    let o = run_in(
        tmp.path(),
        &[
            "score",
            "--criteria",
            &criteria,
            "--units",
            "units.csv",
            "--data",
            "data.xlsx",
            "--out",
            "out",
        ],
    );
    assert!(
        o.stderr
            .contains("(units.csv); có mã `00006`: có lẽ Excel đã bỏ các số 0 ở đầu mã"),
        "{o:?}"
    );
}
