//! Award proposals through the binary, with hand-computed selections on the mini fixture:
//! a gate excluding a bloc's top unit, quotas with each rounding, a tie at the cut under each
//! policy, precedence between awards, an empty scope, a bloc of one unit, and bad rules files
//! with located errors.

use super::*;

/// The mini fixture with U6 changed so that U2 and U6 tie officially (same total, same area 2)
/// but differ in 1.1 (U6 100% on time, no plan), and a U7 alone in bloc "Cụm 3".
fn fixture(dir: &Path) {
    let fx = repo().join("tests/fixtures/mini");
    let data = std::fs::read_to_string(fx.join("data.csv"))
        .unwrap()
        .replace("U6,90,1,N/A,80,0,không,0", "U6,100,không,N/A,80,0,không,0");
    std::fs::write(dir.join("data.csv"), data + "U7,85,có,0,75,0,0,0\n").unwrap();
    let units = std::fs::read_to_string(fx.join("units.csv")).unwrap();
    std::fs::write(dir.join("units.csv"), units + "U7,Xã Bảy,xã,Cụm 3\n").unwrap();
}

fn with_rules(dir: &Path, rules: &str) -> Out {
    std::fs::write(dir.join("rules.toml"), rules).unwrap();
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
            "units.csv",
            "--data",
            "data.csv",
            "--awards",
            "rules.toml",
            "--out",
            "out",
        ],
    )
}

/// awards.csv as (award, unit) → (decision, rank, reason).
fn decisions(dir: &Path) -> HashMap<(String, String), (String, String, String)> {
    let mut rdr = csv::Reader::from_path(dir.join("out/awards.csv")).unwrap();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            (
                (r[0].to_string(), r[3].to_string()),
                (
                    r[8].to_string(),
                    format!("{}/{}", &r[5], &r[6]),
                    r[9].to_string(),
                ),
            )
        })
        .collect()
}

#[test]
fn gates_quotas_precedence_and_scopes_hand_computed() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    // Indexes: U1 100 (condition K1 met), U5 82, U4 82 (an incident), U2 70, U6 70, U7 65,
    // U3 62.5. Blocs: Cụm 1 = U1, U2, U5; Cụm 2 = U3, U4, U6; Cụm 3 = U7.
    let o = ok(with_rules(
        tmp.path(),
        r#"name = "Test rules"
[[award]]
id = "flag"
name = "Flag"
scope = "bloc"
top = 1
[award.gates]
no_disqualifying = true
tests = ["incident == 0"]

[[award]]
id = "merit"
name = "Merit"
scope = "criteria"
quota = 0.5
after = ["flag"]

[[award]]
id = "merit-up"
name = "Merit, rounded up"
scope = "criteria"
quota = 0.5
quota_rounding = "up"
after = ["flag"]

[[award]]
id = "of-grade"
name = "Half of those rated C"
scope = "criteria"
quota = 0.5
quota_of_grade = "C"

[[award]]
id = "of-grade-up"
name = "Half of those rated C or better"
scope = "criteria"
quota = 0.5
quota_of_grade = "C"
quota_reading = "at_least"

[[award]]
id = "wards"
name = "Wards only"
scope = "bloc"
unit_types = ["phường"]
top = 1
"#,
    ));
    let d = decisions(tmp.path());
    let get = |a: &str, u: &str| d[&(a.to_string(), u.to_string())].clone();
    // Cụm 1: U1 leads but has the disqualifying condition: U5 gets the flag.
    let (dec, rank, why) = get("flag", "U1");
    assert_eq!((dec.as_str(), rank.as_str()), ("not_proposed", "1/3"));
    assert!(
        why.contains("not eligible: disqualifying condition K1"),
        "{why}"
    );
    assert_eq!(get("flag", "U5").0, "proposed");
    // Cụm 2: U4 leads but had an incident: U6 gets the flag.
    let (dec, _, why) = get("flag", "U4");
    assert_eq!(dec, "not_proposed");
    assert!(why.contains("Sự cố = 1 (required Sự cố = 0)"), "{why}");
    assert_eq!(get("flag", "U6").0, "proposed");
    // Cụm 3 has one unit: it leads its bloc.
    assert_eq!(
        get("flag", "U7"),
        ("proposed".into(), "1/1".into(), "ranked 1/1 – Cụm 3".into())
    );
    // Merit: 50% of 7 = 3.5 → 3 seats (down); the flag holders U5, U6, U7 are not considered
    // again, so U1, U4, U2 (U1 has no gate here).
    let proposed: Vec<&str> = ["U1", "U2", "U3", "U4", "U5", "U6", "U7"]
        .into_iter()
        .filter(|u| get("merit", u).0 == "proposed")
        .collect();
    assert_eq!(proposed, ["U1", "U2", "U4"]);
    assert!(get("merit", "U5").2.contains("already proposed for Flag"));
    assert_eq!(
        get("merit", "U3").2,
        "ranked 7/7, beyond the number proposed (3)"
    );
    // Rounded up: 4 seats.
    let up: Vec<&str> = ["U1", "U2", "U3", "U4", "U5", "U6", "U7"]
        .into_iter()
        .filter(|u| get("merit-up", u).0 == "proposed")
        .collect();
    assert_eq!(up, ["U1", "U2", "U3", "U4"]);
    // A quota of a grade's count, each reading: 4 units rated C → 2 seats; C or better (all
    // 7) → 3 seats (rounded down).
    let seats = |a: &str| {
        d.iter()
            .filter(|((x, _), (dec, _, _))| x == a && dec == "proposed")
            .count()
    };
    assert_eq!((seats("of-grade"), seats("of-grade-up")), (2, 3));
    // An empty scope proposes nobody and says so on the terminal.
    assert!(!d.keys().any(|(a, _)| a == "wards"));
    assert!(
        o.stdout
            .contains("Wards only: 0 proposed, 0 referred to a vote, 0 excluded by a gate"),
        "{o:?}"
    );
    assert!(
        o.stdout
            .contains("Flag: 3 proposed, 0 referred to a vote, 2 excluded by a gate"),
        "{o:?}"
    );
}

