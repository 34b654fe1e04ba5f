//! Integration tests: every test runs the real `parindex` binary in a scratch folder with a clean
//! environment, and failure output shows the command, stdout and stderr.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{open_workbook_auto, Data, Reader};

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
    cmd: String,
}

impl std::fmt::Debug for Out {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "$ {}\nexit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.cmd, self.code, self.stdout, self.stderr
        )
    }
}

/// Run the binary with `cwd` as working folder (paths in args are relative to it).
fn run_in(cwd: &Path, args: &[&str]) -> Out {
    run_with(cwd, args, &[])
}

/// [`run_in`] with these environment variables set (the environment is otherwise empty).
fn run_with(cwd: &Path, args: &[&str], vars: &[(&str, &str)]) -> Out {
    let out = Command::new(env!("CARGO_BIN_EXE_parindex"))
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .envs(vars.iter().copied())
        .output()
        .expect("the binary runs");
    let set: Vec<String> = vars.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        cmd: format!("{}parindex {}", set.concat(), args.join(" ")),
    }
}

/// Copy a folder, every file and folder in it, to `to`.
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}

fn run(args: &[&str]) -> Out {
    run_in(&repo(), args)
}

/// `parindex score --lang en --criteria C --units U --data D… --out out` in `dir` (English
/// messages, which these tests assert; Vietnamese, the default, has its own test).
fn score_in(dir: &Path, criteria: &str, units: &str, data: &[&str]) -> Out {
    let mut a = vec![
        "score",
        "--lang",
        "en",
        "--criteria",
        criteria,
        "--units",
        units,
    ];
    for d in data {
        a.extend(["--data", d]);
    }
    a.extend(["--out", "out"]);
    run_in(dir, &a)
}

/// Every cell of one sheet of a workbook, as text, row by row.
fn sheet_cells(xlsx: &Path, sheet: &str) -> Vec<String> {
    let mut wb = open_workbook_auto(xlsx).unwrap();
    let range = wb.worksheet_range(sheet).unwrap();
    range
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect()
}

fn ok(o: Out) -> Out {
    assert_eq!(o.code, 0, "{o:?}");
    o
}

/// A CSV output's rows as column → value (the byte-order mark left out of the first header).
fn csv_rows(path: &Path) -> Vec<HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
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

/// results.csv as unit_code → column → value.
fn results(dir: &Path) -> HashMap<String, HashMap<String, String>> {
    let mut rdr = csv::Reader::from_path(dir.join("results.csv")).expect("results.csv");
    let headers = rdr.headers().unwrap().clone();
    rdr.records()
        .map(|r| {
            let r = r.unwrap();
            let row: HashMap<String, String> = headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect();
            (row["unit_code"].clone(), row)
        })
        .collect()
}

fn sample_args(out: &str) -> Vec<String> {
    [
        "score",
        "--criteria",
        "criteria/so-2025.toml",
        "--criteria",
        "criteria/xa-2025.toml",
        "--units",
        "sample-data/units.csv",
        "--data",
        "sample-data/2025/chi-so-so.csv",
        "--data",
        "sample-data/2025/chi-so-xa.csv",
        "--data",
        "sample-data/2025/tham-dinh.xlsx#Thẩm định",
        "--data",
        "sample-data/2025/dieu-tra-xhh.parquet",
        "--out",
        out,
    ]
    .map(String::from)
    .to_vec()
}

