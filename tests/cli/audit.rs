//! The criteria audit through the binary: every figure of `audit.csv` on the sample against an
//! independent computation from `criterion-scores.csv` and `results.csv` (the formulas of
//! docs/audit.md, written again here), a leaf whose removal is known to swap two units, the
//! thresholds of the run file and their errors.

use super::*;

type Row = HashMap<String, String>;

fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn cov(x: &[f64], y: &[f64]) -> f64 {
    let (mx, my) = (mean(x), mean(y));
    x.iter()
        .zip(y)
        .map(|(a, b)| (a - mx) * (b - my))
        .sum::<f64>()
        / (x.len() - 1) as f64
}

fn correl(x: &[f64], y: &[f64]) -> Option<f64> {
    let (vx, vy) = (cov(x, x), cov(y, y));
    (x.len() >= 3 && vx > 1e-12 && vy > 1e-12).then(|| cov(x, y) / (vx * vy).sqrt())
}

fn alpha(items: &[Vec<f64>]) -> Option<f64> {
    let k = items.len() as f64;
    let n = items[0].len();
    let sum: Vec<f64> = (0..n).map(|u| items.iter().map(|i| i[u]).sum()).collect();
    let total = cov(&sum, &sum);
    (items.len() >= 2 && n >= 2 && total > 1e-12)
        .then(|| k / (k - 1.0) * (1.0 - items.iter().map(|i| cov(i, i)).sum::<f64>() / total))
}

#[track_caller]
fn close(what: &str, got: &str, want: Option<f64>) {
    match want {
        None => assert_eq!(got, "", "{what}: expected blank"),
        Some(w) => {
            let g = num(got);
            assert!((g - w).abs() <= 2e-6, "{what}: audit.csv {g}, computed {w}");
        }
    }
}