#[test]
fn a_tie_at_the_cut_under_each_policy() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    // Ranked by index: U1, U5, U4, then U2 and U6 tied (official tie: same total, same area 2),
    // U7, U3; four seats cut through the tie.
    let rules = |ties: &str| {
        format!(
            "name = \"Test\"\n[[award]]\nid = \"a\"\nname = \"A\"\nscope = \"criteria\"\ntop = 4\n{ties}\n"
        )
    };
    let proposed = |dir: &Path| -> Vec<String> {
        let mut v: Vec<String> = decisions(dir)
            .into_iter()
            .filter(|(_, (d, _, _))| d == "proposed")
            .map(|((_, u), _)| u)
            .collect();
        v.sort();
        v
    };
    ok(with_rules(tmp.path(), &rules("ties = \"include\"")));
    assert_eq!(proposed(tmp.path()), ["U1", "U2", "U4", "U5", "U6"]);
    ok(with_rules(tmp.path(), &rules("ties = \"vote\"")));
    assert_eq!(proposed(tmp.path()), ["U1", "U4", "U5"]);
    assert_eq!(
        decisions(tmp.path())[&("a".into(), "U2".into())].2,
        "tied at the cut — referred to the committee's vote"
    );
    // Broken by 1.1 (U6 100% on time, 4 points; U2 2 points): U6 in, U2 out, with the reason.
    ok(with_rules(
        tmp.path(),
        &rules("ties = \"break\"\ntie_break = [\"1.1\"]"),
    ));
    assert_eq!(proposed(tmp.path()), ["U1", "U4", "U5", "U6"]);
    assert_eq!(
        decisions(tmp.path())[&("a".into(), "U2".into())].2,
        "tied at the cut, behind on the tie-break 1.1"
    );
    // A chain that does not separate them falls back to the stated policy.
    ok(with_rules(
        tmp.path(),
        &rules("ties = \"break\"\ntie_break = [\"2\"]\ntie_fallback = \"include\""),
    ));
    assert_eq!(proposed(tmp.path()), ["U1", "U2", "U4", "U5", "U6"]);
}

#[test]
fn bad_rules_files_are_reported_at_their_lines() {
    let tmp = tempfile::tempdir().unwrap();
    fixture(tmp.path());
    let o = with_rules(
        tmp.path(),
        "name = \"Bad\"\n[[award]]\nid = \"a\"\nname = \"A\"\nscope = \"khối\"\nquota = 1.2\n[award.gates]\nmin_grade = \"Excellent\"\ntests = [\"khieu_nai == 0\"]\n",
    );
    assert_eq!(o.code, 2, "{o:?}");
    for s in [
        "rules.toml:5:9",
        "`khối` is not allowed here",
        "rules.toml:6:9",
        "quota 1.2 must be above 0 and at most 1 (100%)",
        "rules.toml:8:13",
        "`Excellent` is not a grade",
        "rules.toml:9:10",
        "indicator `khieu_nai` is not in the criteria",
        "4 errors in rules.toml",
    ] {
        assert!(o.stderr.contains(s), "{s}: {o:?}");
    }
    assert!(!tmp.path().join("out").exists());
    // check validates a rules file with the criteria it applies to.
    let fx = repo()
        .join("tests/fixtures/mini/criteria.toml")
        .display()
        .to_string();
    let o = run_in(tmp.path(), &["check", "--lang", "en", "rules.toml", &fx]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("4 errors in rules.toml"), "{o:?}");
    // Misspelt keys in two tables: every one, with "did you mean".
    let o = with_rules(
        tmp.path(),
        "name = \"Bad\"\n[[award]]\nid = \"a\"\nname = \"A\"\nscope = \"bloc\"\ntops = 1\n[award.gates]\nmin_grad = \"A\"\n",
    );
    assert_eq!(o.code, 2, "{o:?}");
    for s in [
        "rules.toml:6:1",
        "unknown key `tops` in [award]",
        "did you mean `top`?",
        "rules.toml:8:1",
        "unknown key `min_grad` in [award.gates]",
        "did you mean `min_grade`?",
        "2 errors in rules.toml",
    ] {
        assert!(o.stderr.contains(s), "{s}: {o:?}");
    }
}

