//! How sure is the ranking, through the binary: no noise collapses every interval, a two-unit
//! case against its closed form (a binomial survey share), a unit far ahead first in every
//! replication, the same figures for one thread and two, and located errors for bad
//! declarations.

use super::*;

const CRITERIA: &str = r#"[meta]
name = "Thử độ bất định"
year = 2025
unit_types = ["xã"]
max_points = 20

[[criterion]]
id = "1"
name = "Khảo sát"
max = 10
survey = true

[[criterion]]
id = "1.1"
name = "Hài lòng"
max = 10
rule = { kind = "proportional", indicator = "sat" }

[[criterion]]
id = "2"
name = "Kế hoạch"
max = 10

[[criterion]]
id = "2.1"
name = "Có kế hoạch"
max = 10
rule = { kind = "yes_no", indicator = "plan" }

[[grading.band]]
label = "A"
min = 80

[[grading.band]]
label = "B"
"#;

/// A (60% of 50 respondents) against B (55%, no sample size: no noise) and C far behind.
fn setup(dir: &Path, uncertainty: &str) {
    std::fs::write(dir.join("c.toml"), CRITERIA).unwrap();
    std::fs::write(
        dir.join("units.csv"),
        "unit_code,unit_name,unit_type\nA,Xã A,xã\nB,Xã B,xã\nC,Xã C,xã\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("data.csv"),
        "unit_code,sat,plan,so_phieu\nA,60,có,50\nB,55,có,\nC,10,không,40\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("run.toml"),
        format!(
            "criteria = [\"c.toml\"]\nunits = \"units.csv\"\nout = \"out\"\nlang = \"en\"\n[[data]]\nfile = \"data.csv\"\n{uncertainty}"
        ),
    )
    .unwrap();
}

fn figures(dir: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(dir.join("out/uncertainty.csv")).unwrap();
    let head = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let m: HashMap<String, String> = head
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            (m["unit_code"].clone(), m)
        })
        .collect()
}

/// The same inputs and seed write the same `uncertainty.csv` with each of these thread counts.
fn same_bytes_with_threads(dir: &Path, threads: &[&str]) {
    let first = std::fs::read(dir.join("out/uncertainty.csv")).unwrap();
    for t in threads {
        ok(run_in(dir, &["score", "run.toml", "--threads", t]));
        assert_eq!(
            first,
            std::fs::read(dir.join("out/uncertainty.csv")).unwrap(),
            "{t} thread(s)"
        );
    }
}

/// P(X ≥ k) for X ~ Binomial(n, p), exactly.
fn tail(n: u64, p: f64, k: u64) -> f64 {
    let mut sum = 0.0;
    for x in k..=n {
        let mut ln = 0.0;
        for i in 0..x {
            ln += ((n - i) as f64).ln() - ((i + 1) as f64).ln();
        }
        sum += (ln + x as f64 * p.ln() + (n - x) as f64 * (1.0 - p).ln()).exp();
    }
    sum
}

#[test]
fn without_noise_every_interval_is_the_nominal_rank() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path(), "[uncertainty]\nreplications = 50\n");
    ok(run_in(tmp.path(), &["score", "run.toml"]));
    for (code, f) in figures(tmp.path()) {
        assert_eq!(
            (&f["rank_p05"], &f["rank_median"], &f["rank_p95"]),
            (&f["rank"], &f["rank"], &f["rank"]),
            "{code}"
        );
        assert_eq!(f["p_grade"], "1", "{code}");
        assert!(f["p_first"] == "1" || f["p_first"] == "0", "{code}");
    }
}

