//! A short deterministic mutation pass through the binary, so a new panic or abort in a reader
//! fails CI: a few hundred damaged criteria files, CSVs, workbooks and Parquet files, each run
//! through the real executable, which must answer with exit 0, 1 or 2 and never a backtrace.
//! The long coverage-guided runs live in `fuzz/` (see `docs/fuzzing.md`).

use super::*;

/// xorshift64*: the same cases on every machine and every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Tokens that have broken readers before.
const TOKENS: &[&[u8]] = &[
    b"nan",
    b"inf",
    b"-inf",
    b"1e400",
    b"\"",
    b";",
    b",",
    b"\n",
    b"\r\n",
    b"\xff",
    b"\xc3",
    b"=HYPERLINK(1)",
    b"99999999999999999999",
    b"-0",
    b"[[criterion]]",
    b"#",
    b"%",
    b"N/A",
    b"XFD1048576",
    b"<c r=\"A99999999\"><v>1</v></c>",
    b"count=\"999999999999\"",
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut b = input.to_vec();
    for _ in 0..=rng.below(3) {
        if b.is_empty() {
            b.push(b'x');
        }
        let at = rng.below(b.len());
        match rng.below(5) {
            0 => b[at] ^= 1 << rng.below(8),
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                b.splice(at..at, t.iter().copied());
            }
            2 => {
                let end = (at + 1 + rng.below(16)).min(b.len());
                b.drain(at..end);
            }
            3 => b.truncate(at),
            _ => {
                let from = rng.below(b.len());
                let len = rng.below(32).min(b.len() - from);
                let chunk = b[from..from + len].to_vec();
                b.splice(at..at, chunk);
            }
        }
    }
    b
}

fn assert_handled(o: &Out, what: &str) {
    assert!(
        matches!(o.code, 0..=2)
            && !o.stderr.contains("panicked")
            && !o.stderr.contains("RUST_BACKTRACE"),
        "{what}: {o:?}"
    );
}

fn score_with(dir: &Path, criteria: &str, units: &str, data: &str) -> Out {
    run_in(
        dir,
        &[
            "score",
            "--criteria",
            criteria,
            "--units",
            units,
            "--data",
            data,
            "--out",
            "out",
            "-q",
        ],
    )
}

#[test]
fn mutation_pass_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let fx = repo().join("tests/fixtures/mini");
    let criteria = std::fs::read(fx.join("criteria.toml")).unwrap();
    let data = std::fs::read(fx.join("data.csv")).unwrap();
    let units = fx.join("units.csv").display().to_string();
    let good_criteria = fx.join("criteria.toml").display().to_string();
    // PARINDEX_MUTATION_SCALE=20 runs a longer pass by hand (a new seed per scale).
    let scale: usize = std::env::var("PARINDEX_MUTATION_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ scale as u64);

    for i in 0..100 * scale {
        std::fs::write(dir.join("c.toml"), mutate(&mut rng, &criteria)).unwrap();
        assert_handled(
            &run_in(dir, &["check", "c.toml"]),
            &format!("criteria case {i}"),
        );
    }
    for i in 0..100 * scale {
        std::fs::write(dir.join("d.csv"), mutate(&mut rng, &data)).unwrap();
        assert_handled(
            &score_with(dir, &good_criteria, &units, "d.csv"),
            &format!("csv case {i}"),
        );
    }
    // Workbooks: damage the XML inside (a damaged zip is refused by its checksums first).
    super::office::office_workbook(&dir.join("ok.xlsx"), "Sheet1", super::office::OFFICE);
    for i in 0..80 * scale {
        let part = [
            "xl/worksheets/sheet1.xml",
            "xl/sharedStrings.xml",
            "xl/styles.xml",
            "xl/workbook.xml",
        ][rng.below(4)];
        let seed = rng.next();
        super::office::patch_part(&dir.join("ok.xlsx"), &dir.join("m.xlsx"), part, &move |s| {
            let mut r = Rng(seed | 1);
            String::from_utf8_lossy(&mutate(&mut r, s.as_bytes())).into_owned()
        });
        assert_handled(
            &score_with(dir, &good_criteria, &units, "m.xlsx"),
            &format!("xlsx case {i} ({part})"),
        );
    }
    for i in 0..40 * scale {
        let b = std::fs::read(dir.join("ok.xlsx")).unwrap();
        std::fs::write(dir.join("z.xlsx"), mutate(&mut rng, &b)).unwrap();
        assert_handled(
            &score_with(dir, &good_criteria, &units, "z.xlsx"),
            &format!("zip case {i}"),
        );
    }
    // Parquet: the sample survey table, damaged anywhere.
    let pq = std::fs::read(repo().join("sample-data/2025/dieu-tra-xhh.parquet")).unwrap();
    let a = super::office::sample_with_parquet("x.parquet", "out", &["-q"]);
    for i in 0..60 * scale {
        std::fs::write(dir.join("x.parquet"), mutate(&mut rng, &pq)).unwrap();
        assert_handled(&run_in(dir, &args(&a)), &format!("parquet case {i}"));
    }
}