fn args(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

fn mini(dir: &Path, extra: &[&str]) -> Out {
    let fx = repo().join("tests/fixtures/mini");
    let mut a = vec![
        "score".to_string(),
        "--criteria".into(),
        fx.join("criteria.toml").display().to_string(),
        "--units".into(),
        fx.join("units.csv").display().to_string(),
        "--data".into(),
        fx.join("data.csv").display().to_string(),
        "--out".into(),
        dir.join("out").display().to_string(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    run_in(dir, &args(&a))
}

#[test]
fn mini_fixture_hand_computed_totals_grades_and_ranks() {
    let tmp = tempfile::tempdir().unwrap();
    ok(mini(tmp.path(), &[]));
    let r = results(&tmp.path().join("out"));
    let get = |u: &str, c: &str| r[u][c].clone();
    // U1: 4 + 2 + 2 + 1.8 = 9.8; bonus 3 × 0.5 = 1.5 → item cap 2 → section cap 1; 10.8 clamps to 10.
    // Head disciplined (>= 1): grade capped at B although the index is 100.
    assert_eq!(get("U1", "total_points"), "10");
    assert_eq!(get("U1", "index_pct"), "100");
    assert_eq!(get("U1", "bonus"), "1");
    assert_eq!(get("U1", "grade"), "B");
    assert_eq!(
        get("U1", "flags"),
        "bonus_capped;total_clamped;disqualified:K1"
    );
    // U5: 3 + 2 + 1.5 + 1.7 = 8.2. U4: 4 + 2 + 1 + 1.7 + 0.5 − 1 = 8.2: tied on total,
    // the tie-break (area 2: 3.2 vs 2.7) puts U5 first.
    assert_eq!(get("U5", "total_points"), "8.2");
    assert_eq!(get("U4", "total_points"), "8.2");
    assert_eq!(
        (get("U5", "rank"), get("U4", "rank")),
        ("2".into(), "3".into())
    );
    assert_eq!(get("U4", "penalty"), "1");
    // U2 and U6: complaints not applicable → re-based: (2 + 2 + 1.6) × 10 / 8 = 7; a true tie.
    for u in ["U2", "U6"] {
        assert_eq!(get(u, "total_points"), "7");
        assert_eq!(get(u, "tree_max"), "8");
        assert_eq!(get(u, "rank"), "4");
        assert_eq!(get(u, "grade"), "C");
        assert_eq!(get(u, "flags"), "not_applicable:1");
    }
    // U3: no survey → rescaled: (3 + 0 + 2) × 10 / 8 = 6.25; rank 6 after the 4-4 tie (1-2-2-4 style).
    assert_eq!(get("U3", "total_points"), "6.25");
    assert_eq!(get("U3", "rank"), "6");
    assert_eq!(get("U3", "flags"), "no_survey_rescaled");
    assert!(r.values().all(|row| row["rank_of"] == "6"));
    assert_eq!(get("U4", "grade"), "B");
    assert_eq!(get("U1", "unit_type"), "xã");
}

#[test]
fn dense_ranking_and_tie_tolerance_come_from_the_criteria_file() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let text = std::fs::read_to_string(fx.join("criteria.toml")).unwrap();
    // Dense ranking, and a tolerance wide enough to tie 8.2 with 7 (but not with 6.25).
    let dense = text
        .replace(
            "method = \"competition\"",
            "method = \"dense\"\ntie_tolerance = 1.5",
        )
        .replace("tie_break = [\"2\"]", "");
    let crit = tmp.path().join("dense.toml");
    std::fs::write(&crit, dense).unwrap();
    let o = score_in(
        tmp.path(),
        "dense.toml",
        &fx.join("units.csv").display().to_string(),
        &[&fx.join("data.csv").display().to_string()],
    );
    ok(o);
    let r = results(&tmp.path().join("out"));
    let ranks: Vec<(String, String)> = ["U1", "U5", "U4", "U2", "U6", "U3"]
        .iter()
        .map(|u| (u.to_string(), r[*u]["rank"].clone()))
        .collect();
    // Leader rule: 8.2 leads a cluster that takes 7 (within 1.5); 6.25 is 1.95 from 8.2.
    assert_eq!(
        ranks,
        vec![
            ("U1".into(), "1".into()),
            ("U5".into(), "2".into()),
            ("U4".into(), "2".into()),
            ("U2".into(), "2".into()),
            ("U6".into(), "2".into()),
            ("U3".into(), "3".into())
        ]
    );
}

#[test]
fn sample_run_writes_all_outputs_with_ties_disqualification_and_survey_rescaling() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out").display().to_string();
    let o = ok(run(&args(&sample_args(&out))));
    assert!(o.stdout.contains("Đã chấm 140 đơn vị"), "{o:?}");
    assert!(o.stdout.contains("Xếp hạng – xã"), "{o:?}");
    assert!(
        o.stderr.contains("đã đọc theo bảng mã Windows-1258"),
        "{o:?}"
    );
    let dir = tmp.path().join("out");
    let r = results(&dir);
    assert_eq!(r.len(), 140);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for f in ["results.csv", "criterion-scores.csv", "results.xlsx"] {
            let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o644, "{f} is readable by the team");
        }
        let left: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .filter(|n| n.to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(
            left.is_empty(),
            "no temporary file is left behind: {left:?}"
        );
    }
    // The generator gives XA004 and XA008 identical figures.
    assert_eq!(r["XA004"]["total_points"], r["XA008"]["total_points"]);
    assert_eq!(r["XA004"]["rank"], r["XA008"]["rank"]);
    // One strong commune's head was disciplined: capped at "Hoàn thành" whatever its index.
    let disq: Vec<_> = r
        .values()
        .filter(|u| u["flags"].contains("disqualified:K1"))
        .collect();
    assert_eq!(disq.len(), 1);
    assert_eq!(disq[0]["grade"], "Hoàn thành");
    assert!(disq[0]["index_pct"].parse::<f64>().unwrap() >= 70.0);
    // Four communes were not surveyed: their maximum excludes area 8 (20 points).
    let rescaled: Vec<_> = r
        .values()
        .filter(|u| u["flags"].contains("no_survey_rescaled"))
        .collect();
    assert_eq!(rescaled.len(), 4);
    assert!(rescaled.iter().all(|u| u["tree_max"] == "80"));
    // Every index lies in [0, 100] and ranks run from 1 to rank_of.
    for u in r.values() {
        let idx: f64 = u["index_pct"].parse().unwrap();
        assert!((0.0..=100.0).contains(&idx));
        let (rank, of): (usize, usize) =
            (u["rank"].parse().unwrap(), u["rank_of"].parse().unwrap());
        assert!(rank >= 1 && rank <= of);
    }
    // criterion-scores.csv: one row per unit and leaf or item, with the source cell.
    let cs = std::fs::read_to_string(dir.join("criterion-scores.csv")).unwrap();
    assert_eq!(cs.lines().count(), 1 + 20 * (41 + 5) + 120 * (43 + 5));
    assert!(
        cs.contains("XA012,tree,7.7,"),
        "the missing value is traced"
    );
    let line = cs
        .lines()
        .find(|l| l.starts_with("XA012,tree,7.7,"))
        .unwrap();
    assert!(
        line.contains("sample-data/2025/chi-so-xa.csv,39,") && line.ends_with("missing"),
        "{line}"
    );
}