#[test]
fn the_sample_proposes_with_reasons() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = ok(run(&[
        "score",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &out.display().to_string(),
    ]));
    assert!(
        o.stdout.contains("Cờ thi đua của UBND tỉnh: 8 đề nghị"),
        "{o:?}"
    );
    let text = std::fs::read_to_string(out.join("awards.csv")).unwrap();
    // One flag per bloc (6 commune blocs, 2 department blocs); 10% of 120 commune-level units.
    let count = |award: &str| {
        text.lines()
            .filter(|l| l.starts_with(&format!("{award},")) && l.contains(",proposed,"))
            .count()
    };
    assert_eq!(count("co-thi-dua"), 8);
    assert_eq!(count("bang-khen"), 12);
    // XA007 would lead nothing: its head was disciplined (K1), and it says so.
    assert!(
        text.lines()
            .any(|l| l.contains(",XA007,") && l.contains("K1")),
        "{text}"
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("ĐỀ NGHỊ KHEN THƯỞNG"));
    // People read names, not codes: the gate's indicator by its criterion's name, the earlier
    // award by its name, the survey by its criterion's name — in the report and the workbook.
    let sheets = sheet_names(&out.join("results.xlsx"));
    let book: String = sheets
        .iter()
        .flat_map(|s| sheet_cells(&out.join("results.xlsx"), s))
        .collect::<Vec<_>>()
        .join("\n");
    for code in ["khieu_nai_dong_nguoi", "co-thi-dua", "hai_long_tthc"] {
        assert!(!html.contains(code), "{code} in report.html");
        assert!(!book.contains(code), "{code} in results.xlsx");
        assert!(
            !sheets.iter().any(|s| s.contains(code)),
            "{code} in {sheets:?}"
        );
    }
    assert!(
        sheets.iter().any(|s| s == "KT - Cờ thi đua của UBND tỉnh"),
        "{sheets:?}"
    );
}

/// The names of a workbook's sheets.
fn sheet_names(xlsx: &Path) -> Vec<String> {
    calamine::open_workbook_auto(xlsx)
        .unwrap()
        .sheet_names()
        .to_vec()
}

/// A criteria file of two appraised areas (1: 60 points, 2: 40) ranking one unit type, and one
/// bloc for all: the official ranking group and the award scope hold the same units.
fn one_group(dir: &Path, ranking: &str, rows: &[(&str, f64, f64)]) -> Out {
    std::fs::write(
        dir.join("criteria.toml"),
        format!(
            r#"[meta]
name = "Hai lĩnh vực"
year = 2025
unit_types = ["xã"]
max_points = 100

[[criterion]]
id = "1"
name = "Lĩnh vực 1"
max = 60
rule = {{ kind = "appraised", indicator = "a1" }}

[[criterion]]
id = "2"
name = "Lĩnh vực 2"
max = 40
rule = {{ kind = "appraised", indicator = "a2" }}

[[grading.band]]
label = "Tốt"
min = 0

[ranking]
{ranking}
"#
        ),
    )
    .unwrap();
    let mut units = String::from("unit_code,unit_name,unit_type,bloc\n");
    let mut data = String::from("unit_code,a1,a2\n");
    for (code, a, b) in rows {
        units += &format!("{code},Xã {code},xã,Cụm 1\n");
        data += &format!("{code},{a},{b}\n");
    }
    std::fs::write(dir.join("units.csv"), units).unwrap();
    std::fs::write(dir.join("data.csv"), data).unwrap();
    std::fs::write(
        dir.join("rules.toml"),
        "name = \"Thử\"\n[[award]]\nid = \"flag\"\nname = \"Flag\"\nscope = \"bloc\"\ntop = 1\nties = \"vote\"\n",
    )
    .unwrap();
    run_in(
        dir,
        &[
            "score",
            "--lang",
            "en",
            "--locale",
            "en",
            "--criteria",
            "criteria.toml",
            "--units",
            "units.csv",
            "--data",
            "data.csv",
            "--awards",
            "rules.toml",
            "--out",
            "out",
        ],
    )
}

