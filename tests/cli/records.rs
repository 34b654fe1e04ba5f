//! The sample's dossier-record export: the README's `derive` command runs as written on it, and
//! its output feeds the sample's scoring in place of the communes' reported rates.

use super::*;

#[test]
fn the_sample_records_derive_and_feed_score() {
    let tmp = tempfile::tempdir().unwrap();
    let derived = tmp.path().join("chi-so-ho-so.csv").display().to_string();
    let o = ok(run(&[
        "derive",
        "sample-data/2025/ho-so-2025.csv",
        "--period",
        "2025",
        "--map",
        "sample-data/ban-do-ho-so.toml",
        "--units",
        "sample-data/units.csv",
        "--out",
        &derived,
    ]));
    assert!(o.stdout.contains("140"), "{o:?}");
    // One thread gives the same bytes as all of them.
    let single = tmp.path().join("mot-luong.csv").display().to_string();
    ok(run(&[
        "derive",
        "sample-data/2025/ho-so-2025.csv",
        "--period",
        "2025",
        "--map",
        "sample-data/ban-do-ho-so.toml",
        "--units",
        "sample-data/units.csv",
        "--threads",
        "1",
        "--out",
        &single,
    ]));
    assert_eq!(
        std::fs::read(&single).unwrap(),
        std::fs::read(&derived).unwrap()
    );
    // Built in: two records exported twice (4 excluded as duplicates) and one impossible date.
    assert!(
        o.stderr.contains("duplicate_id: 4") && o.stderr.contains("bad_date: 1"),
        "{o:?}"
    );
    // The communes' table without the five rates the records now give.
    let raw = std::fs::read(repo().join("sample-data/2025/chi-so-xa.csv")).unwrap();
    let (text, _, _) = encoding_rs::WINDOWS_1258.decode(&raw);
    let rates = [
        "on_time_rate",
        "online_rate",
        "full_online_rate",
        "online_payment_rate",
        "digitised_rate",
    ];
    let mut lines = text.lines();
    let head: Vec<&str> = lines.next().unwrap().split(';').collect();
    let keep: Vec<usize> = (0..head.len())
        .filter(|&i| !rates.contains(&head[i]))
        .collect();
    assert_eq!(
        keep.len(),
        head.len() - 5,
        "the five rates are in the communes' table"
    );
    let mut out = String::new();
    for l in std::iter::once(head.join(";")).chain(lines.map(String::from)) {
        let f: Vec<&str> = l.split(';').collect();
        out.push_str(&keep.iter().map(|&i| f[i]).collect::<Vec<_>>().join(";"));
        out.push('\n');
    }
    std::fs::write(tmp.path().join("chi-so-xa.csv"), out).unwrap();
    let xa = tmp.path().join("chi-so-xa.csv").display().to_string();
    let out_dir = tmp.path().join("out").display().to_string();
    let mut a = sample_args(&out_dir);
    a[10] = xa;
    // The departments keep their own rates; the derived table covers communes only for them.
    a.extend(["--data".to_string(), derived.clone()]);
    let o = run(&args(&a));
    // Departments report these rates themselves, so the derived table may hold only communes.
    assert_eq!(o.code, 1, "{o:?}");
    assert!(
        o.stderr
            .contains("cũng có trong sample-data/2025/chi-so-so.csv"),
        "{o:?}"
    );
    // Keep the communes' rows of the derived table: then it feeds the score.
    let d = std::fs::read_to_string(&derived).unwrap();
    let communes: String = d
        .lines()
        .enumerate()
        .filter(|(i, l)| *i == 0 || !(l.starts_with('S') || l.starts_with('B')))
        .map(|(_, l)| format!("{l}\n"))
        .collect();
    std::fs::write(&derived, communes).unwrap();
    ok(run(&args(&a)));
    let scores = std::fs::read_to_string(tmp.path().join("out/criterion-scores.csv")).unwrap();
    let line = scores
        .lines()
        .find(|l| l.starts_with("XA013,tree,3.2,"))
        .unwrap();
    assert!(line.contains("chi-so-ho-so.csv"), "{line}");
}