#[test]
fn workbook_has_vietnamese_sheets_ranks_and_the_method() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out").display().to_string();
    ok(run(&args(&sample_args(&out))));
    let mut wb = open_workbook_auto(tmp.path().join("out/results.xlsx")).unwrap();
    let names = wb.sheet_names();
    assert_eq!(
        names,
        [
            "Xếp hạng - sở, ban",
            "Xếp hạng - xã",
            "Xếp hạng - phường",
            "Xếp hạng - đặc khu",
            "Điểm chi tiết",
            "Phương pháp"
        ]
    );
    let xa = wb.worksheet_range("Xếp hạng - xã").unwrap();
    // The table starts below the title block.
    let at = xa
        .rows()
        .position(|r| r[0] == Data::String("Hạng".into()))
        .expect("a header row");
    let header: Vec<String> = xa
        .rows()
        .nth(at)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(&header[..4], ["Hạng", "Mã", "Tên đơn vị", "Khối thi đua"]);
    assert!(
        header.contains(&"Chỉ số CCHC (%)".to_string()) && header.contains(&"Xếp loại".to_string())
    );
    let first = xa.rows().nth(at + 1).unwrap();
    // The rank is a number (so the column sorts) shown as "1/94" by its number format.
    assert_eq!(first[0], Data::Float(1.0));
    let styles = {
        use std::io::Read;
        let f = std::fs::File::open(tmp.path().join("out/results.xlsx")).unwrap();
        let mut z = zip::ZipArchive::new(f).unwrap();
        let mut s = String::new();
        z.by_name("xl/styles.xml")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        s
    };
    assert!(
        styles.contains("formatCode=\"0&quot;/94&quot;\""),
        "{styles}"
    );
    // The index is a typed number (a fraction shown as a percentage), rounded to 2 decimals.
    let idx_col = header.iter().position(|h| h == "Chỉ số CCHC (%)").unwrap();
    match &first[idx_col] {
        Data::Float(f) => {
            assert!(*f > 0.5 && *f <= 1.0 && ((f * 10000.0).round() - f * 10000.0).abs() < 1e-6)
        }
        other => panic!("index cell is {other:?}"),
    }
    // The detail sheet (streamed in constant-memory mode) holds every unit × leaf/item row.
    let detail = wb.worksheet_range("Điểm chi tiết").unwrap();
    assert_eq!(detail.height(), 1 + 20 * (41 + 5) + 120 * (43 + 5));
    let row: Vec<String> = detail
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    let first = std::fs::read_to_string(tmp.path().join("out/results.csv")).unwrap();
    let first_code = first
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(
        (row[0].clone(), row[2].clone()),
        (first_code, "1.1.1".to_string())
    );
    let method = wb.worksheet_range("Phương pháp").unwrap();
    let text: Vec<String> = method
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    let sha = {
        use sha2::{Digest, Sha256};
        let d = Sha256::digest(std::fs::read(repo().join("criteria/xa-2025.toml")).unwrap());
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    assert!(
        text.contains(&sha),
        "the method sheet states the criteria file's SHA-256"
    );
    assert!(text.iter().any(|t| t.contains("1-2-2-4")));
    assert!(text.iter().any(|t| t.contains("làm tròn")));
}

#[test]
fn english_on_request() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ok(mini(tmp.path(), &["--lang", "en"]));
    assert!(
        o.stdout.contains("Scored 6 units (1 criteria set): "),
        "{o:?}"
    );
    assert!(o.stdout.contains("Ranking – xã (6 units)"), "{o:?}");
    let mut wb = open_workbook_auto(tmp.path().join("out/results.xlsx")).unwrap();
    assert_eq!(
        wb.sheet_names(),
        ["Ranking - xã", "Criterion scores", "Method"]
    );
    let sheet = wb.worksheet_range("Ranking - xã").unwrap();
    let cells: Vec<String> = sheet
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    for header in [
        "Rank",
        "Code",
        "Unit",
        "Total points",
        "PAR Index (%)",
        "Grade",
        "Notes",
    ] {
        assert!(cells.contains(&header.to_string()), "{header}: {cells:?}");
    }
    // Flags in words, in English.
    assert!(
        cells.contains(&"not applicable: 1 criteria".to_string()),
        "{cells:?}"
    );
    assert!(
        cells.contains(&"no survey: appraisal points rescaled".to_string()),
        "{cells:?}"
    );
    // The report too: English labels, the page language, no Vietnamese fixed text.
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(html.contains("<html lang=\"en\">") && html.contains("PAR INDEX SCORECARD"));
    assert!(!html.contains("PHIẾU KẾT QUẢ") && !html.contains("Trang"));
    // Grade labels use label_en where the file gives one (the method sheet lists the bands).
    let method = wb.worksheet_range("Method").unwrap();
    let m: Vec<String> = method
        .rows()
        .flat_map(|r| r.iter().map(|c| c.to_string()))
        .collect();
    assert!(m.iter().any(|c| c == "Top: ≥ 90%"), "{m:?}");
    assert!(
        !cells
            .iter()
            .any(|c| c.contains("Xếp hạng") || c.contains("Tên đơn vị")),
        "{cells:?}"
    );
}