/// A relative rule on a resampled share: each replication measures every unit against that
/// replication's best share, so B, whose share does not move, loses points whenever A's draw
/// passes it. (Its draws all come before any unit is re-scored; debug builds, and so this test,
/// check each replication against a full evaluation.)
#[test]
fn a_relative_rule_measures_against_each_replications_best() {
    let tmp = tempfile::tempdir().unwrap();
    setup(
        tmp.path(),
        "[uncertainty]\nreplications = 4000\nseed = 7\n[[uncertainty.survey]]\nindicator = \"sat\"\nsample_size = \"so_phieu\"\n",
    );
    let relative = CRITERIA.replace(
        r#"rule = { kind = "proportional", indicator = "sat" }"#,
        r#"rule = { kind = "relative", indicator = "sat", scale = "percent" }"#,
    );
    assert_ne!(relative, CRITERIA);
    std::fs::write(tmp.path().join("c.toml"), relative).unwrap();
    ok(run_in(tmp.path(), &["score", "run.toml"]));
    let f = figures(tmp.path());
    // A is first when its share passes B's 55% (then A is the best, 20 points, and B has
    // 10 × 55 / A + 10): X ≥ 28 of 50, as with a proportional rule.
    let first: f64 = f["A"]["p_first"].parse().unwrap();
    let exact = tail(50, 0.6, 28);
    assert!((first - exact).abs() < 0.025, "P(first) {first} vs {exact}");
    let b: f64 = f["B"]["p_first"].parse().unwrap();
    assert!((first + b - 1.0).abs() < 1e-9, "A {first} + B {b}");
    assert_eq!(
        (&f["B"]["rank_p05"][..], &f["B"]["rank_p95"][..]),
        ("1", "2")
    );
    same_bytes_with_threads(tmp.path(), &["1"]);
}

#[test]
fn a_binomial_survey_share_against_its_closed_form() {
    let tmp = tempfile::tempdir().unwrap();
    setup(
        tmp.path(),
        "[uncertainty]\nreplications = 4000\nseed = 7\n[[uncertainty.survey]]\nindicator = \"sat\"\nsample_size = \"so_phieu\"\n",
    );
    let o = ok(run_in(tmp.path(), &["score", "run.toml"]));
    assert!(
        o.stdout.contains("Uncertainty (4000 replications, seed 7)"),
        "{o:?}"
    );
    // B has a share and no sample size: kept fixed, and the run says so.
    assert!(
        o.stderr.contains("warning: uncertainty: 1 unit(s) have survey results but no sample size in column so_phieu; their shares were kept fixed (not resampled): B"),
        "{o:?}"
    );
    let f = figures(tmp.path());
    // A is first when its resampled share reaches B's 55%: X ≥ 28 of 50 (a tie is impossible).
    let first: f64 = f["A"]["p_first"].parse().unwrap();
    let exact = tail(50, 0.6, 28);
    assert!((first - exact).abs() < 0.025, "P(first) {first} vs {exact}");
    // A keeps grade A (index ≥ 80, i.e. X ≥ 30) with P(X ≥ 30).
    let grade: f64 = f["A"]["p_grade"].parse().unwrap();
    let exact = tail(50, 0.6, 30);
    assert!((grade - exact).abs() < 0.025, "P(grade) {grade} vs {exact}");
    assert_eq!(f["A"]["uncertain_grade"], "true");
    // C is far behind: last in every replication, interval collapsed.
    assert_eq!(
        (&f["C"]["rank_p05"][..], &f["C"]["rank_p95"][..]),
        ("3", "3")
    );
    // The same inputs and seed give the same bytes with one thread or two.
    let one = std::fs::read(tmp.path().join("out/uncertainty.csv")).unwrap();
    same_bytes_with_threads(tmp.path(), &["1", "2"]);
    // A huge sample size (a typo, or a census) is no trouble: the share hardly moves.
    std::fs::write(
        tmp.path().join("data.csv"),
        "unit_code,sat,plan,so_phieu\nA,60,có,50000000\nB,55,có,\nC,10,không,40\n",
    )
    .unwrap();
    ok(run_in(
        tmp.path(),
        &["score", "run.toml", "--replications", "200"],
    ));
    assert_eq!(figures(tmp.path())["A"]["p_first"], "1");
    std::fs::write(
        tmp.path().join("data.csv"),
        "unit_code,sat,plan,so_phieu\nA,60,có,50\nB,55,có,\nC,10,không,40\n",
    )
    .unwrap();
    // Another seed gives other draws.
    ok(run_in(tmp.path(), &["score", "run.toml", "--seed", "8"]));
    assert_ne!(
        one,
        std::fs::read(tmp.path().join("out/uncertainty.csv")).unwrap()
    );
}