#[test]
fn windows_1258_record_files_are_read_and_reported() {
    let tmp = tempfile::tempdir().unwrap();
    // Excel's plain CSV on Vietnamese Windows: "Có" and "Không" as Windows-1258 bytes (ó 0xF3,
    // ô 0xF4), CRLF, one impossible date.
    let rows = [
        "dossier_id;unit_code;procedure_code;channel;online_kind;received_at;due_at;finished_at;paid_online;digitised",
        "D1;A;P1;online;full;2025-03-01;2025-03-10;2025-03-09;C\u{f3};C\u{f3}",
        "D2;A;P1;in_person;;2025-03-02;2025-03-10;2025-03-12;Kh\u{f4}ng;C\u{f3}",
        "D3;B;P2;online;partial;2025-04-01;2025-04-05;;Kh\u{f4}ng;Kh\u{f4}ng",
        "D4;B;P2;online;partial;2025-13-01;2025-04-05;;Kh\u{f4}ng;Kh\u{f4}ng",
    ];
    let bytes: Vec<u8> = (rows.join("\r\n") + "\r\n")
        .chars()
        .map(|c| u8::try_from(c as u32).unwrap())
        .collect();
    assert!(std::str::from_utf8(&bytes).is_err());
    std::fs::write(tmp.path().join("ho-so.csv"), &bytes).unwrap();
    let o = ok(run_in(
        tmp.path(),
        &[
            "derive",
            "ho-so.csv",
            "--period",
            "2025",
            "--lang",
            "en",
            "--out",
            "o.csv",
        ],
    ));
    assert!(
        o.stderr
            .contains("ho-so.csv: not UTF-8, read as Windows-1258"),
        "{o:?}"
    );
    // The first bad record is named in the original file, not in the temporary UTF-8 copy.
    assert!(o.stderr.contains("first: ho-so.csv, row 5"), "{o:?}");
    let out = std::fs::read_to_string(tmp.path().join("o.csv")).unwrap();
    // A: 2 received, 2 resolved, 1 on time; paid online "Có" once; digitised twice.
    assert!(
        out.lines()
            .any(|l| l.starts_with("A,2,2,1,1,0,0,1,1,1,2,2,")),
        "{out}"
    );
}

/// Runs the binary with its stderr on a pseudo-terminal (as a user's shell has it) and returns
/// what the terminal showed and the exit code; fails the test after 120 s (a hang).
#[allow(unsafe_code)]
fn run_on_terminal(args: &[&str], env: &[(&str, &str)]) -> (String, i32) {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty writes two fresh descriptors; no name, termios or winsize is passed.
    let r = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(r, 0, "openpty");
    // SAFETY: both descriptors were just opened by openpty and are owned here alone.
    let (master, slave) = unsafe {
        (
            std::fs::File::from_raw_fd(master),
            std::process::Stdio::from(std::fs::File::from_raw_fd(slave)),
        )
    };
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_parindex"));
    cmd.args(args)
        .current_dir(repo())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(slave);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("the binary runs");
    drop(cmd); // closes our copy of the terminal's other end, so reading ends with the child
    let reader = std::thread::spawn(move || {
        let mut shown = Vec::new();
        let mut master = master;
        let mut buf = [0u8; 8192];
        // Linux answers EIO once the child's end is closed: that is the end of the output.
        while let Ok(n) = master.read(&mut buf) {
            if n == 0 {
                break;
            }
            shown.extend_from_slice(&buf[..n]);
        }
        shown
    });
    let started = std::time::Instant::now();
    let code = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st.code().unwrap_or(-1);
        }
        if started.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            panic!("parindex {} hung on a terminal", args.join(" "));
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    let shown = reader.join().unwrap();
    (String::from_utf8_lossy(&shown).into_owned(), code)
}

#[test]
fn a_terminal_shows_a_progress_bar_with_records_per_second_and_the_stage_lines() {
    // Ten copies of the sample's export (45,650 records, the copies count as duplicates).
    let tmp = tempfile::tempdir().unwrap();
    let sample = std::fs::read_to_string(repo().join("sample-data/2025/ho-so-2025.csv")).unwrap();
    let (header, rows) = sample.split_once('\n').unwrap();
    let mut big = format!("{header}\n");
    for _ in 0..10 {
        big.push_str(rows);
    }
    let file = tmp.path().join("ho-so.csv");
    std::fs::write(&file, big).unwrap();
    let out = tmp.path().join("chi-so.csv");
    let (f, o) = (file.display().to_string(), out.display().to_string());
    let args = [
        "derive",
        &f,
        "--period",
        "2025",
        "--map",
        "sample-data/ban-do-ho-so.toml",
        "--out",
        &o,
    ];
    let (shown, code) = run_on_terminal(&args, &[("PARINDEX_PROGRESS_MS", "1"), ("TERM", "xterm")]);
    assert_eq!(code, 0, "{shown}");
    // The bar: Vietnamese grouping of the total, a rate per second, and the stage lines kept.
    assert!(shown.contains("/45.650 ("), "{shown}");
    assert!(shown.contains("/giây"), "{shown}");
    assert!(shown.contains("xong lượt 2/2"), "{shown}");
    // Pass 1 has its own bar: megabytes of the file read, with the decimal comma.
    assert!(shown.contains("đọc tệp ["), "{shown}");
    assert!(shown.contains("/4,9 MB ("), "{shown}");
    assert!(out.exists());
    // Not a terminal (the same command through a pipe): stage lines only, no bar.
    let plain = run(&args);
    assert_eq!(plain.code, 0, "{plain:?}");
    assert!(!plain.stderr.contains("/giây"), "{plain:?}");
    assert!(plain.stderr.contains("xong lượt 2/2"), "{plain:?}");
}