#[test]
fn same_inputs_give_identical_csv_bytes_and_shuffled_rows_change_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let a = tmp.path().join("a").display().to_string();
    let b = tmp.path().join("b").display().to_string();
    ok(run(&args(&sample_args(&a))));
    // A second later: a clock time in any output (the workbook's document properties) shows.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    ok(run(&args(&sample_args(&b))));
    for f in [
        "results.csv",
        "criterion-scores.csv",
        "results.xlsx",
        "report.html",
    ] {
        assert_eq!(
            std::fs::read(tmp.path().join("a").join(f)).unwrap(),
            std::fs::read(tmp.path().join("b").join(f)).unwrap(),
            "{f} differs between runs"
        );
    }
    // Shuffle the rows of the registry and of the departments' table (header kept).
    let shuffle = |src: &str, dst: &Path, seed: u64| {
        let text = std::fs::read(repo().join(src)).unwrap();
        let text = String::from_utf8(text).unwrap();
        let mut lines: Vec<&str> = text.lines().collect();
        let head = lines.remove(0);
        let mut state = seed;
        for i in (1..lines.len()).rev() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            lines.swap(i, (state >> 33) as usize % (i + 1));
        }
        std::fs::write(dst, format!("{head}\n{}\n", lines.join("\n"))).unwrap();
    };
    let units = tmp.path().join("units.csv");
    let depts = tmp.path().join("chi-so-so.csv");
    shuffle("sample-data/units.csv", &units, 7);
    shuffle("sample-data/2025/chi-so-so.csv", &depts, 11);
    let mut sa = sample_args(&tmp.path().join("c").display().to_string());
    sa[6] = units.display().to_string();
    sa[8] = depts.display().to_string();
    ok(run(&args(&sa)));
    let strip_source = |p: PathBuf| -> Vec<String> {
        // criterion-scores names the source file and row, which legitimately move.
        let t = std::fs::read_to_string(p).unwrap();
        t.lines()
            .map(|l| l.split(',').take(8).collect::<Vec<_>>().join(","))
            .collect()
    };
    assert_eq!(
        std::fs::read(tmp.path().join("a/results.csv")).unwrap(),
        std::fs::read(tmp.path().join("c/results.csv")).unwrap()
    );
    assert_eq!(
        strip_source(tmp.path().join("a/criterion-scores.csv")),
        strip_source(tmp.path().join("c/criterion-scores.csv"))
    );
}

/// Misspelt keys in a criteria file and in a column map: every one reported at once at its line,
/// with did-you-mean, in the run's language (serde stopped at the first, in English).
#[test]
fn every_misspelt_key_of_a_criteria_file_or_map_is_reported_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join("criteria/xa-2025.toml"))
        .unwrap()
        .replacen("\nname = ", "\nnmae = ", 1)
        .replacen("\nmax = ", "\nmaxx = ", 1);
    let bad = tmp.path().join("xa.toml");
    std::fs::write(&bad, text).unwrap();
    let vi = run(&["check", &bad.display().to_string()]);
    assert_eq!(vi.code, 2, "{vi:?}");
    for s in [
        "lỗi: không có khóa `nmae` trong [meta]",
        "có phải ý bạn là `name`?",
        "lỗi: không có khóa `maxx` trong [criterion]",
        "có phải ý bạn là `max`?",
        "2 lỗi trong",
    ] {
        assert!(vi.stderr.contains(s), "{s} in {vi:?}");
    }
    assert!(!vi.stderr.contains("unknown field"), "{vi:?}");
    let en = run(&["check", &bad.display().to_string(), "--lang", "en"]);
    assert!(
        en.stderr
            .contains("error: unknown key `maxx` in [criterion]")
            && en.stderr.contains("did you mean `max`?"),
        "{en:?}"
    );
    // A column map with a misspelt table.
    let map = tmp.path().join("cot.toml");
    std::fs::write(&map, "[colums]\non_time = \"Tỷ lệ đúng hạn\"\n").unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let o = run(&[
        "score",
        "--criteria",
        &fx.join("criteria.toml").display().to_string(),
        "--units",
        &fx.join("units.csv").display().to_string(),
        "--data",
        &fx.join("data.csv").display().to_string(),
        "--map",
        &map.display().to_string(),
        "--out",
        &tmp.path().join("out").display().to_string(),
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("lỗi: không có khóa `colums`")
            && o.stderr.contains("có phải ý bạn là `columns`?")
            && o.stderr.contains("cot.toml:1:2"),
        "{o:?}"
    );
}