/// Unit → (rank, of) in results.csv and in awards.csv.
fn official_and_award_ranks(dir: &Path) -> (HashMap<String, String>, HashMap<String, String>) {
    let official = results(&dir.join("out"))
        .into_iter()
        .map(|(code, r)| (code, format!("{}/{}", r["rank"], r["rank_of"])))
        .collect();
    let award = decisions(dir)
        .into_iter()
        .map(|((_, code), (_, rank, _))| (code, rank))
        .collect();
    (official, award)
}

/// The held-out cases where the award path ranked ties otherwise than `results.csv`: a tolerance
/// chain (90.008, 90.000, 89.993, 89.985 with `tie_tolerance = 0.01`: two tie groups, each led by
/// its highest unit, not one chained group) and a tie-break that reorders (T1 ahead on the total
/// by less than the tolerance, behind on area 2), under both numberings. The award scope is the
/// official group, so every rank must be the official one, and the seat goes to the official first.
#[test]
fn an_award_scope_ranks_exactly_as_the_official_ranking() {
    type Case<'a> = (&'a str, Vec<(&'a str, f64, f64)>, &'a str);
    let cases: [Case; 3] = [
        (
            "tie_tolerance = 0.01",
            vec![
                ("T1", 60.0, 30.008),
                ("T2", 60.0, 30.0),
                ("T3", 60.0, 29.993),
                ("T4", 60.0, 29.985),
            ],
            "T1 T2",
        ),
        (
            "tie_tolerance = 0.01\ntie_break = [\"2\"]",
            vec![
                ("T1", 55.008, 35.0),
                ("T2", 54.0, 36.0),
                ("T3", 53.0, 37.0),
                ("T4", 50.0, 30.0),
                ("T5", 40.0, 30.0),
                ("T6", 30.0, 30.0),
            ],
            "T3",
        ),
        (
            "method = \"dense\"\ntie_tolerance = 0.01\ntie_break = [\"2\"]",
            vec![
                ("T1", 55.0, 35.0),
                ("T2", 55.0, 35.0),
                ("T3", 54.0, 36.005),
                ("T4", 50.0, 30.0),
            ],
            "T3",
        ),
    ];
    for (ranking, rows, first) in cases {
        let tmp = tempfile::tempdir().unwrap();
        ok(one_group(tmp.path(), ranking, &rows));
        let (official, award) = official_and_award_ranks(tmp.path());
        assert_eq!(official.len(), rows.len(), "{ranking}");
        assert_eq!(official, award, "{ranking}");
        // The seat goes to the official first (or, for a tie at rank 1, to the committee's vote).
        let d = decisions(tmp.path());
        let proposed: Vec<&str> = rows
            .iter()
            .map(|r| r.0)
            .filter(|c| d[&("flag".to_string(), c.to_string())].0 != "not_proposed")
            .collect();
        assert_eq!(proposed.join(" "), first, "{ranking}: {d:?}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 24, ..Default::default() })]

    /// Random near-ties (values a few thousandths apart, so tolerance chains and tie-breaks
    /// matter), either numbering, with or without a tie-break chain: an award scope equal to the
    /// official group ranks every unit as `results.csv` does.
    #[test]
    fn award_ranks_are_the_official_ranks(
        rows in proptest::collection::vec(
            (
                proptest::sample::select(vec![50.0, 50.004, 50.008, 49.995, 49.99, 55.0]),
                proptest::sample::select(vec![30.0, 30.003, 29.997, 29.99, 35.0]),
            ),
            2..10,
        ),
        dense in proptest::bool::ANY,
        tie_break in proptest::bool::ANY,
        tolerance in proptest::sample::select(vec!["0.000001", "0.005", "0.01"]),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let codes: Vec<String> = (0..rows.len()).map(|i| format!("T{i:02}")).collect();
        let rows: Vec<(&str, f64, f64)> =
            codes.iter().zip(&rows).map(|(c, (a, b))| (c.as_str(), *a, *b)).collect();
        let mut ranking = format!("tie_tolerance = {tolerance}\n");
        if dense {
            ranking += "method = \"dense\"\n";
        }
        if tie_break {
            ranking += "tie_break = [\"2\"]\n";
        }
        ok(one_group(tmp.path(), &ranking, &rows));
        let (official, award) = official_and_award_ranks(tmp.path());
        proptest::prop_assert_eq!(official, award, "{}", ranking);
    }
}