#[test]
fn every_figure_on_the_sample_matches_an_independent_computation() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut a = sample_args(out.to_str().unwrap());
    a.push("--audit".into());
    let o = ok(run_in(&repo(), &args(&a)));
    assert!(o.stdout.contains("audit.csv"), "{o:?}");
    let audit = csv_rows(&out.join("audit.csv"));
    // Five sets (sở, ban, xã, phường, đặc khu); the one-unit đặc khu has no correlation, so no
    // heat map in the report and no correlation table on the sheet — four of each.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert_eq!(
        html.matches("aria-label=\"Tương quan giữa các lĩnh vực")
            .count(),
        4
    );
    let sheet = sheet_cells(&out.join("results.xlsx"), "Phân tích bộ tiêu chí");
    let tables = sheet
        .iter()
        .filter(|c| c.starts_with("Tương quan giữa các lĩnh vực"))
        .count();
    assert_eq!(tables, 4, "correlation tables on the sheet");
    let scores = csv_rows(&out.join("criterion-scores.csv"));
    let results = csv_rows(&out.join("results.csv"));
    let unit_type: HashMap<&str, &str> = results
        .iter()
        .map(|r| (r["unit_code"].as_str(), r["unit_type"].as_str()))
        .collect();
    let tree_points: HashMap<&str, f64> = results
        .iter()
        .map(|r| (r["unit_code"].as_str(), num(&r["tree_points"])))
        .collect();
    let criteria_of: HashMap<&str, &str> = results
        .iter()
        .map(|r| (r["unit_code"].as_str(), r["criteria"].as_str()))
        .collect();
    let mut checked = 0;
    let sets: std::collections::BTreeSet<(String, String)> = audit
        .iter()
        .map(|r| (r["criteria"].clone(), r["unit_type"].clone()))
        .collect();
    assert_eq!(
        sets.len(),
        5,
        "two files, sở, ban, xã, phường, đặc khu: {sets:?}"
    );
    for (file, ty) in &sets {
        // Each criterion's maximum, from the criteria file.
        let text = std::fs::read_to_string(repo().join(file)).unwrap();
        let doc: toml::Table = toml::from_str(&text).unwrap();
        let nominal: HashMap<String, f64> = doc["criterion"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                let max = &c["max"];
                let m = max
                    .as_float()
                    .or(max.as_integer().map(|i| i as f64))
                    .unwrap();
                (c["id"].as_str().unwrap().to_string(), m)
            })
            .collect();
        // The set's leaf rows of criterion-scores.csv, per leaf id, in unit order.
        let units: Vec<&str> = results
            .iter()
            .filter(|r| &r["criteria"] == file && &r["unit_type"] == ty)
            .map(|r| r["unit_code"].as_str())
            .collect();
        let mine: Vec<&Row> = scores
            .iter()
            .filter(|s| {
                s["part"] == "tree"
                    && unit_type[s["unit_code"].as_str()] == ty
                    && criteria_of[s["unit_code"].as_str()] == file
            })
            .collect();
        let leaf_ids: Vec<String> = audit
            .iter()
            .filter(|r| &r["criteria"] == file && &r["unit_type"] == ty && r["level"] == "leaf")
            .map(|r| r["criterion_id"].clone())
            .collect();
        // Per leaf, per unit: (points, max, counted, missing).
        let cells: HashMap<(&str, &str), (f64, f64, bool, bool)> = mine
            .iter()
            .map(|s| {
                let flags = &s["flags"];
                let left_out = flags.contains("not_applicable") || flags.contains("rebased");
                let v = (
                    num(&s["points"]),
                    num(&s["max_points"]),
                    !left_out,
                    flags.contains("missing") || flags.contains("no_survey") && !left_out,
                );
                ((s["criterion_id"].as_str(), s["unit_code"].as_str()), v)
            })
            .collect();
        let cell = |id: &str, unit: &str| -> (f64, f64, bool, bool) {
            *cells
                .get(&(id, unit))
                .unwrap_or_else(|| panic!("{unit} {id}"))
        };
        let sums: Vec<f64> = units.iter().map(|u| tree_points[u]).collect();
        let total_max: f64 = leaf_ids.iter().map(|id| nominal[id.as_str()]).sum();
        let mut weights = 0.0;
        for id in &leaf_ids {
            let row = audit
                .iter()
                .find(|r| {
                    &r["criteria"] == file && &r["unit_type"] == ty && &r["criterion_id"] == id
                })
                .unwrap();
            let what = |c: &str| format!("{file} {ty} {id} {c}");
            let (mut x, mut rest) = (Vec::new(), Vec::new());
            let mut all = Vec::new();
            let (mut na, mut missing) = (0, 0);
            let max = nominal[id.as_str()];
            for (u, unit) in units.iter().enumerate() {
                let (p, _, counted, miss) = cell(id, unit);
                // Points as evaluated (a leaf left out of the maximum scored 0): what the
                // unit's leaf sum adds up.
                all.push(p);
                if counted {
                    x.push(p);
                    rest.push(sums[u] - p);
                    missing += usize::from(miss);
                } else {
                    na += 1;
                }
            }
            assert_eq!(num(&row["units"]) as usize, x.len(), "{}", what("units"));
            assert_eq!(num(&row["not_applicable"]) as usize, na, "{}", what("n/a"));
            assert_eq!(
                num(&row["missing"]) as usize,
                missing,
                "{}",
                what("missing")
            );
            close(&what("max"), &row["max_points"], Some(max));
            if x.is_empty() {
                continue;
            }
            let n = x.len() as f64;
            close(&what("mean_points"), &row["mean_points"], Some(mean(&x)));
            close(
                &what("mean_share"),
                &row["mean_share"],
                Some(mean(&x) / max),
            );
            let full = x.iter().filter(|&&p| p >= max - 1e-9).count() as f64 / n;
            close(&what("full_share"), &row["full_share"], Some(full));
            let zero = x.iter().filter(|&&p| p <= 1e-9).count() as f64 / n;
            close(&what("zero_share"), &row["zero_share"], Some(zero));
            let mut d: Vec<String> = x.iter().map(|p| format!("{p:.6}")).collect();
            d.sort();
            d.dedup();
            assert_eq!(
                num(&row["distinct"]) as usize,
                d.len(),
                "{}",
                what("distinct")
            );
            close(
                &what("sd"),
                &row["sd"],
                (x.len() >= 2).then(|| cov(&x, &x).sqrt()),
            );
            close(&what("item_rest_r"), &row["item_rest_r"], correl(&x, &rest));
            close(
                &what("nominal_weight"),
                &row["nominal_weight"],
                Some(max / total_max),
            );
            // Undefined for a type of one unit (the đặc khu): no variance to share.
            let w = (units.len() >= 2 && cov(&sums, &sums) > 1e-12)
                .then(|| cov(&all, &sums) / cov(&sums, &sums));
            close(&what("effective_weight"), &row["effective_weight"], w);
            weights += w.unwrap_or(1.0 / leaf_ids.len() as f64);
            // Sets of fewer than 10 units are not flagged.
            let flagging = units.len() >= 10;
            let no_spread = flagging && (d.len() == 1 || full >= 0.9);
            assert_eq!(
                row["flags"].contains("no_spread"),
                no_spread,
                "{}",
                what("flag")
            );
            let low = flagging && w.is_some_and(|w| w < 0.5 * max / total_max);
            assert_eq!(
                row["flags"].contains("low_weight"),
                low,
                "{}",
                what("low flag")
            );
            checked += 1;
        }
        // Duplicates: |r| ≥ 0.9 over the units both leaves count for (sets of 10 units or more).
        for a in &leaf_ids {
            let mut want: Vec<&str> = Vec::new();
            if units.len() >= 10 {
                for b in leaf_ids.iter().filter(|b| *b != a) {
                    let (mut x, mut y) = (Vec::new(), Vec::new());
                    for u in &units {
                        let (p, q) = (cell(a, u), cell(b, u));
                        if p.2 && q.2 {
                            x.push(p.0);
                            y.push(q.0);
                        }
                    }
                    if correl(&x, &y).is_some_and(|r| r.abs() >= 0.9) {
                        want.push(b);
                    }
                }
            }
            let row = audit
                .iter()
                .find(|r| {
                    &r["criteria"] == file && &r["unit_type"] == ty && &r["criterion_id"] == a
                })
                .unwrap();
            let mut got: Vec<&str> = row["duplicates"]
                .split(';')
                .filter(|x| !x.is_empty())
                .collect();
            got.sort_unstable();
            want.sort_unstable();
            assert_eq!(got, want, "{file} {ty} {a} duplicates");
            checked += usize::from(!want.is_empty());
        }
        // The leaves' effective weights are shares of the same variance: they add up to 1.
        assert!((weights - 1.0).abs() < 1e-4, "{file} {ty}: {weights}");
        // Each area's own figures, its points and maximum the sums of its leaves' (the maximum
        // as each unit is measured: 0 for a leaf left out).
        for area in audit
            .iter()
            .filter(|r| &r["criteria"] == file && &r["unit_type"] == ty && r["level"] == "area")
        {
            let id = &area["criterion_id"];
            let prefix = format!("{id}.");
            let ids: Vec<&String> = leaf_ids.iter().filter(|i| i.starts_with(&prefix)).collect();
            let what = |c: &str| format!("{file} {ty} area {id} {c}");
            let (mut x, mut share, mut rest, mut all) =
                (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for (u, unit) in units.iter().enumerate() {
                let p: f64 = ids.iter().map(|i| cell(i, unit).0).sum();
                let m: f64 = ids.iter().map(|i| cell(i, unit).1).sum();
                // results.csv says the same area points.
                let published = results
                    .iter()
                    .find(|r| r["unit_code"] == *unit)
                    .map(|r| num(&r[&format!("area_{id}")]))
                    .unwrap();
                assert!((published - p).abs() < 1e-5, "{} {unit}", what("points"));
                all.push(p);
                if m > 0.0 {
                    x.push(p);
                    share.push(p / m);
                    rest.push(sums[u] - p);
                }
            }
            assert_eq!(num(&area["units"]) as usize, x.len(), "{}", what("units"));
            close(&what("mean_points"), &area["mean_points"], Some(mean(&x)));
            close(&what("mean_share"), &area["mean_share"], Some(mean(&share)));
            let full = share.iter().filter(|&&v| v >= 1.0 - 1e-9).count() as f64 / x.len() as f64;
            close(&what("full_share"), &area["full_share"], Some(full));
            close(
                &what("sd"),
                &area["sd"],
                (x.len() >= 2).then(|| cov(&x, &x).sqrt()),
            );
            close(
                &what("item_rest_r"),
                &area["item_rest_r"],
                correl(&x, &rest),
            );
            let w = (units.len() >= 2 && cov(&sums, &sums) > 1e-12)
                .then(|| cov(&all, &sums) / cov(&sums, &sums));
            close(&what("effective_weight"), &area["effective_weight"], w);
            let m: f64 = ids.iter().map(|i| nominal[i.as_str()]).sum();
            close(
                &what("nominal_weight"),
                &area["nominal_weight"],
                Some(m / total_max),
            );
            checked += 1;
        }
        // Cronbach's alpha of each area's leaves, on the units every one of them counts for.
        for area in audit
            .iter()
            .filter(|r| &r["criteria"] == file && &r["unit_type"] == ty && r["level"] == "area")
        {
            let prefix = format!("{}.", area["criterion_id"]);
            let ids: Vec<&String> = leaf_ids.iter().filter(|i| i.starts_with(&prefix)).collect();
            let complete: Vec<&str> = units
                .iter()
                .copied()
                .filter(|u| ids.iter().all(|id| cell(id, u).2))
                .collect();
            let items: Vec<Vec<f64>> = ids
                .iter()
                .map(|id| complete.iter().map(|u| cell(id, u).0).collect())
                .collect();
            let what = format!("{file} {ty} area {} alpha", area["criterion_id"]);
            assert_eq!(num(&area["alpha_units"]) as usize, complete.len(), "{what}");
            close(&what, &area["alpha"], alpha(&items));
            if ids.len() > 2 {
                for (k, id) in ids.iter().enumerate() {
                    let others: Vec<Vec<f64>> = (items.iter().enumerate())
                        .filter(|(j, _)| *j != k)
                        .map(|(_, v)| v.clone())
                        .collect();
                    let row = audit
                        .iter()
                        .find(|r| {
                            &r["criteria"] == file
                                && &r["unit_type"] == ty
                                && &r["criterion_id"] == *id
                        })
                        .unwrap();
                    close(
                        &format!("{what} without {id}"),
                        &row["alpha_if_dropped"],
                        alpha(&others),
                    );
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 150, "{checked} figures checked");
    // The areas' effective weights add up to 1 too.
    for (file, ty) in &sets {
        let s: f64 = audit
            .iter()
            .filter(|r| &r["criteria"] == file && &r["unit_type"] == ty && r["level"] == "area")
            .map(|r| r["effective_weight"].parse().unwrap_or(1.0 / 8.0))
            .sum();
        assert!((s - 1.0).abs() < 1e-4, "{file} {ty}: areas {s}");
    }
}

const SWAP: &str = r#"[meta]
name = "Thử phân tích bộ tiêu chí"
year = 2025
unit_types = ["xã"]
max_points = 20

[[criterion]]
id = "1"
name = "Lĩnh vực một"
max = 10

[[criterion]]
id = "1.1"
name = "Tỷ lệ x"
max = 10
rule = { kind = "proportional", indicator = "x" }

[[criterion]]
id = "2"
name = "Lĩnh vực hai"
max = 10

[[criterion]]
id = "2.1"
name = "Tỷ lệ y"
max = 10
rule = { kind = "proportional", indicator = "y" }

[[grading.band]]
label = "A"
min = 50

[[grading.band]]
label = "B"
"#;

/// A leads B on 1.1 only: removing 1.1 (re-scored over 2.1 alone, re-based to 20 points) puts B
/// first and A level with C at 0; removing 2.1 swaps B and C.
#[test]
fn removing_a_leaf_is_rescored_and_reranked() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::write(d.join("c.toml"), SWAP).unwrap();
    std::fs::write(
        d.join("units.csv"),
        "unit_code,unit_name,unit_type\nA,Xã A,xã\nB,Xã B,xã\nC,Xã C,xã\n",
    )
    .unwrap();
    std::fs::write(
        d.join("data.csv"),
        "unit_code,x,y\nA,100,0\nB,0,90\nC,50,0\n",
    )
    .unwrap();
    let o = ok(run_in(
        d,
        &[
            "score",
            "--criteria",
            "c.toml",
            "--units",
            "units.csv",
            "--data",
            "data.csv",
            "--out",
            "out",
            "--audit",
        ],
    ));
    let r = results(&d.join("out"));
    assert_eq!(
        (&r["A"]["rank"], &r["B"]["rank"], &r["C"]["rank"]),
        (&"1".into(), &"2".into(), &"3".into()),
        "{o:?}"
    );
    let audit = csv_rows(&d.join("out/audit.csv"));
    let row = |id: &str| audit.iter().find(|r| r["criterion_id"] == id).unwrap();
    // Without 1.1: B 18, A 0, C 0 → B 1, A 2, C 2: every unit moves one place.
    assert_eq!(
        (
            row("1.1")["rank_shift_mean"].as_str(),
            row("1.1")["rank_shift_max"].as_str()
        ),
        ("1", "1")
    );
    // Without 2.1: A 20, C 10, B 0 → A stays, B and C swap.
    assert_eq!(row("2.1")["rank_shift_max"], "1");
    close(
        "2.1 mean shift",
        &row("2.1")["rank_shift_mean"],
        Some(2.0 / 3.0),
    );
    // The areas are their single leaves.
    assert_eq!(row("1")["rank_shift_mean"], row("1.1")["rank_shift_mean"]);
    assert_eq!(row("2")["level"], "area");
    assert_eq!(row("2.1")["level"], "leaf");
}

/// Ten units (fewer are never flagged) of the two-leaf set; 1.1 at full points for 8 of them
/// (80%).
fn ten_units(d: &Path) {
    std::fs::write(d.join("c.toml"), SWAP).unwrap();
    let mut units = String::from("unit_code,unit_name,unit_type\n");
    let mut data = String::from("unit_code,x,y\n");
    let values = [
        (100, 10),
        (100, 90),
        (100, 50),
        (40, 20),
        (100, 30),
        (100, 70),
        (100, 60),
        (55, 15),
        (100, 45),
        (100, 85),
    ];
    for (i, (x, y)) in values.into_iter().enumerate() {
        units += &format!("X{i:02},Xã {i},xã\n");
        data += &format!("X{i:02},{x},{y}\n");
    }
    std::fs::write(d.join("units.csv"), units).unwrap();
    std::fs::write(d.join("data.csv"), data).unwrap();
}

#[test]
fn thresholds_come_from_the_run_file_and_bad_ones_are_located() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ten_units(d);
    let base = "criteria = [\"c.toml\"]\nunits = \"units.csv\"\ndata = [{ file = \"data.csv\" }]\nout = \"out\"\n";
    let flags = |run: &str| {
        std::fs::write(d.join("run.toml"), format!("{base}{run}")).unwrap();
        let _ = std::fs::remove_dir_all(d.join("out"));
        ok(run_in(d, &["score", "run.toml"]));
        let audit = csv_rows(&d.join("out/audit.csv"));
        audit.iter().find(|r| r["criterion_id"] == "1.1").unwrap()["flags"].clone()
    };
    assert!(!flags("audit = true\n").contains("no_spread"));
    assert!(flags("[audit]\nfull_share = 0.8\n").contains("no_spread"));
    assert!(!flags("[audit]\nfull_share = 0.81\n").contains("no_spread"));
    // Without the key, no audit.
    std::fs::write(d.join("run.toml"), base).unwrap();
    let _ = std::fs::remove_dir_all(d.join("out"));
    ok(run_in(d, &["score", "run.toml"]));
    assert!(!d.join("out/audit.csv").exists());
    for (bad, says) in [
        (
            "[audit]\nfull_share = 2\n",
            "full_share là một tỷ lệ từ 0 đến 1",
        ),
        ("audit = \"có\"\n", "audit = true"),
        ("[audit]\nfull_shar = 0.8\n", "full_share"),
    ] {
        std::fs::write(d.join("run.toml"), format!("{base}{bad}")).unwrap();
        let o = run_in(d, &["score", "run.toml"]);
        assert_eq!(o.code, 2, "{o:?}");
        assert!(
            o.stderr.contains(says) && o.stderr.contains("run.toml:"),
            "{o:?}"
        );
    }
}