#[test]
fn check_prints_the_tree() {
    let o = ok(run(&[
        "check",
        "criteria/xa-2025.toml",
        "criteria/so-2025.toml",
    ]));
    assert!(o.stdout.contains("criteria/xa-2025.toml — hợp lệ"));
    assert!(
        o.stdout
            .contains("linear [tuyến tính: 80% → 0 điểm, 100% → 8 điểm] ← on_time_rate"),
        "{o:?}"
    );
    assert!(o.stdout.contains("Xuất sắc: ≥ 90%"));
    let en = ok(run(&["check", "--lang", "en", "criteria/xa-2025.toml"]));
    assert!(
        en.stdout.contains("Direction and management of PAR"),
        "{en:?}"
    );
}

#[test]
fn criteria_diagnostics_are_all_reported_with_line_column_and_caret() {
    let o = run(&[
        "check",
        "--lang",
        "en",
        "tests/fixtures/bad/many-errors.toml",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stdout.is_empty());
    insta::assert_snapshot!("many_errors", o.stderr);
    let o = run(&[
        "check",
        "--lang",
        "en",
        "tests/fixtures/bad/unknown-key.toml",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    insta::assert_snapshot!("unknown_key", o.stderr);
    // Vietnamese by default.
    let o = run(&["check", "tests/fixtures/bad/many-errors.toml"]);
    assert_eq!(o.code, 2, "{o:?}");
    insta::assert_snapshot!("many_errors_vi", o.stderr);
}

#[test]
fn score_refuses_a_bad_criteria_file_with_exit_2_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures");
    let o = score_in(
        tmp.path(),
        &fx.join("bad/unknown-key.toml").display().to_string(),
        &fx.join("mini/units.csv").display().to_string(),
        &[&fx.join("mini/data.csv").display().to_string()],
    );
    assert_eq!(o.code, 2, "{o:?}");
    assert!(!tmp.path().join("out").exists());
}

/// Write a modified copy of the mini data and run on it.
fn mini_with_data(data: &str) -> (tempfile::TempDir, Out) {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    std::fs::write(tmp.path().join("data.csv"), data).unwrap();
    let o = score_in(
        tmp.path(),
        &fx.join("criteria.toml").display().to_string(),
        &fx.join("units.csv").display().to_string(),
        &["data.csv"],
    );
    (tmp, o)
}

fn mini_data() -> String {
    std::fs::read_to_string(repo().join("tests/fixtures/mini/data.csv")).unwrap()
}

#[test]
fn bad_data_names_file_row_and_column_exits_1_and_writes_nothing() {
    // Text in a numeric column, an unknown unit, a duplicate unit, a rate above 100%.
    let data = mini_data()
        .replace("U3,95,", "U3,chưa báo cáo,")
        .replace("U4,100,có,2,85", "U4,100,có,2,185")
        + "U9,100,có,0,90,0,0,0\nU2,90,có,0,80,0,0,0\n";
    let (tmp, o) = mini_with_data(&data);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains(
            "data.csv, row 8, column A (unit_code): unit code `U9` is not in the unit registry"
        ),
        "{o:?}"
    );
    assert!(o.stderr.contains("data.csv, row 9, column A (unit_code): unit `U2` appears twice in this table (first on row 3)"), "{o:?}");
    let o2 = {
        let data = mini_data()
            .replace("U3,95,", "U3,chưa báo cáo,")
            .replace("U4,100,có,2,85", "U4,100,có,2,185");
        mini_with_data(&data).1
    };
    assert_eq!(o2.code, 1, "{o2:?}");
    assert!(
        o2.stderr.contains(
            "data.csv, row 4, column B (on_time): expected a number, found the text `chưa báo cáo`"
        ),
        "{o2:?}"
    );
    assert!(
        o2.stderr.contains(
            "data.csv, row 5, column E (sat): expected a rate between 0% and 100%, found `185`"
        ),
        "{o2:?}"
    );
    assert!(
        !tmp.path().join("out").exists(),
        "nothing is written on bad data"
    );
}

#[test]
fn messages_are_vietnamese_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let data = mini_data().replace("U3,95,", "U3,chưa báo cáo,");
    std::fs::write(tmp.path().join("data.csv"), data).unwrap();
    let units = fx.join("units.csv").display().to_string();
    let crit = fx.join("criteria.toml").display().to_string();
    let o = run_in(
        tmp.path(),
        &[
            "score",
            "--criteria",
            &crit,
            "--units",
            &units,
            "--data",
            "data.csv",
            "--out",
            "out",
        ],
    );
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .starts_with("1 lỗi trong dữ liệu đầu vào (chưa ghi tệp nào):"),
        "{o:?}"
    );
    assert!(
        o.stderr.contains(
            "data.csv, dòng 4, cột B (on_time): cần một số, nhưng gặp chữ `chưa báo cáo`"
        ),
        "{o:?}"
    );
}

#[test]
fn an_indicator_no_table_has_is_reported() {
    let data = mini_data().replace("head_disciplined", "something_else");
    let (_tmp, o) = mini_with_data(&data);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("no table has the indicator `head_disciplined`"),
        "{o:?}"
    );
}