#[test]
fn bad_uncertainty_declarations_are_located() {
    let tmp = tempfile::tempdir().unwrap();
    setup(
        tmp.path(),
        "[uncertainty]\nreplications = 10\n[[uncertainty.survey]]\nindicator = \"sat\"\nmargin = 120\n",
    );
    // The run file's own `lang = "en"` applies to its own diagnostics.
    let o = run_in(tmp.path(), &["score", "run.toml"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("run.toml:11:10") && o.stderr.contains("margin 120 is outside 0–100"),
        "{o:?}"
    );
    setup(
        tmp.path(),
        "[uncertainty]\n[[uncertainty.survey]]\nindicator = \"plan\"\nmargin = 5\n",
    );
    // Not a survey indicator (a leaf not marked survey), or one no criterion reads: located by
    // `check` and by `score` alike (score once failed naming no line), both at once.
    std::fs::write(
        tmp.path().join("run.toml"),
        std::fs::read_to_string(tmp.path().join("run.toml")).unwrap()
            + "[[uncertainty.survey]]\nindicator = \"sat_x\"\nmargin = 5\n",
    )
    .unwrap();
    for cmd in ["check", "score"] {
        let o = run_in(tmp.path(), &[cmd, "run.toml", "--lang", "en"]);
        assert_eq!(o.code, 2, "{o:?}");
        assert!(
            o.stderr.contains("run.toml:9:13")
                && o.stderr
                    .contains("`plan` is not a survey indicator of the criteria")
                && o.stderr.contains("run.toml:12:13")
                && o.stderr.contains("`sat_x` is not a survey indicator")
                && o.stderr.contains("the criteria's survey indicators: sat"),
            "{o:?}"
        );
    }
    assert!(!tmp.path().join("out").exists());
    // An appraised range as wide as an appraised leaf's maximum.
    setup(
        tmp.path(),
        "[uncertainty]\n[uncertainty.appraised]\nrange = 10\n",
    );
    std::fs::write(
        tmp.path().join("c.toml"),
        CRITERIA.replace(
            "rule = { kind = \"yes_no\", indicator = \"plan\" }",
            "rule = { kind = \"appraised\", indicator = \"plan_pts\" }",
        ),
    )
    .unwrap();
    let o = run_in(tmp.path(), &["check", "run.toml", "--lang", "en"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("run.toml:9:9")
            && o.stderr.contains(
                "range 10 is not below the maximum of appraised criterion 2.1 (10 points)"
            ),
        "{o:?}"
    );
    // A sample-size column no table has: blamed on the run file that reads it, with the real fix
    // (a table that has it; the template's column) — not on the data with a hint to rename.
    setup(
        tmp.path(),
        "[uncertainty]\n[[uncertainty.survey]]\nindicator = \"sat\"\nsample_size = \"so_phieu_x\"\n",
    );
    let o = run_in(tmp.path(), &["score", "run.toml"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains(
            "run.toml: no table has the survey sample-size column `so_phieu_x` that `sample_size` of [[uncertainty.survey]] reads; add a table with it (unit code, so_phieu_x)"
        ) && o.stderr.contains("`parindex template run.toml`")
            && !o.stderr.contains("--map"),
        "{o:?}"
    );
    // A negative sample size is a data error at its cell.
    setup(
        tmp.path(),
        "[uncertainty]\n[[uncertainty.survey]]\nindicator = \"sat\"\nsample_size = \"so_phieu\"\n",
    );
    std::fs::write(
        tmp.path().join("data.csv"),
        "unit_code,sat,plan,so_phieu\nA,60,có,-5\nB,55,có,\nC,10,không,40\n",
    )
    .unwrap();
    let o = run_in(tmp.path(), &["score", "run.toml"]);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("data.csv, row 2, column D (so_phieu): a sample size is a positive whole number, found `-5`"), "{o:?}");
    assert!(!tmp.path().join("out").exists());
    // A negative seed (it wrapped to 18446744073709551615) and a survey given both a sample size
    // and a margin (the margin was dropped in silence): both located, by `check` and `score`.
    setup(
        tmp.path(),
        "[uncertainty]
seed = -1
[[uncertainty.survey]]
indicator = \"sat\"\nsample_size = \"so_phieu\"\nmargin = 5\n",
    );
    for cmd in ["check", "score"] {
        let o = run_in(tmp.path(), &[cmd, "run.toml", "--lang", "en"]);
        assert_eq!(o.code, 2, "{o:?}");
        assert!(
            o.stderr.contains("run.toml:8:8")
                && o.stderr.contains("seed is a whole number, not negative"),
            "{o:?}"
        );
        assert!(
            o.stderr.contains("run.toml:12:10")
                && o.stderr.contains("one of the two only: sample_size"),
            "{o:?}"
        );
    }
    assert!(!tmp.path().join("out").exists());
    // The flag takes what the run file takes: 1 to 1,000,000 (0 ran one replication in silence).
    setup(tmp.path(), "");
    for n in ["0", "2000000"] {
        let o = run_in(tmp.path(), &["score", "run.toml", "--replications", n]);
        assert_eq!(o.code, 2, "{o:?}");
        assert!(o.stderr.contains("--replications"), "{o:?}");
    }
    assert!(!tmp.path().join("out").exists());
}

#[test]
fn the_probability_of_being_proposed_follows_the_replications() {
    let tmp = tempfile::tempdir().unwrap();
    setup(
        tmp.path(),
        "[uncertainty]\nreplications = 2000\nseed = 11\n[[uncertainty.survey]]\nindicator = \"sat\"\nsample_size = \"so_phieu\"\n",
    );
    // One award to the leader: A is proposed exactly when it is first.
    std::fs::write(
        tmp.path().join("rules.toml"),
        "name = \"T\"\n[[award]]\nid = \"first\"\nname = \"First\"\nscope = \"criteria\"\ntop = 1\n",
    )
    .unwrap();
    ok(run_in(
        tmp.path(),
        &["score", "run.toml", "--awards", "rules.toml"],
    ));
    let f = figures(tmp.path());
    let p_first = f["A"]["p_first"].clone();
    assert_eq!(f["A"]["award_probabilities"], format!("first:{p_first}"));
    let awards = std::fs::read_to_string(tmp.path().join("out/awards.csv")).unwrap();
    let a = awards.lines().find(|l| l.contains(",A,")).unwrap();
    assert!(a.ends_with(&format!(",{p_first}")), "{a}");
    let p: f64 = p_first.parse().unwrap();
    assert!(p > 0.5 && p < 1.0, "{p}");
}

/// Weight noise against its closed form: A leads the survey area (10 of 10), B the plan area
/// (1 + 10), so A is first exactly when f₁·10 > f₁·1 + f₂·10 (the weighted maxima are the same
/// for both), i.e. f₂ < 0.9 f₁, with f₁, f₂ uniform in [0.8, 1.2].
#[test]
fn weight_noise_against_its_closed_form() {
    let tmp = tempfile::tempdir().unwrap();
    setup(
        tmp.path(),
        "[uncertainty]\nreplications = 4000\nseed = 3\n[uncertainty.weights]\nrange = 0.2\n",
    );
    std::fs::write(
        tmp.path().join("data.csv"),
        "unit_code,sat,plan,so_phieu\nA,100,không,50\nB,10,có,50\nC,0,không,50\n",
    )
    .unwrap();
    let o = ok(run_in(tmp.path(), &["score", "run.toml"]));
    assert!(
        o.stdout
            .contains("Uncertainty (4000 replications, seed 3, weights ±20%)"),
        "{o:?}"
    );
    let f = figures(tmp.path());
    // P(f₂ < 0.9 f₁), integrated on a fine grid.
    let n = 2000;
    let at = |i: usize| 0.8 + 0.4 * (i as f64 + 0.5) / n as f64;
    let hits = (0..n)
        .flat_map(|i| (0..n).map(move |j| (at(i), at(j))))
        .filter(|&(f1, f2)| f2 < 0.9 * f1)
        .count();
    let exact = hits as f64 / (n * n) as f64;
    assert!((exact - 0.2722).abs() < 0.001, "{exact}");
    let first: f64 = f["A"]["p_first"].parse().unwrap();
    assert!((first - exact).abs() < 0.03, "P(first) {first} vs {exact}");
    assert_eq!(f["A"]["rank"], "2");
    // C scores nothing in either area: last whatever the weights.
    assert_eq!(
        (&f["C"]["rank_p05"][..], &f["C"]["rank_p95"][..]),
        ("3", "3")
    );
    // The method statement says what moved.
    let report = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(
        report.contains("Each area&#x27;s weight was also moved at random by ±20% to show how far the ranking rests on the weights."),
        "the report's uncertainty section says the weights moved"
    );
    let method = sheet_cells(&tmp.path().join("out/results.xlsx"), "Method");
    assert!(
        method.iter().any(|c| c.contains(
            "area weights: each area multiplied by a random factor, uniform in [0.8, 1.2] (±20%)"
        )),
        "{method:?}"
    );
    // The weighted maximum matters when maxima differ: B's plan is not applicable (re-based),
    // so B's total is 20 × 5.2 / 10 = 10.4 whatever the weights, and A's is 20 f₁ / (f₁ + f₂):
    // A is first when f₁ > 1.0833 f₂ (and would be when f₁ > 1.04 if the maxima were not
    // weighted).
    std::fs::write(
        tmp.path().join("data.csv"),
        "unit_code,sat,plan,so_phieu\nA,100,không,50\nB,52,N/A,50\nC,0,không,50\n",
    )
    .unwrap();
    ok(run_in(tmp.path(), &["score", "run.toml"]));
    let hits = (0..n)
        .flat_map(|i| (0..n).map(move |j| (at(i), at(j))))
        .filter(|&(f1, f2)| 20.0 * f1 / (f1 + f2) > 10.4)
        .count();
    let exact = hits as f64 / (n * n) as f64;
    assert!((exact - 0.4).abs() > 0.05, "{exact}");
    let first: f64 = figures(tmp.path())["A"]["p_first"].parse().unwrap();
    assert!((first - exact).abs() < 0.03, "P(first) {first} vs {exact}");
    // With survey noise as well (debug builds check every replication's weighted total, from
    // the moved survey share, against a full evaluation).
    setup(
        tmp.path(),
        "[uncertainty]\nreplications = 300\n[uncertainty.weights]\nrange = 0.2\n[[uncertainty.survey]]\nindicator = \"sat\"\nsample_size = \"so_phieu\"\n",
    );
    ok(run_in(tmp.path(), &["score", "run.toml"]));
    let p: f64 = figures(tmp.path())["A"]["p_first"].parse().unwrap();
    assert!(p > 0.0 && p < 1.0, "{p}");
    // Without weight noise the report does not claim it.
    setup(
        tmp.path(),
        "[uncertainty]\nreplications = 50\n[[uncertainty.survey]]\nindicator = \"sat\"\nsample_size = \"so_phieu\"\n",
    );
    ok(run_in(tmp.path(), &["score", "run.toml"]));
    let report = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(
        report.contains("HOW SURE IS THE RANKING") && !report.contains("weight was also moved")
    );
    // A range of 1 or more would let a weight reach 0: refused at its line.
    setup(
        tmp.path(),
        "[uncertainty]\n[uncertainty.weights]\nrange = 1.5\n",
    );
    let o = run_in(tmp.path(), &["score", "run.toml"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("run.toml:9:9")
            && o.stderr
                .contains("the weights' range is a share from 0 to below 1"),
        "{o:?}"
    );
}

/// Survey leaves that share a sample-size column read a unit's sample size once: a bad cell is
/// one error, not one per leaf (the sample's two sở surveys both read `so_phieu_khao_sat`).
#[test]
fn a_bad_sample_size_shared_by_two_surveys_is_one_error() {
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["criteria", "sample-data"] {
        copy_dir(&repo().join(dir), &tmp.path().join(dir));
    }
    let sizes = tmp.path().join("sample-data/2025/co-mau-xhh.csv");
    let text = std::fs::read_to_string(&sizes).unwrap();
    std::fs::write(&sizes, text.replacen("S01,151", "S01,abc", 1)).unwrap();
    let o = run_in(
        tmp.path(),
        &["score", "sample-data/danh-gia-2025.toml", "--lang", "en"],
    );
    assert_eq!(o.code, 1, "{o:?}");
    let error = "co-mau-xhh.csv, row 2, column B (so_phieu_khao_sat): a sample size is a positive whole number, found `abc`";
    assert_eq!(o.stderr.matches(error).count(), 1, "{o:?}");
}