/// The workbook's sheet, the report's section and the terminal say the findings in words, in
/// Vietnamese by default and in English with --lang en; codes stay in audit.csv.
#[test]
fn the_sheet_the_section_and_the_terminal_say_it_in_words() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    ten_units(d);
    std::fs::write(
        d.join("run.toml"),
        "criteria = [\"c.toml\"]\nunits = \"units.csv\"\ndata = [{ file = \"data.csv\" }]\nout = \"out\"\n[audit]\nfull_share = 0.8\n",
    )
    .unwrap();
    for (lang, sheet, words, title) in [
        (
            "vi",
            "Phân tích bộ tiêu chí",
            "không phân loại được: 80% đơn vị đạt điểm tối đa",
            "PHÂN TÍCH BỘ TIÊU CHÍ",
        ),
        (
            "en",
            "Criteria audit",
            "separates nobody: 80% of the units at full points",
            "CRITERIA AUDIT",
        ),
    ] {
        let _ = std::fs::remove_dir_all(d.join("out"));
        let o = ok(run_in(d, &["score", "run.toml", "--lang", lang]));
        assert!(
            o.stdout.contains(sheet) && o.stdout.contains("audit.csv"),
            "{o:?}"
        );
        let cells = sheet_cells(&d.join("out/results.xlsx"), sheet);
        assert!(cells.iter().any(|c| c.contains(words)), "{lang}: {cells:?}");
        // Thresholds stated, the areas' correlation table and the weights chart's data there.
        assert!(cells.iter().any(|c| c.contains("80")), "{lang}");
        assert!(
            !cells.iter().any(|c| c.contains("no_spread")),
            "{lang}: codes"
        );
        let html = std::fs::read_to_string(d.join("out/report.html")).unwrap();
        assert!(html.contains(title) && html.contains(words), "{lang}");
        assert!(html.matches("<svg").count() >= 2, "{lang}: the two charts");
    }
}