/// The four ways a file arrives broken: empty, its first line only, cut in half, one bit flipped
/// in the middle.
fn broken_forms(good: &[u8]) -> Vec<(&'static str, Vec<u8>)> {
    let first_line = good
        .iter()
        .position(|&b| b == b'\n')
        .map_or(good.to_vec(), |p| good[..=p].to_vec());
    let mut flipped = good.to_vec();
    if !flipped.is_empty() {
        let mid = flipped.len() / 2;
        flipped[mid] ^= 0x40;
    }
    vec![
        ("empty", Vec::new()),
        ("header only", first_line),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("bit-flipped", flipped),
    ]
}

/// The configuration files and tables a run names besides criteria and data — the run file, the
/// award rules, a derive mapping, the unit registry and the lineage — damaged at random and in
/// each broken form, through `check`, `score` and `derive`: located errors (exit 1 or 2) or a
/// run, never a panic.
#[test]
fn config_files_mutation_pass_never_panics() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let fx = repo().join("tests/fixtures/mini");
    let abs = |p: &str| repo().join(p).display().to_string();
    let run_file = format!(
        "criteria = [\"{}\"]\nunits = \"{}\"\nout = \"out\"\nlang = \"en\"\nawards = \"rules.toml\"\n\n[[data]]\nfile = \"{}\"\n\n[previous]\nresults = \"prev.csv\"\nlineage = \"lineage.csv\"\nyear = 2024\n\n[uncertainty]\nreplications = 20\nseed = 1\n[[uncertainty.survey]]\nindicator = \"sat\"\nmargin = 5\n[uncertainty.appraised]\nrange = 0.25\n\n[report]\nissuer = [\"UBND\", \"SỞ NỘI VỤ\"]\ndate = \"2026-01-15\"\n[report.signature]\nlines = [\"KT. GIÁM ĐỐC\"]\nname = \"An\"\n",
        fx.join("criteria.toml").display(),
        fx.join("units.csv").display(),
        fx.join("data.csv").display()
    );
    let rules = "name = \"R\"\n[[award]]\nid = \"flag\"\nname = \"Flag\"\nscope = \"bloc\"\ntop = 1\nties = \"vote\"\n[award.gates]\nmin_grade = \"B\"\ntests = [\"incident == 0\"]\n";
    let prev = "unit_code,unit_type,index_pct,rank,rank_of,rank_group\nU1,xã,90,2,6,unit_type:xã\nU2,xã,80,3,6,unit_type:xã\n";
    let lineage = "Mã mới;Mã cũ;Quan hệ\nU1;U1;giữ nguyên\nU2;U2;giữ nguyên\n";
    let mapping = std::fs::read(repo().join("sample-data/ban-do-ho-so.toml")).unwrap();
    let units = std::fs::read(fx.join("units.csv")).unwrap();
    let write_all = |run: &[u8], rules_b: &[u8], prev_b: &[u8], lineage_b: &[u8]| {
        std::fs::write(dir.join("run.toml"), run).unwrap();
        std::fs::write(dir.join("rules.toml"), rules_b).unwrap();
        std::fs::write(dir.join("prev.csv"), prev_b).unwrap();
        std::fs::write(dir.join("lineage.csv"), lineage_b).unwrap();
    };
    write_all(
        run_file.as_bytes(),
        rules.as_bytes(),
        prev.as_bytes(),
        lineage.as_bytes(),
    );
    // The intact set runs (so the damaged cases damage something that works).
    ok(run_in(dir, &["score", "run.toml", "-q"]));
    let derive = |map: &str| {
        run_in(
            dir,
            &[
                "derive",
                &abs("sample-data/2025/ho-so-2025.csv"),
                "--period",
                "2025",
                "--map",
                map,
                "--out",
                "d.csv",
                "-q",
            ],
        )
    };
    let mut rng = Rng(0x5EED_2026);
    for i in 0..60 {
        write_all(
            &mutate(&mut rng, run_file.as_bytes()),
            rules.as_bytes(),
            prev.as_bytes(),
            lineage.as_bytes(),
        );
        assert_handled(
            &run_in(dir, &["check", "run.toml"]),
            &format!("run file case {i}"),
        );
    }
    for i in 0..40 {
        write_all(
            run_file.as_bytes(),
            &mutate(&mut rng, rules.as_bytes()),
            prev.as_bytes(),
            lineage.as_bytes(),
        );
        assert_handled(
            &run_in(dir, &["score", "run.toml", "-q"]),
            &format!("rules case {i}"),
        );
    }
    for i in 0..30 {
        write_all(
            run_file.as_bytes(),
            rules.as_bytes(),
            prev.as_bytes(),
            &mutate(&mut rng, lineage.as_bytes()),
        );
        assert_handled(
            &run_in(dir, &["score", "run.toml", "-q"]),
            &format!("lineage case {i}"),
        );
    }
    for i in 0..30 {
        std::fs::write(dir.join("m.toml"), mutate(&mut rng, &mapping)).unwrap();
        assert_handled(&derive("m.toml"), &format!("mapping case {i}"));
    }
    // Each broken form of each file.
    for (form, bytes) in broken_forms(run_file.as_bytes()) {
        write_all(
            &bytes,
            rules.as_bytes(),
            prev.as_bytes(),
            lineage.as_bytes(),
        );
        assert_handled(
            &run_in(dir, &["score", "run.toml", "-q"]),
            &format!("run file {form}"),
        );
    }
    for (what, good) in [
        ("rules", rules.as_bytes()),
        ("prev", prev.as_bytes()),
        ("lineage", lineage.as_bytes()),
    ] {
        for (form, bytes) in broken_forms(good) {
            match what {
                "rules" => write_all(
                    run_file.as_bytes(),
                    &bytes,
                    prev.as_bytes(),
                    lineage.as_bytes(),
                ),
                "prev" => write_all(
                    run_file.as_bytes(),
                    rules.as_bytes(),
                    &bytes,
                    lineage.as_bytes(),
                ),
                _ => write_all(
                    run_file.as_bytes(),
                    rules.as_bytes(),
                    prev.as_bytes(),
                    &bytes,
                ),
            }
            assert_handled(
                &run_in(dir, &["score", "run.toml", "-q"]),
                &format!("{what} {form}"),
            );
        }
    }
    for (form, bytes) in broken_forms(&mapping) {
        std::fs::write(dir.join("m.toml"), bytes).unwrap();
        assert_handled(&derive("m.toml"), &format!("mapping {form}"));
    }
    write_all(
        run_file.as_bytes(),
        rules.as_bytes(),
        prev.as_bytes(),
        lineage.as_bytes(),
    );
    for (form, bytes) in broken_forms(&units) {
        std::fs::write(dir.join("u.csv"), bytes).unwrap();
        let good_criteria = fx.join("criteria.toml").display().to_string();
        let data = fx.join("data.csv").display().to_string();
        assert_handled(
            &score_with(dir, &good_criteria, "u.csv", &data),
            &format!("units {form}"),
        );
    }
}
