//! `parindex criteria import`: an annex table into a criteria file, through the binary — the
//! shipped sets and random trees exported then imported come back the same (tree, names, maxima,
//! rules); an annex laid out as an office lays it out (title rows, a column order of its own, a
//! column-number row, merged bold area rows, Roman, Arabic and letter numbering, a dash item, a
//! guidance-only row, "2,0 điểm", a total row, guidance no phrasing covers) imports, passes
//! `check`, and `template` then `score` run on it; maxima that do not add up are refused with
//! their rows.

use parindex::criteria::model::{Criteria, NodeKind, Rule, RuleKind};
use proptest::prelude::*;

use super::*;

/// A rule without its indicator (import names indicators by id) and its captions.
fn shape(r: &Rule) -> String {
    let kind = match &r.kind {
        // Category words compared as keys (the annex writes the first one capitalised).
        RuleKind::Category(c) => {
            let mut v: Vec<String> = c
                .iter()
                .map(|c| format!("{}={}", c.key, c.points))
                .collect();
            v.sort();
            format!("category {v:?}")
        }
        k => format!("{k:?}"),
    };
    // A relative rule's scale is not said by its guidance.
    let scale = if matches!(r.kind, RuleKind::Relative { .. }) {
        String::new()
    } else {
        format!("{:?}", r.scale)
    };
    format!("{kind} {scale}")
}

/// What must survive export → import: every node's id, name (case aside), maximum and rule; the
/// bonus and penalty caps and items.
fn essence(c: &Criteria) -> Vec<String> {
    let mut out: Vec<String> = (c.nodes.iter())
        .map(|n| {
            let rule = match &n.kind {
                NodeKind::Leaf(r) => shape(r),
                NodeKind::Group { .. } => "group".into(),
            };
            format!("{} {} {} {rule}", n.id, n.name.to_lowercase(), n.max)
        })
        .collect();
    for s in [&c.bonus, &c.penalty].into_iter().flatten() {
        out.push(format!("cap {}", s.cap));
        for it in &s.items {
            out.push(format!(
                "{} {} {}",
                it.name.to_lowercase(),
                it.max,
                shape(&it.rule)
            ));
        }
    }
    out.push(format!("max {}", c.max_points));
    out
}

/// Export `file` to an annex of `ext`, import it back, and load both.
fn round_trip(dir: &Path, file: &Path, ext: &str) -> (Criteria, Criteria) {
    let annex = dir.join(format!("annex.{ext}"));
    let back = dir.join("back.toml");
    ok(run(&[
        "criteria",
        "export",
        &file.display().to_string(),
        "--out",
        &annex.display().to_string(),
    ]));
    let original = parindex::criteria::load(file).unwrap();
    ok(run(&[
        "criteria",
        "import",
        &annex.display().to_string(),
        "--unit-types",
        &original.unit_types.join(","),
        "--year",
        &original.year.to_string(),
        "--out",
        &back.display().to_string(),
    ]));
    (original, parindex::criteria::load(&back).unwrap())
}

#[test]
fn the_shipped_sets_come_back_from_their_annex() {
    for f in ["so-2024", "so-2025", "xa-2024", "xa-2025"] {
        let tmp = tempfile::tempdir().unwrap();
        let file = repo().join(format!("criteria/{f}.toml"));
        let (a, b) = round_trip(tmp.path(), &file, "xlsx");
        assert_eq!(essence(&a), essence(&b), "{f}");
        assert_eq!((a.year, &a.unit_types), (b.year, &b.unit_types), "{f}");
        // Notes come back too.
        let notes = |c: &Criteria| c.nodes.iter().map(|n| n.note.clone()).collect::<Vec<_>>();
        assert_eq!(notes(&a), notes(&b), "{f}");
    }
}