#[test]
fn missing_values_can_be_errors_by_policy() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let text = std::fs::read_to_string(fx.join("criteria.toml"))
        .unwrap()
        .replace("missing = \"zero_and_flag\"", "missing = \"error\"");
    std::fs::write(tmp.path().join("c.toml"), text).unwrap();
    // U3's survey is empty: with survey_absent = rescale it is "no survey", not missing; blank
    // U5's plan instead.
    std::fs::write(
        tmp.path().join("d.csv"),
        mini_data().replace("U5,95,x,", "U5,95,,"),
    )
    .unwrap();
    let o = score_in(
        tmp.path(),
        "c.toml",
        &fx.join("units.csv").display().to_string(),
        &["d.csv"],
    );
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("d.csv, row 6, column C (plan): the value of `plan` is empty; criterion 1.2 treats missing values as errors"), "{o:?}");
}

#[test]
fn vietnamese_decimal_comma_and_semicolons_are_detected() {
    let data = "unit_code;on_time;plan;complaints;sat;initiatives;incident;head_disciplined\n\
                U1;100;có;0;90;3;0;1\nU2;90;có;không áp dụng;80;0;0;0\nU3;95;không;0;;0;0;0\n\
                U4;100;có;2;85;1;1;0\nU5;95;x;1;85,0%;0;0;0\nU6;90;1;N/A;80;0;không;0\n";
    let (tmp, o) = mini_with_data(data);
    ok(o);
    let r = results(&tmp.path().join("out"));
    assert_eq!(r["U5"]["total_points"], "8.2");
    // An ambiguous value under auto-detection with no other evidence is an error naming the cell.
    let amb = mini_data().replace("U4,100,có,2,85", "U4,100,có,2,1.234");
    let (_t, o) = mini_with_data(&amb);
    assert_eq!(o.code, 1, "{o:?}");
    assert!(o.stderr.contains("E5 \"1.234\""), "{o:?}");
}

#[test]
fn outputs_never_overwrite_an_input() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    std::fs::create_dir(tmp.path().join("out")).unwrap();
    std::fs::copy(fx.join("data.csv"), tmp.path().join("out/results.csv")).unwrap();
    let before = std::fs::read(tmp.path().join("out/results.csv")).unwrap();
    let o = score_in(
        tmp.path(),
        &fx.join("criteria.toml").display().to_string(),
        &fx.join("units.csv").display().to_string(),
        &["out/results.csv"],
    );
    assert_eq!(o.code, 2, "{o:?}");
    assert!(o.stderr.contains("would be overwritten"), "{o:?}");
    assert_eq!(
        std::fs::read(tmp.path().join("out/results.csv")).unwrap(),
        before
    );
}

// ----------------------------------------------------------------------------- derive

const DERIVE_HEADER: &str = "unit_code,received,resolved,resolved_on_time,resolved_late,pending,pending_overdue,online,full_online,paid_online,fee_known,digitised,on_time_rate,online_rate,full_online_rate,online_payment_rate,digitised_rate";

fn derive_in(dir: &Path, args: &[&str]) -> Out {
    let mut a = vec!["derive", "--lang", "en"];
    a.extend_from_slice(args);
    run_in(dir, &a)
}

fn fixture(name: &str) -> String {
    repo()
        .join("tests/fixtures/derive")
        .join(name)
        .display()
        .to_string()
}

#[test]
fn derive_hand_computed_counts_and_rates() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ok(derive_in(
        tmp.path(),
        &[
            &fixture("ho-so.csv"),
            "--period",
            "2025",
            "--out",
            "out.csv",
        ],
    ));
    // A: H01 finished exactly on its due date (on time), H02 late, H06 on time (date-times);
    // H03 open and overdue at 31/12, H04 open but due in 2026, H05 finished after as-of (still
    // open, overdue); H07 was received in 2024 (out of scope).
    // on_time_rate = 2 / (3 resolved + 2 open overdue) = 40%; payment 3 of 4 with a fee.
    // B: H08 unknown channel, H09 finished before received, H10 bad date, H12 twice (both out).
    let expected = format!(
        "{DERIVE_HEADER}\nA,6,3,2,1,3,2,3,2,3,4,4,40,50,33.333333,75,66.666667\nB,2,2,2,0,0,0,1,1,1,1,2,100,50,50,100,100\n"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("out.csv")).unwrap(),
        expected
    );
    assert!(
        o.stderr
            .contains("14 record(s) read, 12 received in the period; 5 excluded"),
        "{o:?}"
    );
    assert!(
        o.stderr.contains("duplicate_id: 2") && o.stderr.contains("row 13, dossier H12"),
        "{o:?}"
    );
    assert!(
        o.stderr.contains("bad_date: 1") && o.stderr.contains("ho-so.csv, row 11"),
        "{o:?}"
    );
    assert!(
        o.stderr.contains("finished_before_received: 1") && o.stderr.contains("unknown_channel: 1"),
        "{o:?}"
    );
}

#[test]
fn derive_speaks_vietnamese_by_default() {
    let tmp = tempfile::tempdir().unwrap();
    let o = ok(run_in(
        tmp.path(),
        &[
            "derive",
            &fixture("ho-so.csv"),
            "--period",
            "2025",
            "--out",
            "out.csv",
        ],
    ));
    assert!(
        o.stderr
            .contains("đã đọc 14 hồ sơ, 12 hồ sơ tiếp nhận trong kỳ; loại 5 hồ sơ:"),
        "{o:?}"
    );
    assert!(
        o.stderr
            .contains("duplicate_id: 2 (mã hồ sơ xuất hiện hơn một lần); đầu tiên:"),
        "{o:?}"
    );
    assert!(o.stdout.contains("đã ghi 2 đơn vị vào out.csv"), "{o:?}");
}