/// The rank shift of a leaf on the sample is what two official runs give: the sample as it is,
/// and the sample with the leaf's indicator written "không áp dụng" for every unit (the communes
/// set re-bases what is not applicable, so that is the leaf removed).
#[test]
fn a_rank_shift_on_the_sample_is_what_two_official_runs_give() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    for dir in ["criteria", "sample-data"] {
        copy_dir(&repo().join(dir), &d.join(dir));
    }
    let score = |out: &str| {
        ok(run_in(
            d,
            &[
                "score",
                "sample-data/danh-gia-2025.toml",
                "--replications",
                "1",
                "--out",
                out,
            ],
        ))
    };
    score("before");
    // 3.2, the on-time rate (8 points), not applicable for every unit: the Windows-1258 table
    // keeps its bytes but for that column's (ASCII) values.
    let path = d.join("sample-data/2025/chi-so-xa.csv");
    let bytes = std::fs::read(&path).unwrap();
    let text: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    let header: Vec<&[u8]> = text[0].split(|&b| b == b';').collect();
    let col = header.iter().position(|h| *h == b"on_time_rate").unwrap();
    let mut out = Vec::new();
    for (i, line) in text.iter().enumerate() {
        let mut fields: Vec<Vec<u8>> = line.split(|&b| b == b';').map(<[u8]>::to_vec).collect();
        let unit_row = [&b"XA"[..], b"PH", b"DK"]
            .iter()
            .any(|p| fields[0].starts_with(p));
        if i > 0 && unit_row && fields.len() > col {
            fields[col] = b"KAD".to_vec();
        }
        out.extend(fields.join(&b';'));
        if i + 1 < text.len() {
            out.push(b'\n');
        }
    }
    std::fs::write(&path, out).unwrap();
    score("after");
    let (before, after) = (results(&d.join("before")), results(&d.join("after")));
    let audit = csv_rows(&d.join("before/audit.csv"));
    let mut seen = 0;
    for ty in ["xã", "phường", "đặc khu"] {
        let shifts: Vec<usize> = before
            .values()
            .filter(|r| r["unit_type"] == ty)
            .map(|r| {
                let a: usize = r["rank"].parse().unwrap();
                let b: usize = after[&r["unit_code"]]["rank"].parse().unwrap();
                a.abs_diff(b)
            })
            .collect();
        let row = audit
            .iter()
            .find(|r| r["unit_type"] == ty && r["criterion_id"] == "3.2")
            .unwrap();
        let mean = shifts.iter().sum::<usize>() as f64 / shifts.len() as f64;
        close(
            &format!("{ty} 3.2 mean shift"),
            &row["rank_shift_mean"],
            Some(mean),
        );
        assert_eq!(
            row["rank_shift_max"],
            shifts.iter().max().unwrap().to_string(),
            "{ty} 3.2 largest shift"
        );
        seen += shifts.iter().filter(|&&s| s > 0).count();
    }
    assert!(seen > 20, "removing 3.2 moves units: {seen}");
}