/// A random tree: areas of criteria, some with sub-criteria, leaves with rules the annex phrases.
fn tree() -> impl Strategy<Value = String> {
    let rule = prop_oneof![
        Just("{ kind = \"proportional\", indicator = \"X\" }".to_string()),
        Just("{ kind = \"yes_no\", indicator = \"X\" }".to_string()),
        Just("{ kind = \"appraised\", indicator = \"X\" }".to_string()),
        (1u32..4).prop_map(|p| format!(
            "{{ kind = \"per_occurrence\", indicator = \"X\", per = {} }}",
            f64::from(p) / 2.0
        )),
        (1u32..4).prop_map(|p| format!(
            "{{ kind = \"deduction\", indicator = \"X\", per = {}, floor = 0 }}",
            f64::from(p) / 4.0
        )),
        (1u32..50, 51u32..100).prop_map(|(z, f)| format!(
            "{{ kind = \"linear\", indicator = \"X\", zero_at = {z}, full_at = {f} }}"
        )),
        (2u32..6, 7u32..20).prop_map(|(lo, hi)| format!(
            "{{ kind = \"bands\", indicator = \"X\", bands = [{{ min = {hi}, points = MAX }}, {{ min = {lo}, points = HALF }}, {{ points = 0 }}] }}"
        )),
    ];
    // Areas: 1–4; criteria per area 1–4; each criterion a leaf or 2 sub-criteria; maxima 1–4.
    let leaf = (1u32..5, rule.clone());
    let crit = prop_oneof![
        leaf.clone().prop_map(|l| vec![l]),
        proptest::collection::vec(leaf, 2..3),
    ];
    proptest::collection::vec(proptest::collection::vec(crit, 1..4), 1..4).prop_map(|areas| {
        let mut body = String::new();
        let mut total = 0;
        let mut k = 0;
        for (ai, area) in areas.iter().enumerate() {
            let area_max: u32 = area.iter().flatten().map(|(m, _)| m).sum();
            total += area_max;
            body += &format!(
                "[[criterion]]\nid = \"{}\"\nname = \"Lĩnh vực {}\"\nmax = {area_max}\n\n",
                ai + 1,
                ai + 1
            );
            for (ci, crit) in area.iter().enumerate() {
                let cid = format!("{}.{}", ai + 1, ci + 1);
                let leaf = |id: &str, name: String, m: u32, r: &str, k: &mut u32| {
                    *k += 1;
                    let r = r
                        .replace("\"X\"", &format!("\"i{k}\""))
                        .replace("MAX", &m.to_string())
                        .replace("HALF", &(f64::from(m) / 2.0).to_string());
                    format!("[[criterion]]\nid = \"{id}\"\nname = \"{name}\"\nmax = {m}\nrule = {r}\n\n")
                };
                if crit.len() == 1 {
                    body += &leaf(&cid, format!("Tiêu chí số {k} của lĩnh vực {}", ai + 1), crit[0].0, &crit[0].1, &mut k);
                } else {
                    let m: u32 = crit.iter().map(|(m, _)| m).sum();
                    body += &format!("[[criterion]]\nid = \"{cid}\"\nname = \"Nhóm {cid} gồm các nội dung\"\nmax = {m}\n\n");
                    for (si, (sm, r)) in crit.iter().enumerate() {
                        body += &leaf(&format!("{cid}.{}", si + 1), format!("Nội dung thành phần {cid}.{}", si + 1), *sm, r, &mut k);
                    }
                }
            }
        }
        format!(
            "[meta]\nname = \"Bộ thử\"\nyear = 2026\nunit_types = [\"xã\"]\nmax_points = {total}\n\n{body}\
             [grading]\n[[grading.band]]\nlabel = \"Đạt\"\nmin = 50\n[[grading.band]]\nlabel = \"Chưa đạt\"\n"
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    #[test]
    fn a_random_tree_comes_back_from_its_annex(text in tree()) {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("set.toml");
        std::fs::write(&file, &text).unwrap();
        let (a, b) = round_trip(tmp.path(), &file, "xlsx");
        prop_assert_eq!(essence(&a), essence(&b), "{}", text);
    }
}

/// An annex as an office lays it out.
fn office_annex(path: &Path, area_two_max: &str) {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    ws.merge_range(0, 0, 0, 4, "Phụ lục", &bold).unwrap();
    ws.merge_range(
        1,
        0,
        1,
        4,
        "BỘ TIÊU CHÍ XÁC ĐỊNH CHỈ SỐ CCHC CỦA UBND CẤP XÃ NĂM 2026",
        &bold,
    )
    .unwrap();
    ws.merge_range(
        2,
        0,
        2,
        4,
        "(Kèm theo Quyết định số 12/QĐ-UBND)",
        &Format::new(),
    )
    .unwrap();
    // A column order of the office's own, and its column numbers under the header.
    let header = [
        "TT",
        "Điểm chuẩn",
        "Nội dung",
        "Tài liệu kiểm chứng",
        "Phương pháp chấm điểm",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(4, c as u16, *h).unwrap();
        ws.write_string(5, c as u16, format!("({})", c + 1))
            .unwrap();
    }
    let rows: &[[&str; 5]] = &[
        ["I.", "6", "CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH", "", ""],
        [
            "1",
            "2,0 điểm",
            "Ban hành kế hoạch CCHC",
            "Kế hoạch năm",
            "Có: 2 điểm; không: 0 điểm",
        ],
        ["2", "4", "Thực hiện kế hoạch", "", ""],
        [
            "a)",
            "2",
            "Tỷ lệ nhiệm vụ hoàn thành",
            "",
            "Điểm = tỷ lệ đạt được × 2 điểm",
        ],
        [
            "b)",
            "2",
            "Kiểm tra CCHC",
            "",
            "Đạt từ 4 trở lên: 2 điểm; từ 2 đến dưới 4: 1 điểm; dưới 2: 0 điểm",
        ],
        ["", "", "Số cuộc kiểm tra tính theo biên bản", "", ""],
        ["II.", area_two_max, "CẢI CÁCH THỦ TỤC HÀNH CHÍNH", "", ""],
        [
            "1",
            "3",
            "Giải quyết hồ sơ đúng hạn",
            "",
            "Đạt từ 95% trở lên: 3 điểm; từ 80% trở xuống: 0 điểm; ở giữa tính theo tỷ lệ",
        ],
        ["2", "1", "Công khai thủ tục hành chính", "", ""],
        [
            "-",
            "1",
            "Niêm yết công khai thủ tục",
            "",
            "Hội đồng xem xét, cho điểm tùy mức độ",
        ],
        ["", "10", "TỔNG CỘNG", "", ""],
    ];
    for (i, r) in rows.iter().enumerate() {
        let at = 6 + i as u32;
        // Area rows merged across the name columns, bold, as offices format them.
        if r[0].ends_with('.') {
            ws.write_string_with_format(at, 0, r[0], &bold).unwrap();
            ws.write_string_with_format(at, 1, r[1], &bold).unwrap();
            ws.merge_range(at, 2, at, 4, r[2], &bold).unwrap();
            continue;
        }
        for (c, v) in r.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(at, c as u16, *v).unwrap();
            }
        }
    }
    wb.save(path).unwrap();
}

#[test]
fn an_office_annex_imports_checks_and_scores() {
    let tmp = tempfile::tempdir().unwrap();
    let annex = tmp.path().join("phu-luc.xlsx");
    office_annex(&annex, "4");
    let toml = tmp.path().join("xa-2026.toml");
    let o = ok(run(&[
        "criteria",
        "import",
        &annex.display().to_string(),
        "--unit-types",
        "xã,phường,đặc khu",
        "--out",
        &toml.display().to_string(),
    ]));
    assert!(o.stdout.contains("4 quy tắc chấm nhận dạng được"), "{o:?}");
    let c = parindex::criteria::load(&toml).unwrap();
    assert_eq!(c.year, 2026);
    assert_eq!(c.max_points, 10.0);
    let node = |id: &str| c.nodes.iter().find(|n| n.id == id).unwrap();
    let kinds: Vec<(&str, &str)> = c
        .leaves()
        .map(|(_, n, r)| (n.id.as_str(), r.kind.name()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("1.1", "yes_no"),
            ("1.2.1", "proportional"),
            ("1.2.2", "bands"),
            ("2.1", "linear"),
            ("2.2.1", "appraised"),
        ]
    );
    assert_eq!(node("1.1").max, 2.0);
    assert_eq!(node("1.1").note.as_deref(), Some("Kế hoạch năm"));
    // The guidance-only row is the note of the criterion above it; a guidance no phrasing covers
    // is kept as the note of an appraised leaf, never guessed.
    assert_eq!(
        node("1.2.2").note.as_deref(),
        Some("Số cuộc kiểm tra tính theo biên bản")
    );
    assert_eq!(
        node("2.2.1").note.as_deref(),
        Some("Hội đồng xem xét, cho điểm tùy mức độ")
    );
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(text.contains("# nhận dạng từ hướng dẫn \"Có: 2 điểm; không: 0 điểm\": hãy kiểm tra"));
    assert!(
        text.contains("phu-luc.xlsx, dòng 8: \"1\""),
        "the source row of each criterion"
    );

    // `check`, then the data-entry template, then a run on it.
    ok(run(&["check", &toml.display().to_string()]));
    let template = tmp.path().join("mau.xlsx");
    let units = repo().join("sample-data/units.csv");
    ok(run(&[
        "template",
        "--criteria",
        &toml.display().to_string(),
        "--units",
        &units.display().to_string(),
        "--out",
        &template.display().to_string(),
    ]));
    let out = tmp.path().join("out");
    ok(run(&[
        "score",
        "--criteria",
        &toml.display().to_string(),
        "--units",
        &units.display().to_string(),
        "--data",
        &template.display().to_string(),
        "--out",
        &out.display().to_string(),
        "-q",
    ]));
    assert_eq!(results(&out).len(), 120, "every commune-level unit scored");
}

#[test]
fn an_annex_saved_as_csv_imports_the_same() {
    let tmp = tempfile::tempdir().unwrap();
    // The workbook's rows, as Excel's "CSV UTF-8" saves them (title row, header, rows).
    let csv_text = "\u{feff}BỘ TIÊU CHÍ NĂM 2026,,,,\n\
        TT,Điểm chuẩn,Nội dung,Tài liệu kiểm chứng,Phương pháp chấm điểm\n\
        I.,3,CÔNG TÁC CHỈ ĐẠO,,\n\
        1,\"2,0 điểm\",Ban hành kế hoạch CCHC,,Có: 2 điểm; không: 0 điểm\n\
        2,1,Kiểm tra CCHC,,\"Từ 4 cuộc trở lên: 1 điểm; từ 2 đến dưới 4 cuộc: 0,5 điểm; dưới 2 cuộc: 0 điểm\"\n\
        ,3,TỔNG ĐIỂM,,\n";
    let annex = tmp.path().join("phu-luc.csv");
    std::fs::write(&annex, csv_text).unwrap();
    let toml = tmp.path().join("x.toml");
    ok(run(&[
        "criteria",
        "import",
        &annex.display().to_string(),
        "--unit-types",
        "xã",
        "--out",
        &toml.display().to_string(),
    ]));
    let c = parindex::criteria::load(&toml).unwrap();
    let kinds: Vec<(&str, &str, f64)> = c
        .leaves()
        .map(|(_, n, r)| (n.id.as_str(), r.kind.name(), n.max))
        .collect();
    assert_eq!(kinds, [("1.1", "yes_no", 2.0), ("1.2", "bands", 1.0)]);
    assert_eq!((c.year, c.max_points), (2026, 3.0));
}

#[test]
fn maxima_that_do_not_add_up_are_refused_with_their_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let annex = tmp.path().join("phu-luc.xlsx");
    // Area II says 5, its criteria add up to 4 (and the areas to 11, not the total's 10).
    office_annex(&annex, "5");
    let o = run(&[
        "criteria",
        "import",
        &annex.display().to_string(),
        "--unit-types",
        "xã",
        "--out",
        &tmp.path().join("x.toml").display().to_string(),
    ]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("dòng 13"), "{o:?}");
    assert!(o.stderr.contains("cộng lại 4"), "{o:?}");
    assert!(!tmp.path().join("x.toml").exists());
}