/// An empty file and a row with a field too many or too few are refused with file and row (the
/// polars reader dropped the extra field, or read the missing one as empty, in silence).
#[test]
fn empty_files_and_ragged_rows_are_refused_with_their_place() {
    let tmp = tempfile::tempdir().unwrap();
    let header = "dossier_id,unit_code,procedure_code,channel,online_kind,received_at,due_at,finished_at,paid_online,digitised";
    let cases = [
        ("trong.csv", String::new(), "trong.csv: the file is empty: no header row, no records"),
        (
            "thua.csv",
            format!("{header}\nH1,X,P,online,full,2025-01-01,2025-01-05,2025-01-03,1,1\nH2,X,P,online,full,2025-01-01,2025-01-05,2025-01-03,1,1,9\n"),
            "thua.csv, row 3: the row has 11 fields but the header has 10",
        ),
        (
            "thieu.csv",
            format!("{header}\nH1,X,P,online,full,2025-01-01,2025-01-05,2025-01-03,1\n"),
            "thieu.csv, row 2: the row has 9 fields but the header has 10",
        ),
    ];
    for (name, text, expected) in cases {
        std::fs::write(tmp.path().join(name), text).unwrap();
        let o = run_in(
            tmp.path(),
            &[
                "derive", name, "--period", "2025", "--out", "z.csv", "--lang", "en", "-q",
            ],
        );
        assert_eq!(o.code, 1, "{o:?}");
        assert!(o.stderr.contains(expected), "{expected}\n{o:?}");
        assert!(!tmp.path().join("z.csv").exists());
    }
}

/// A workbook given as records is refused by name (exit 2) with what to do, never read as text.
#[test]
fn a_workbook_of_records_is_refused_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x.csv").display().to_string();
    let o = run(&[
        "derive",
        "sample-data/2025/tham-dinh.xlsx",
        "--period",
        "2025",
        "--out",
        &out,
        "--lang",
        "en",
    ]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains(
            "tham-dinh.xlsx: dossier records must be .csv or .parquet (save a workbook as \"CSV UTF-8\")"
        ),
        "{o:?}"
    );
    assert!(!std::path::Path::new(&out).exists());
}

/// The hidden `--engine streaming` (polars' lazy engine, the reference reader) gives the same
/// bytes as parindex's own reader in a build with the `reference-engine` feature; in a default
/// build, which leaves polars' lazy engine out, it is a usage error (exit 2) saying how to get
/// it, and nothing is written. An unknown reader is a usage error in both.
#[test]
fn the_reference_reader_is_there_only_in_builds_with_it() {
    let tmp = tempfile::tempdir().unwrap();
    let derive = |engine: &str, out: &str| {
        run(&[
            "derive",
            "sample-data/2025/ho-so-2025.csv",
            "--period",
            "2025",
            "--map",
            "sample-data/ban-do-ho-so.toml",
            "--engine",
            engine,
            "--lang",
            "en",
            "-q",
            "--out",
            &tmp.path().join(out).display().to_string(),
        ])
    };
    ok(derive("auto", "own.csv"));
    let o = derive("streaming", "reference.csv");
    if cfg!(feature = "reference-engine") {
        ok(o);
        assert_eq!(
            std::fs::read(tmp.path().join("reference.csv")).unwrap(),
            std::fs::read(tmp.path().join("own.csv")).unwrap()
        );
    } else {
        assert_eq!(o.code, 2, "{o:?}");
        assert!(
            o.stderr.contains("no reference reader")
                && o.stderr.contains("--features reference-engine"),
            "{o:?}"
        );
        assert!(!tmp.path().join("reference.csv").exists());
    }
    let o = derive("duckdb", "x.csv");
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("use auto, streaming or in-memory"),
        "{o:?}"
    );
}
