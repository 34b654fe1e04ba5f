//! From data entry to appraisal: the template generated from the criteria (structure read back
//! with calamine, validations, captions, locked columns), the round trip template → filled by a
//! script → `score` with no mapping and no flags → the sample's own results, and the
//! self-assessment against the appraisal.

use std::io::{Read, Write};

use super::*;

/// The workbook's parts, by name.
fn unzip(path: &Path) -> Vec<(String, Vec<u8>)> {
    let mut z = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut b = Vec::new();
            f.read_to_end(&mut b).unwrap();
            (f.name().unwrap().to_string(), b)
        })
        .collect()
}

fn rezip(path: &Path, parts: &[(String, Vec<u8>)]) {
    let mut w = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    for (name, bytes) in parts {
        w.start_file(name.as_str(), zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap();
}

/// What goes into a cell: a number or a word.
enum Fill {
    Num(f64),
    Word(String),
}

/// A value as `criterion-scores.csv` shows it ("97,5%", "8.25", "có") as the cell an official
/// would type: numbers as numbers (a percentage as its number), words as text.
fn as_typed(raw: &str) -> Fill {
    let t = raw.trim().trim_end_matches('%').replace(',', ".");
    match t.parse::<f64>() {
        Ok(x) => Fill::Num(x),
        Err(_) => Fill::Word(raw.to_string()),
    }
}

/// Fill the blank cells `<c r="D7" s="5"/>` of a template's sheet XML.
fn fill_sheet(xml: &str, cells: &HashMap<String, Fill>) -> String {
    let mut out = String::with_capacity(xml.len() * 2);
    let mut rest = xml;
    while let Some(at) = rest.find("<c r=\"") {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find('>').unwrap() + 1;
        let tag = &rest[..end];
        let r = tag[6..].split('"').next().unwrap();
        match (tag.ends_with("/>"), cells.get(r)) {
            (true, Some(fill)) => {
                let open = &tag[..tag.len() - 2];
                match fill {
                    Fill::Num(x) => out.push_str(&format!("{open}><v>{x}</v></c>")),
                    Fill::Word(w) => out.push_str(&format!(
                        "{open} t=\"inlineStr\"><is><t>{}</t></is></c>",
                        w.replace('&', "&amp;").replace('<', "&lt;")
                    )),
                }
            }
            _ => out.push_str(tag),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

#[test]
fn template_structure_captions_validation_and_locks() {
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("mau.xlsx");
    let o = ok(run(&[
        "template",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &t.display().to_string(),
    ]));
    assert!(o.stdout.contains("2 trang số liệu, 140 đơn vị"), "{o:?}");
    let mut wb = open_workbook_auto(&t).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "Số liệu - sở, ban",
            "Số liệu - xã, phường, đặc khu",
            "Hướng dẫn"
        ]
    );
    let xa = wb.worksheet_range("Số liệu - xã, phường, đặc khu").unwrap();
    let rows: Vec<Vec<String>> = xa
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    let head = rows.iter().position(|r| r[0] == "Mã đơn vị").unwrap();
    // Area over its criteria, the criterion's name under it.
    assert_eq!(rows[head][3], "1. Công tác chỉ đạo, điều hành CCHC (10)");
    assert_eq!(
        rows[head + 1][3],
        "Ban hành kế hoạch CCHC năm đúng thời hạn"
    );
    assert!(rows[head + 1].contains(&"Người đứng đầu bị kỷ luật trong năm".to_string()));
    // One row per commune-level unit, code and name filled in.
    let units: Vec<&Vec<String>> = rows[head + 2..]
        .iter()
        .filter(|r| !r[0].is_empty())
        .collect();
    assert_eq!(units.len(), 120);
    assert!(units
        .iter()
        .any(|r| r[0] == "XA013" && r[1] == "Xã Mỹ Thủy"));
    // In the XML: the sheet is protected, code/name cells locked, inputs unlocked, every
    // input column validated with the criterion in its input message.
    let parts = unzip(&t);
    let sheet = String::from_utf8(
        parts
            .iter()
            .find(|(n, _)| n == "xl/worksheets/sheet2.xml")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(sheet.contains("<sheetProtection"));
    let validations = sheet.matches("<dataValidation ").count();
    // 43 leaves read 42 distinct indicators (one is read twice), 5 items, 1 condition.
    assert!(validations >= 45, "{validations} validations");
    assert!(
        sheet.contains("type=\"list\"") && sheet.contains("<formula1>\"có,không,KAD\"</formula1>")
    );
    assert!(
        sheet.contains("promptTitle=\"1.1.2 (1 điểm)\""),
        "input title"
    );
    assert!(sheet.contains("&lt;=100"), "rates are 0–100");
    let styles = String::from_utf8(
        parts
            .iter()
            .find(|(n, _)| n == "xl/styles.xml")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(styles.contains("locked=\"0\""), "input cells are unlocked");
    let custom = String::from_utf8(
        parts
            .iter()
            .find(|(n, _)| n == "docProps/custom.xml")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap();
    assert!(custom.contains("parindex-template-sheets"));
    // --self leaves the survey out; --appraisal adds a reason after each indicator.
    let s = tmp.path().join("tu.xlsx");
    ok(run(&[
        "template",
        "sample-data/danh-gia-2025.toml",
        "--self",
        "--out",
        &s.display().to_string(),
    ]));
    let mut wb = open_workbook_auto(&s).unwrap();
    let xa = wb.worksheet_range("Số liệu - xã, phường, đặc khu").unwrap();
    let text: Vec<String> = xa
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(!text.iter().any(|c| c.contains("điều tra xã hội học")));
    assert!(text.contains(&"Tài liệu kiểm chứng (đường dẫn)".to_string()));
    let a = tmp.path().join("td.xlsx");
    ok(run(&[
        "template",
        "sample-data/danh-gia-2025.toml",
        "--appraisal",
        "--out",
        &a.display().to_string(),
    ]));
    let mut wb = open_workbook_auto(&a).unwrap();
    let xa = wb.worksheet_range("Số liệu - xã, phường, đặc khu").unwrap();
    let text: Vec<String> = xa
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(text.contains(&"Lý do điều chỉnh 1.1.1".to_string()));
}

#[test]
fn a_filled_template_scores_like_the_sample_with_no_mapping_and_no_flags() {
    let tmp = tempfile::tempdir().unwrap();
    let sample = tmp.path().join("sample");
    // The sample as the flags give it (the run file adds the comparison with 2024).
    ok(run(&args(&sample_args(&sample.display().to_string()))));
    let t = tmp.path().join("mau.xlsx");
    ok(run(&[
        "template",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &t.display().to_string(),
    ]));

    // What each unit reported, as read by the sample run: unit → indicator → raw value, and
    // criterion name → indicator (the template heads columns with criterion names).
    let mut value: HashMap<(String, String), String> = HashMap::new();
    let mut indicator_of: HashMap<String, String> = HashMap::new();
    let mut rdr = csv::Reader::from_path(sample.join("criterion-scores.csv")).unwrap();
    for r in rdr.records() {
        let r = r.unwrap();
        indicator_of.insert(r[3].to_string(), r[4].to_string());
        indicator_of.insert(r[4].to_string(), r[4].to_string());
        if !r[5].is_empty() {
            value.insert((r[0].to_string(), r[4].to_string()), r[5].to_string());
        }
    }
    let disqualified: Vec<String> = results(&sample)
        .into_iter()
        .filter(|(_, r)| r["flags"].contains("disqualified:K1"))
        .map(|(c, _)| c)
        .collect();
    assert_eq!(disqualified.len(), 1);

    // The survey sample sizes the run file's [uncertainty] reads: the template collects them too.
    let sizes: HashMap<String, String> =
        std::fs::read_to_string(repo().join("sample-data/2025/co-mau-xhh.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .filter_map(|l| l.split_once(','))
            .map(|(c, n)| (c.to_string(), n.to_string()))
            .collect();

    // Fill every data sheet the way an office would type it.
    let filled = tmp.path().join("da-dien.xlsx");
    fill_template(&t, &filled, |code, caption| {
        if caption == "Người đứng đầu bị kỷ luật trong năm" {
            let yes = disqualified.iter().any(|d| d == code);
            return Some(Fill::Word(if yes { "có" } else { "không" }.into()));
        }
        if caption == "so_phieu_khao_sat" {
            return sizes.get(code).map(|n| as_typed(n));
        }
        let ind = &indicator_of[caption];
        value
            .get(&(code.to_string(), ind.clone()))
            .map(|v| as_typed(v))
    });

    // Scored with the criteria and the registry only: no --map, no sheet, no rates flag.
    let out = tmp.path().join("out");
    let o = ok(run(&[
        "score",
        "--criteria",
        "criteria/so-2025.toml",
        "--criteria",
        "criteria/xa-2025.toml",
        "--units",
        "sample-data/units.csv",
        "--data",
        &filled.display().to_string(),
        "--out",
        &out.display().to_string(),
    ]));
    assert!(o.stdout.contains("Đã chấm 140 đơn vị"), "{o:?}");
    assert_eq!(
        std::fs::read_to_string(out.join("results.csv")).unwrap(),
        std::fs::read_to_string(sample.join("results.csv")).unwrap(),
        "the filled template gives the sample's results byte for byte"
    );

    // The README's data-entry path: the run file with the filled template as its data — the
    // appraisal, the comparison with 2024 and the uncertainty run as with the sample's tables.
    let reference = tmp.path().join("reference");
    ok(run(&[
        "score",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &reference.display().to_string(),
    ]));
    let from_template = tmp.path().join("from-template");
    ok(run(&[
        "score",
        "sample-data/danh-gia-2025.toml",
        "--data",
        &filled.display().to_string(),
        "--out",
        &from_template.display().to_string(),
    ]));
    for f in [
        "results.csv",
        "uncertainty.csv",
        "comparison.csv",
        "awards.csv",
    ] {
        assert_eq!(
            std::fs::read_to_string(from_template.join(f)).unwrap(),
            std::fs::read_to_string(reference.join(f)).unwrap(),
            "{f}: the filled template and the sample's tables differ"
        );
    }
}

/// Fill a template's data sheets: `value(unit code, column header)` gives each cell.
fn fill_template(template: &Path, to: &Path, value: impl Fn(&str, &str) -> Option<Fill>) {
    let mut wb = open_workbook_auto(template).unwrap();
    let mut parts = unzip(template);
    let names: Vec<String> = wb
        .sheet_names()
        .into_iter()
        .filter(|n| n != "Hướng dẫn" && n != "Instructions")
        .collect();
    for (k, name) in names.iter().enumerate() {
        let range = wb.worksheet_range(name).unwrap();
        let rows: Vec<Vec<String>> = range
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        let (r0, c0) = range.start().unwrap();
        let head = rows
            .iter()
            .position(|r| r[0] == "Mã đơn vị" || r[0] == "Unit code")
            .unwrap()
            + 1;
        let mut cells: HashMap<String, Fill> = HashMap::new();
        for (i, row) in rows.iter().enumerate().skip(head + 1) {
            for (j, caption) in rows[head].iter().enumerate().skip(3) {
                if let Some(f) = value(&row[0], caption) {
                    cells.insert(
                        format!("{}{}", column_name(c0 as usize + j), r0 as usize + i + 1),
                        f,
                    );
                }
            }
        }
        let part = format!("xl/worksheets/sheet{}.xml", k + 1);
        let p = parts.iter_mut().find(|(n, _)| *n == part).unwrap();
        p.1 = fill_sheet(std::str::from_utf8(&p.1).unwrap(), &cells).into_bytes();
    }
    rezip(to, &parts);
}

fn column_name(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// The mini fixture with a self-assessment: U2 claims on-time 100 (appraised 90), U3 claims a
/// plan it did not have, U4 claims no complaints (2 found) and no incident (1 found); U2 also
/// "scores" the survey, which is ignored. Reasons: U2 1.1 in a long table, U3 1.2 in a reason
/// column of the appraised table; U4's two cuts have none.
fn mini_appraisal(dir: &Path, extra: &[&str]) -> Out {
    let fx = repo().join("tests/fixtures/mini");
    let data = std::fs::read_to_string(fx.join("data.csv")).unwrap();
    let mut lines: Vec<String> = data.lines().map(String::from).collect();
    lines[0].push_str(",Lý do điều chỉnh 1.2");
    for l in lines.iter_mut().skip(1) {
        l.push_str(if l.starts_with("U3,") {
            ",Không có kế hoạch được ban hành"
        } else {
            ","
        });
    }
    std::fs::write(dir.join("data.csv"), lines.join("\n") + "\n").unwrap();
    std::fs::write(
        dir.join("self.csv"),
        "unit_code,Đúng hạn,Kế hoạch,complaints,sat,incident\nU2,100,có,không áp dụng,99,0\nU3,95,có,0,,0\nU4,100,có,0,85,0\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("ly-do.csv"),
        "Mã đơn vị,Mã tiêu chí,Lý do\nU2,1.1,Số liệu không khớp hệ thống\n",
    )
    .unwrap();
    let mut a = vec![
        "score".to_string(),
        "--lang".into(),
        "en".into(),
        "--criteria".into(),
        fx.join("criteria.toml").display().to_string(),
        "--units".into(),
        fx.join("units.csv").display().to_string(),
        "--data".into(),
        "data.csv".into(),
        "--self".into(),
        "self.csv".into(),
        "--reasons".into(),
        "ly-do.csv".into(),
        "--out".into(),
        "out".into(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    run_in(dir, &args(&a))
}

#[test]
fn self_assessment_against_appraisal_hand_computed() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ok(mini_appraisal(tmp.path(), &[]));
    // The appraised results are what they always were: the reason column is not an indicator.
    assert!(
        !o.stderr.contains("columns read but used by no criterion"),
        "{o:?}"
    );
    assert!(o.stderr.contains("survey columns ignored (sat)"), "{o:?}");
    let mut rdr = csv::Reader::from_path(tmp.path().join("out/appraisal.csv")).unwrap();
    let head = rdr.headers().unwrap().clone();
    let rows: Vec<HashMap<String, String>> = rdr
        .records()
        .map(|r| {
            head.iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect();
    let at = |u: &str, id: &str| {
        rows.iter()
            .find(|r| r["unit_code"] == u && r["criterion_id"] == id)
            .unwrap_or_else(|| panic!("{u} {id}"))
    };
    // 6 units × (3 non-survey leaves + 2 items); the survey leaf 2.2 is not self-assessed.
    assert_eq!(rows.len(), 30);
    assert!(!rows.iter().any(|r| r["criterion_id"] == "2.2"));
    // U2 1.1: linear 80→100 over 4 points: claimed 100 → 4, appraised 90 → 2.
    let r = at("U2", "1.1");
    assert_eq!(
        (
            &r["self_value"][..],
            &r["self_points"][..],
            &r["appraised_value"][..],
            &r["appraised_points"][..],
            &r["difference"][..]
        ),
        ("100", "4", "90", "2", "-2")
    );
    assert_eq!(r["reason"], "Số liệu không khớp hệ thống");
    assert_eq!(r["self_source"], "self.csv!B2");
    assert_eq!(r["reason_source"], "ly-do.csv!C2");
    // U3 1.2: yes/no over 2 points; its reason comes from the appraised table's reason column.
    let r = at("U3", "1.2");
    assert_eq!(
        (
            &r["self_points"][..],
            &r["appraised_points"][..],
            &r["difference"][..]
        ),
        ("2", "0", "-2")
    );
    assert_eq!(r["reason"], "Không có kế hoạch được ban hành");
    assert_eq!(r["reason_source"], "data.csv!I4");
    // U4: deduction 0.5 per complaint (2 found: 1 of 2 points); the incident penalty of 1.
    assert_eq!(at("U4", "2.1")["difference"], "-1");
    assert_eq!(at("U4", "P1")["difference"], "-1");
    // Units not in the self table keep their appraised values: no difference.
    assert_eq!(at("U1", "1.1")["difference"], "0");
    // The two unexplained cuts are one warning naming the cells.
    assert!(
        o.stderr.contains("2 adjustment(s) larger than 0 points have no reason: U4 2.1 (-1, data.csv!D5); U4 P1 (-1, data.csv!G5)"),
        "{o:?}"
    );
    // The workbook and the report carry the comparison; U2's scorecard shows what it claimed.
    let mut wb = open_workbook_auto(tmp.path().join("out/results.xlsx")).unwrap();
    // A sheet per table, so each table's header repeats on its printed pages.
    let names = wb.sheet_names();
    for tab in [
        "Appraisal - units",
        "Appraisal - criteria",
        "Appraisal - no reason",
    ] {
        assert!(names.contains(&tab.to_string()), "{tab} in {names:?}");
    }
    let sheet = wb.worksheet_range("Appraisal - units").unwrap();
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    // U2: appraised 7 (5.6 of 8 after re-basing, × 10/8), claimed 9.5: the largest gap first.
    let u2 = cells.iter().position(|c| c == "U2").unwrap();
    assert_eq!(
        &cells[u2..u2 + 7],
        ["U2", "Xã Hai", "xã", "9.5", "7", "-2.5", "1"]
    );
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(html.contains("SELF-ASSESSMENT AND APPRAISAL"));
    assert!(html.contains("Self-assessed: 9.50"), "the card's total box");
    // A higher threshold: only the 2-point cut without a reason would need one — it has one.
    let tmp = tempfile::tempdir().unwrap();
    let o = ok(mini_appraisal(tmp.path(), &["--reason-threshold", "1.5"]));
    assert!(!o.stderr.contains("have no reason"), "{o:?}");
}

#[test]
fn self_data_for_a_unit_not_in_the_registry_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    mini_appraisal(tmp.path(), &[]);
    let s = std::fs::read_to_string(tmp.path().join("self.csv")).unwrap();
    std::fs::write(tmp.path().join("self.csv"), s + "U9,100,có,0,,0\n").unwrap();
    std::fs::remove_dir_all(tmp.path().join("out")).unwrap();
    let o = mini_appraisal_again(tmp.path());
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains("self.csv, row 5") && o.stderr.contains("`U9`"),
        "{o:?}"
    );
    assert!(!tmp.path().join("out").exists());
}

/// Score the files `mini_appraisal` left in `dir`, as they are now.
fn mini_appraisal_again(dir: &Path) -> Out {
    let fx = repo().join("tests/fixtures/mini");
    run_in(
        dir,
        &[
            "score",
            "--lang",
            "en",
            "--criteria",
            &fx.join("criteria.toml").display().to_string(),
            "--units",
            &fx.join("units.csv").display().to_string(),
            "--data",
            "data.csv",
            "--self",
            "self.csv",
            "--reasons",
            "ly-do.csv",
            "--out",
            "out",
        ],
    )
}

#[test]
fn filled_self_and_appraisal_templates_give_the_comparison_and_its_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let (crit, units) = (
        fx.join("criteria.toml").display().to_string(),
        fx.join("units.csv").display().to_string(),
    );
    for (flag, file) in [("--appraisal", "td.xlsx"), ("--self", "tu.xlsx")] {
        ok(run_in(
            tmp.path(),
            &[
                "template",
                "--criteria",
                &crit,
                "--units",
                &units,
                flag,
                "--out",
                file,
            ],
        ));
    }
    // The appraised values of the fixture, by criterion name.
    let mini = mini_values();
    let appraised = |code: &str, caption: &str| -> Option<Fill> {
        if caption == "Lý do điều chỉnh 1.2" && code == "U3" {
            return Some(Fill::Word("Không có kế hoạch được ban hành".into()));
        }
        mini(code, caption)
    };
    fill_template(
        &tmp.path().join("td.xlsx"),
        &tmp.path().join("td-filled.xlsx"),
        appraised,
    );
    // U3 claims the plan it did not have; everything else as appraised.
    fill_template(
        &tmp.path().join("tu.xlsx"),
        &tmp.path().join("tu-filled.xlsx"),
        |code, caption| {
            if code == "U3" && caption == "Kế hoạch" {
                return Some(Fill::Word("có".into()));
            }
            appraised(code, caption)
        },
    );
    let o = ok(run_in(
        tmp.path(),
        &[
            "score",
            "--lang",
            "en",
            "--criteria",
            &crit,
            "--units",
            &units,
            "--data",
            "td-filled.xlsx",
            "--self",
            "tu-filled.xlsx",
            "--out",
            "out",
        ],
    ));
    assert!(!o.stderr.contains("have no reason"), "{o:?}");
    let text = std::fs::read_to_string(tmp.path().join("out/appraisal.csv")).unwrap();
    let u3 = text
        .lines()
        .find(|l| l.starts_with("U3,Xã Ba,tree,1.2,"))
        .unwrap();
    assert!(
        u3.contains(
            ",có,2,không,0,-2,Không có kế hoạch được ban hành,tu-filled.xlsx#Số liệu - xã!"
        ),
        "{u3}"
    );
    assert!(u3.contains(",td-filled.xlsx#Số liệu - xã!"), "{u3}");
    // Only that line differs.
    let adjusted = text
        .lines()
        .skip(1)
        .filter(|l| l.split(',').nth(9) != Some("0"))
        .count();
    assert_eq!(adjusted, 1, "{text}");
}

#[test]
fn an_english_template_reads_back_like_the_vietnamese_one() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let (crit, units) = (
        fx.join("criteria.toml").display().to_string(),
        fx.join("units.csv").display().to_string(),
    );
    ok(run_in(
        tmp.path(),
        &[
            "template",
            "--criteria",
            &crit,
            "--units",
            &units,
            "--lang",
            "en",
            "--out",
            "en.xlsx",
        ],
    ));
    // The English template heads its columns by the criteria's names as `score` reads them.
    let mini = mini_values();
    fill_template(
        &tmp.path().join("en.xlsx"),
        &tmp.path().join("en-filled.xlsx"),
        &mini,
    );
    ok(run_in(
        tmp.path(),
        &[
            "score",
            "--criteria",
            &crit,
            "--units",
            &units,
            "--data",
            "en-filled.xlsx",
            "--out",
            "a",
        ],
    ));
    ok(run_in(
        tmp.path(),
        &[
            "score",
            "--criteria",
            &crit,
            "--units",
            &units,
            "--data",
            &fx.join("data.csv").display().to_string(),
            "--out",
            "b",
        ],
    ));
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("a/results.csv")).unwrap(),
        std::fs::read_to_string(tmp.path().join("b/results.csv")).unwrap()
    );
}

/// The mini fixture's values as a template's cells: (unit code, column caption) → what an office
/// would type (templates head columns with the criteria's names, in either language).
fn mini_values() -> impl Fn(&str, &str) -> Option<Fill> {
    let data = std::fs::read_to_string(repo().join("tests/fixtures/mini/data.csv")).unwrap();
    let mut lines = data.lines();
    let head: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    let by_code: HashMap<String, Vec<String>> = lines
        .map(|l| {
            let v: Vec<String> = l.split(',').map(String::from).collect();
            (v[0].clone(), v)
        })
        .collect();
    move |code, caption| {
        let indicator = match caption {
            "Đúng hạn" => "on_time",
            "Kế hoạch" => "plan",
            "Phản ánh" => "complaints",
            "Hài lòng" => "sat",
            "Sáng kiến" => "initiatives",
            "Sự cố" => "incident",
            "Kỷ luật" => "head_disciplined",
            _ => return None,
        };
        let col = head.iter().position(|h| h == indicator)?;
        let v = &by_code.get(code)?[col];
        (!v.is_empty()).then(|| as_typed(v))
    }
}