#[test]
fn derive_as_of_decides_what_is_open() {
    let tmp = tempfile::tempdir().unwrap();
    ok(derive_in(
        tmp.path(),
        &[
            &fixture("ho-so.csv"),
            "--period",
            "2025",
            "--as-of",
            "10/1/2026",
            "--out",
            "out.csv",
        ],
    ));
    let text = std::fs::read_to_string(tmp.path().join("out.csv")).unwrap();
    // H05 is now resolved (late); H04 is open and overdue: 2 on time / (4 + 2).
    assert!(
        text.contains("\nA,6,4,2,2,2,2,3,2,3,4,4,33.333333,"),
        "{text}"
    );
    // A period given by dates: only H01-H02 (March) for A.
    ok(derive_in(
        tmp.path(),
        &[
            &fixture("ho-so.csv"),
            "--from",
            "1/3/2025",
            "--to",
            "31/3/2025",
            "--out",
            "march.csv",
        ],
    ));
    let text = std::fs::read_to_string(tmp.path().join("march.csv")).unwrap();
    assert!(
        text.contains("\nA,2,2,1,1,0,0,2,1,1,2,2,50,100,50,50,100\n"),
        "{text}"
    );
}

#[test]
fn derive_with_a_mapping_file_for_a_vietnamese_export() {
    let tmp = tempfile::tempdir().unwrap();
    ok(derive_in(
        tmp.path(),
        &[
            &fixture("vendor.csv"),
            "--period",
            "2025",
            "--map",
            &fixture("vendor.toml"),
            "--out",
            "out.parquet",
        ],
    ));
    // Parquet output, read back with polars: the same figures as the canonical file's unit A.
    let f = std::fs::File::open(tmp.path().join("out.parquet")).unwrap();
    use polars::prelude::SerReader;
    let df = polars::prelude::ParquetReader::new(f).finish().unwrap();
    assert_eq!(df.height(), 1);
    let get = |c: &str| df.column(c).unwrap().get(0).unwrap().to_string();
    assert_eq!(get("received"), "6");
    assert_eq!(get("pending_overdue"), "2");
    assert_eq!(get("on_time_rate"), "40.0");
    assert_eq!(get("full_online_rate"), "33.333333");
    // Without the mapping the columns are not found, and the error says what the file has.
    let o = derive_in(
        tmp.path(),
        &[&fixture("vendor.csv"), "--period", "2025", "--out", "x.csv"],
    );
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains("missing column(s) dossier_id") && o.stderr.contains("Mã hồ sơ"),
        "{o:?}"
    );
    assert!(!tmp.path().join("x.csv").exists());
}

#[test]
fn derive_bad_mapping_is_reported_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: [(&str, &[&str]); 2] = [
        (
            "[columns]\ndossier_id = \"Mã hồ sơ\"\nreceived = \"Ngày nhận\"\n",
            &["`received` is not a canonical column", "m.toml:3:12"],
        ),
        // A word mapped to a value the column does not know: at its line, with the words it
        // knows (it once named no file, line or column).
        (
            "[values.channel]\n\"Qua mạng\" = \"internet\"\n\"Tại quầy\" = \"in_person\"\n",
            &[
                "m.toml:2:14",
                "`internet` is not a value of `channel` (mapping `Qua mạng`)",
                "map to one of: online, in_person, postal",
            ],
        ),
    ];
    for (mapping, said) in cases {
        std::fs::write(tmp.path().join("m.toml"), mapping).unwrap();
        let o = derive_in(
            tmp.path(),
            &[
                &fixture("vendor.csv"),
                "--period",
                "2025",
                "--map",
                "m.toml",
                "--out",
                "x.csv",
            ],
        );
        assert_eq!(o.code, 2, "{o:?}");
        for s in said {
            assert!(o.stderr.contains(s), "{s} in {o:?}");
        }
        assert!(!tmp.path().join("x.csv").exists());
    }
}

#[test]
fn derive_strict_refuses_bad_records() {
    let tmp = tempfile::tempdir().unwrap();
    let o = derive_in(
        tmp.path(),
        &[
            &fixture("ho-so.csv"),
            "--period",
            "2025",
            "--strict",
            "--out",
            "out.csv",
        ],
    );
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr.contains("5 bad record(s) and --strict was given"),
        "{o:?}"
    );
    assert!(!tmp.path().join("out.csv").exists());
}

#[test]
fn derive_reads_parquet_and_checks_units() {
    use polars::prelude::*;
    let tmp = tempfile::tempdir().unwrap();
    // The canonical fixture as Parquet (all text columns), split into two files: one dataset.
    let df = CsvReadOptions::default()
        .with_infer_schema_length(Some(0))
        .try_into_reader_with_file_path(Some(fixture("ho-so.csv").into()))
        .unwrap()
        .finish()
        .unwrap();
    let (mut a, mut b) = (df.slice(0, 7), df.slice(7, 100));
    ParquetWriter::new(std::fs::File::create(tmp.path().join("a.parquet")).unwrap())
        .finish(&mut a)
        .unwrap();
    ParquetWriter::new(std::fs::File::create(tmp.path().join("b.parquet")).unwrap())
        .finish(&mut b)
        .unwrap();
    std::fs::write(
        tmp.path().join("units.csv"),
        "unit_code,unit_name,unit_type\nA,Xã A,xã\nC,Xã C,xã\n",
    )
    .unwrap();
    let o = ok(derive_in(
        tmp.path(),
        &[
            "a.parquet",
            "b.parquet",
            "--period",
            "2025",
            "--units",
            "units.csv",
            "--out",
            "out.csv",
        ],
    ));
    assert!(
        o.stderr
            .contains("1 unit code(s) not in units.csv (2 dossiers), left out of the output: B"),
        "{o:?}"
    );
    let text = std::fs::read_to_string(tmp.path().join("out.csv")).unwrap();
    assert_eq!(
        text,
        format!("{DERIVE_HEADER}\nA,6,3,2,1,3,2,3,2,3,4,4,40,50,33.333333,75,66.666667\nC,0,0,0,0,0,0,0,0,0,0,0,,,,,\n")
    );
}

#[test]
fn derived_indicators_feed_score() {
    let tmp = tempfile::tempdir().unwrap();
    // U1: 1 of 1 on time; U2: 9 of 10; U3: 3 on time and 1 open past due → 75%; U4–U6: 1 of 1.
    let mut rec = String::from("dossier_id,unit_code,procedure_code,channel,online_kind,received_at,due_at,finished_at,paid_online,digitised\n");
    let mut n = 0;
    let mut add = |unit: &str, fin: &str| {
        n += 1;
        rec.push_str(&format!(
            "D{n},{unit},P,in_person,,2/1/2025,10/1/2025,{fin},,1\n"
        ));
    };
    add("U1", "9/1/2025");
    for i in 0..10 {
        add("U2", if i == 0 { "11/1/2025" } else { "10/1/2025" });
    }
    for fin in ["5/1/2025", "6/1/2025", "7/1/2025", ""] {
        add("U3", fin);
    }
    for u in ["U4", "U5", "U6"] {
        add(u, "3/1/2025");
    }
    std::fs::write(tmp.path().join("ho-so.csv"), rec).unwrap();
    let fx = repo().join("tests/fixtures/mini");
    ok(derive_in(
        tmp.path(),
        &[
            "ho-so.csv",
            "--period",
            "2025",
            "--units",
            &fx.join("units.csv").display().to_string(),
            "--out",
            "derived.csv",
        ],
    ));
    let crit = std::fs::read_to_string(fx.join("criteria.toml"))
        .unwrap()
        .replace("indicator = \"on_time\"", "indicator = \"on_time_rate\"");
    std::fs::write(tmp.path().join("c.toml"), crit).unwrap();
    let data: String = mini_data()
        .lines()
        .map(|l| {
            l.split(',')
                .enumerate()
                .filter(|(i, _)| *i != 1)
                .map(|(_, v)| v)
                .collect::<Vec<_>>()
                .join(",")
                + "\n"
        })
        .collect();
    std::fs::write(tmp.path().join("rest.csv"), data).unwrap();
    ok(score_in(
        tmp.path(),
        "c.toml",
        &fx.join("units.csv").display().to_string(),
        &["derived.csv", "rest.csv"],
    ));
    let cs = std::fs::read_to_string(tmp.path().join("out/criterion-scores.csv")).unwrap();
    let points = |u: &str| -> String {
        let l = cs
            .lines()
            .find(|l| l.starts_with(&format!("{u},tree,1.1,")))
            .unwrap();
        assert!(l.contains("derived.csv"), "{l}");
        l.split(',').nth(6).unwrap().to_string()
    };
    // Linear 80% → 0, 100% → 4 points.
    assert_eq!(
        (points("U1"), points("U2"), points("U3")),
        ("4".into(), "2".into(), "0".into())
    );
}

#[path = "cli/office.rs"]
mod office;

#[path = "cli/mutation.rs"]
mod mutation;

#[path = "cli/policies.rs"]
mod policies;

#[path = "cli/snapshots_guard.rs"]
mod snapshots_guard;

#[path = "cli/properties.rs"]
mod properties;

#[path = "cli/documents.rs"]
mod documents;

#[path = "cli/appraisal.rs"]
mod appraisal;

#[path = "cli/year.rs"]
mod year;

#[path = "cli/awards.rs"]
mod awards;

#[path = "cli/uncertainty.rs"]
mod uncertainty;

#[path = "cli/audit.rs"]
mod audit;

#[path = "cli/help.rs"]
mod help;

#[path = "cli/records.rs"]
mod records;

#[path = "cli/decision.rs"]
mod decision;

#[path = "cli/criteria_diff.rs"]
mod criteria_diff;

#[path = "cli/criteria_import.rs"]
mod criteria_import;

/// derive's own CSV reader against polars' on generated messy files.
#[path = "cli/derive_reader.rs"]
mod derive_reader;
