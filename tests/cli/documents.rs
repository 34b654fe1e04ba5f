//! The run file and the documents a year-end meeting uses: the run file against the flags,
//! located run-file diagnostics, the scorecards, reproducible bytes, CSVs Excel opens, and the
//! printed forms through the real clients — the workbook through LibreOffice and the report
//! through headless Chromium, read back with `pdftotext`. The print tests need `soffice`,
//! `chromium` and `pdftotext`; without them they say so and pass, unless
//! `PARINDEX_PRINT_TESTS=require` (set by `.ci/run`, which installs them).

use super::*;

/// The criteria and the sample data, every file and folder, into `to`.
fn copy_sample(to: &Path) {
    for dir in ["criteria", "sample-data"] {
        copy_dir(&repo().join(dir), &to.join(dir));
    }
}

#[test]
fn the_sample_run_file_gives_what_the_flags_give() {
    let tmp = tempfile::tempdir().unwrap();
    let flags = tmp.path().join("flags").display().to_string();
    let file = tmp.path().join("file").display().to_string();
    ok(run(&args(&sample_args(&flags))));
    let o = ok(run(&[
        "score",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &file,
    ]));
    assert!(o.stdout.contains("report.html"), "{o:?}");
    // The summary keeps each criteria file's grade ladder apart (they were merged into one list,
    // "Khá 4, Trung bình 2, Hoàn thành 13"), and the uncertainty line names who is first.
    assert!(
        o.stdout.contains("(2 bộ tiêu chí): sở, ban: Xuất sắc 5, Tốt 9, Khá 4, Trung bình 2; xã, phường, đặc khu: Xuất sắc"),
        "{o:?}"
    );
    assert!(
        o.stdout
            .contains("sở, ban: Thanh tra tỉnh đứng đầu trong 100% số lần"),
        "{o:?}"
    );
    // The survey's sample sizes (`co-mau-xhh.csv`) are read by `[uncertainty]`: not "unused".
    assert!(!o.stderr.contains("so_phieu_khao_sat"), "{o:?}");
    // Given without `[uncertainty]`, the same column is used by nothing, and said so.
    let extra = tmp.path().join("extra").display().to_string();
    let mut with_sizes = sample_args(&extra);
    with_sizes.extend(["--data", "sample-data/2025/co-mau-xhh.csv"].map(String::from));
    let f = ok(run(&args(&with_sizes)));
    assert!(
        f.stderr
            .contains("các cột đã đọc nhưng không tiêu chí nào dùng: so_phieu_khao_sat"),
        "{f:?}"
    );
    // Durations in Vietnamese take the decimal comma.
    let line = (o.stderr.lines())
        .find(|l| l.contains("độ bất định: 1000 lần mô phỏng, hạt giống 2025, "))
        .expect("the uncertainty note");
    let secs = line.rsplit(", ").next().unwrap();
    assert!(
        secs.ends_with(" giây") && secs.contains(',') && !secs.contains('.'),
        "{line}"
    );
    assert_eq!(
        std::fs::read(tmp.path().join("flags/criterion-scores.csv")).unwrap(),
        std::fs::read(tmp.path().join("file/criterion-scores.csv")).unwrap(),
    );
    // The run file also compares with 2024: results.csv has the same columns and then the
    // seven of the comparison.
    let rows = |p: PathBuf| -> Vec<Vec<String>> {
        let mut r = csv::Reader::from_path(p).unwrap();
        let mut v = vec![r.headers().unwrap().iter().map(String::from).collect()];
        v.extend(
            r.records()
                .map(|x| x.unwrap().iter().map(String::from).collect()),
        );
        v
    };
    let (a, b) = (
        rows(tmp.path().join("flags/results.csv")),
        rows(tmp.path().join("file/results.csv")),
    );
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(y.len(), x.len() + 7);
        assert_eq!(x[..], y[..x.len()]);
    }
    // The run file is named with its SHA-256 in the method statement.
    // (Paths and dates keep their `/`: the HTML escapes only what matters.)
    let html = std::fs::read_to_string(tmp.path().join("file/report.html")).unwrap();
    assert!(!html.contains("&#x2f;"));
    assert!(
        html.contains("sample-data/danh-gia-2025.toml (SHA-256 "),
        "method"
    );
    // The title block comes from the run file.
    for s in [
        "UBND TỈNH SÔNG HỒNG",
        "SỞ NỘI VỤ",
        "Sông Hồng, ngày 15 tháng 01 năm 2026",
        "KẾT QUẢ XÁC ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025 – XÃ",
        "Nguyễn Văn An",
    ] {
        assert!(html.contains(s), "{s}");
    }
    let o = ok(run(&["check", "sample-data/danh-gia-2025.toml"]));
    assert!(
        o.stdout
            .contains("tệp lần chạy hợp lệ: 2 tệp tiêu chí, 5 bảng dữ liệu")
            && o.stdout.contains("criteria/xa-2025.toml — hợp lệ"),
        "{o:?}"
    );
}

#[test]
fn run_file_paths_are_its_own_and_flags_override_it() {
    let tmp = tempfile::tempdir().unwrap();
    copy_sample(tmp.path());
    let dir = tmp.path().join("nam-2025/dot-1");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("run.toml"),
        r#"criteria = ["../../criteria/xa-2025.toml"]
units = "../../sample-data/units.csv"
out = "ket-qua"
[[data]]
file = "../../sample-data/2025/chi-so-xa.csv"
[[data]]
file = "../../sample-data/2025/tham-dinh.xlsx"
sheet = "Thẩm định"
[[data]]
file = "../../sample-data/2025/dieu-tra-xhh.parquet"
"#,
    )
    .unwrap();
    // Run from elsewhere: paths are the file's, not the working folder's.
    let o = ok(run_in(
        tmp.path(),
        &["score", "nam-2025/dot-1/run.toml", "-q"],
    ));
    assert!(dir.join("ket-qua/results.csv").is_file(), "{o:?}");
    assert_eq!(results(&dir.join("ket-qua")).len(), 120);
    // `-q` prints the summary line only: no table, notes, warnings or list of files.
    assert_eq!(o.stdout.lines().count(), 1, "{o:?}");
    assert!(o.stdout.starts_with("Đã chấm 120 đơn vị"), "{o:?}");
    assert_eq!(o.stderr, "", "{o:?}");
    // Flags win: language and output folder.
    ok(run_in(
        tmp.path(),
        &[
            "score",
            "nam-2025/dot-1/run.toml",
            "--lang",
            "en",
            "--out",
            "en",
        ],
    ));
    let wb = open_workbook_auto(tmp.path().join("en/results.xlsx")).unwrap();
    assert!(wb.sheet_names().contains(&"Ranking - xã".to_string()));
    // A flag list replaces the file's list: only the communes' table, so the appraisal and
    // survey indicators are missing and named.
    let o = run_in(
        tmp.path(),
        &[
            "score",
            "nam-2025/dot-1/run.toml",
            "--lang",
            "en",
            "--data",
            "sample-data/2025/chi-so-xa.csv",
            "--out",
            "x",
        ],
    );
    assert_eq!(o.code, 1, "{o:?}");
    // Nothing given at all: a usage error naming both ways.
    let o = run_in(tmp.path(), &["score", "--lang", "en", "--out", "y"]);
    assert_eq!(o.code, 2, "{o:?}");
    assert!(
        o.stderr.contains("--criteria FILE") && o.stderr.contains("run file"),
        "{o:?}"
    );
}

/// `check RUN.toml` opens every table the run file names, as `score` will: a sheet that is not
/// in its workbook and a file that is not what its name says are found before the meeting, all
/// at once, each named.
#[test]
fn check_opens_every_table_a_run_file_names() {
    let tmp = tempfile::tempdir().unwrap();
    copy_sample(tmp.path());
    std::fs::write(tmp.path().join("cut.parquet"), b"PAR1 cut short").unwrap();
    std::fs::write(
        tmp.path().join("run.toml"),
        r#"criteria = ["criteria/xa-2025.toml"]
units = "sample-data/units.csv"
[[data]]
file = "sample-data/2025/chi-so-xa.csv"
[[data]]
file = "sample-data/2025/tham-dinh.xlsx"
sheet = "Tham dinh"
[[data]]
file = "cut.parquet"
[[self]]
file = "sample-data/2025/tu-danh-gia-xa.csv"
"#,
    )
    .unwrap();
    let o = run_in(tmp.path(), &["check", "run.toml"]);
    assert_eq!(o.code, 1, "{o:?}");
    for s in [
        "tham-dinh.xlsx#Tham dinh: không có trang tính `Tham dinh`; tệp có: Thẩm định",
        "cut.parquet: không phải tệp Parquet",
    ] {
        assert!(o.stderr.contains(s), "{s} in {o:?}");
    }
    // The sample's run file opens whole.
    ok(run(&["check", "sample-data/danh-gia-2025.toml"]));
}

#[test]
fn a_bad_run_file_is_reported_at_its_lines_and_nothing_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let p = tmp.path();
    std::fs::copy(repo().join("criteria/xa-2025.toml"), p.join("xa.toml")).unwrap();
    std::fs::write(
        p.join("units.csv"),
        "unit_code,unit_name,unit_type\nU1,Xã Một,xã\n",
    )
    .unwrap();
    std::fs::write(
        p.join("run.toml"),
        "criteria = [\"xa.toml\"]\nunits = \"units.csv\"\nout = \"out\"\nlang = \"vn\"\n\n[[data]]\nfile = \"chi-so.csv\"\nrates = \"phan-tram\"\n\n[report]\ndate = \"31/02/2026\"\n",
    )
    .unwrap();
    for verb in ["score", "check"] {
        let o = run_in(p, &[verb, "run.toml"]);
        assert_eq!(o.code, 2, "{o:?}");
        for located in [
            "run.toml:4:8",
            "run.toml:7:8",
            "run.toml:8:9",
            "run.toml:11:8",
        ] {
            assert!(o.stderr.contains(located), "{located}: {o:?}");
        }
        assert!(o.stderr.contains("có phải `vi`?"), "{o:?}");
        assert!(o.stderr.contains("4 lỗi trong run.toml"), "{o:?}");
        assert!(!p.join("out").exists());
    }
    // Two misspelt keys: both reported, with "did you mean", in Vietnamese by default and in
    // English on request (serde stopped at the first, in English).
    std::fs::write(
        p.join("run.toml"),
        "criteria = [\"xa.toml\"]\nunit = \"units.csv\"\n[report]\nsignatures = [\"KT. GIÁM ĐỐC\"]\n",
    )
    .unwrap();
    let o = run_in(p, &["check", "run.toml"]);
    assert_eq!(o.code, 2, "{o:?}");
    for s in [
        "run.toml:2:1",
        "không có khóa `unit`",
        "có phải ý bạn là `units`?",
        "run.toml:4:1",
        "không có khóa `signatures` trong [report]",
        "có phải ý bạn là `signature`?",
        "2 lỗi trong run.toml",
    ] {
        assert!(o.stderr.contains(s), "{s}: {o:?}");
    }
    let o = run_in(p, &["check", "--lang", "en", "run.toml"]);
    assert_eq!(o.code, 2, "{o:?}");
    for s in [
        "run.toml:2:1",
        "unknown key `unit`",
        "did you mean `units`?",
        "unknown key `signatures` in [report]",
        "did you mean `signature`? Keys here: issuer, title",
    ] {
        assert!(o.stderr.contains(s), "{s}: {o:?}");
    }
    // `check` honours the run file's own `lang`, as `score` does (it answered in Vietnamese).
    std::fs::write(
        p.join("run.toml"),
        "criteria = [\"xa.toml\"]\nlang = \"en\"\nunit = \"units.csv\"\n",
    )
    .unwrap();
    for verb in ["check", "score"] {
        let o = run_in(p, &[verb, "run.toml"]);
        assert_eq!(o.code, 2, "{o:?}");
        assert!(
            o.stderr.contains("run.toml:3:1") && o.stderr.contains("unknown key `unit`"),
            "{o:?}"
        );
    }
}

#[test]
fn each_ranking_sheet_has_its_two_native_charts() {
    // The flags' run: no comparison sheets (whose charts would come in addition).
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    ok(run(&args(&sample_args(&out.display().to_string()))));
    use std::io::Read;
    let mut z =
        zip::ZipArchive::new(std::fs::File::open(out.join("results.xlsx")).unwrap()).unwrap();
    let charts: Vec<String> = (0..z.len())
        .map(|i| z.by_index(i).unwrap().name().unwrap().to_string())
        .filter(|n| n.starts_with("xl/charts/chart"))
        .collect();
    // Four ranking sheets: the index by unit and the area shares on each.
    assert_eq!(charts.len(), 8, "{charts:?}");
    let mut first = String::new();
    z.by_name("xl/charts/chart1.xml")
        .unwrap()
        .read_to_string(&mut first)
        .unwrap();
    // Horizontal bars, rank 1 on top, one coloured point per unit (20 departments).
    assert!(first.contains("<c:barDir val=\"bar\"/>"));
    assert!(first.contains("<c:orientation val=\"maxMin\"/>"));
    assert_eq!(first.matches("<c:dPt>").count(), 20);
}

#[test]
fn csv_outputs_open_in_excel_with_vietnamese_intact() {
    let tmp = tempfile::tempdir().unwrap();
    ok(mini(tmp.path(), &[]));
    for f in ["results.csv", "criterion-scores.csv"] {
        let bytes = std::fs::read(tmp.path().join("out").join(f)).unwrap();
        assert_eq!(&bytes[..3], b"\xEF\xBB\xBF", "{f} starts with a UTF-8 BOM");
    }
    let results = std::fs::read_to_string(tmp.path().join("out/results.csv")).unwrap();
    assert!(results.starts_with("\u{feff}unit_code,unit_name") && results.contains("Xã Một"));
}

#[test]
fn scorecards_one_file_per_unit_and_one_section_per_unit() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out").display().to_string();
    let cards = tmp.path().join("phieu").display().to_string();
    let mut a = sample_args(&out);
    a.extend(["--scorecards".to_string(), cards.clone()]);
    let o = ok(run(&args(&a)));
    assert!(o.stdout.contains("140"), "{o:?}");
    let files: Vec<_> = std::fs::read_dir(&cards).unwrap().collect();
    assert_eq!(files.len(), 140);
    let report = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert_eq!(report.matches("class=\"sheet card\"").count(), 140);
    // XA012 has a missing value: its card shows it on the criterion's line, and the unit note.
    let card = std::fs::read_to_string(tmp.path().join("phieu/XA012.html")).unwrap();
    assert_eq!(card.matches("class=\"sheet card\"").count(), 1);
    assert!(card.contains("PHIẾU KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH"));
    assert!(card.contains("(XA012)"));
    assert!(
        card.contains("thiếu dữ liệu"),
        "the missing value is on the card"
    );
    // Self-contained: no script, no network.
    assert!(!report.contains("<script"));
    for remote in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!report.contains(remote), "{remote}");
    }
    // A folder holding inputs is refused.
    let mut a = sample_args(&out);
    a.extend(["--scorecards".to_string(), "sample-data/2025".to_string()]);
    let o = run(&args(&a));
    assert_eq!(o.code, 2, "{o:?}");
}

#[test]
fn unit_names_cannot_inject_markup_into_the_report() {
    let tmp = tempfile::tempdir().unwrap();
    let fx = repo().join("tests/fixtures/mini");
    let units = std::fs::read_to_string(fx.join("units.csv"))
        .unwrap()
        .replace("Xã Một", "<script>alert('x')</script> & Co \"><u id=x>")
        // CSV-quoted: the name is `"Xã" onmouseover="alert(1)`.
        .replace("Xã Hai", "\"\"\"Xã\"\" onmouseover=\"\"alert(1)\"");
    std::fs::write(tmp.path().join("units.csv"), units).unwrap();
    let o = score_in(
        tmp.path(),
        &fx.join("criteria.toml").display().to_string(),
        "units.csv",
        &[&fx.join("data.csv").display().to_string()],
    );
    ok(o);
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    assert!(!html.contains("<script") && !html.contains("<u id=x>"));
    assert!(html.contains(
        "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co &quot;&gt;&lt;u id=x&gt;"
    ));
    assert!(!html.contains("\" onmouseover=\""));
    assert!(html.contains("&quot;Xã&quot; onmouseover=&quot;alert(1)"));
}

// ----------------------------------------------------------------------------- print tests

/// Is a printing client installed? Without it the test is skipped with a note, unless
/// `PARINDEX_PRINT_TESTS=require`.
pub(crate) fn have(tool: &str, package: &str) -> bool {
    // Installed = it starts (pdftotext has no --version that exits 0).
    let found = Command::new(tool).arg("-v").output().is_ok();
    if !found {
        assert!(
            std::env::var("PARINDEX_PRINT_TESTS").as_deref() != Ok("require"),
            "{tool} is needed: apt-get install -y {package}"
        );
        eprintln!("skipped: {tool} is not installed (apt-get install -y {package})");
    }
    found
}

/// Unicode ranges of the Vietnamese letters (fontconfig's charset syntax): the precomposed
/// block U+1EA0–1EF9 and the Latin-1 and Latin Extended letters of the alphabet (à, ă, đ, ơ, ư…).
const VIETNAMESE: &str =
    "1ea0-1ef9 c0-c3 c8-ca cc cd d2-d5 d9 da dd e0-e3 e8-ea ec ed f2-f5 f9 fa fd \
                          102 103 110 111 128 129 168 169 1a0 1a1 1af 1b0";

/// Does the font that prints "Times New Roman" here (the documents' font) keep its metrics and
/// have every Vietnamese letter, in all four styles? On Linux it is printed with a metric twin,
/// Liberation Serif or Tinos. Liberation 1.07 (Debian's `fonts-liberation`) lacks most of the
/// letters, and fontconfig fills them from DejaVu with other widths; with no twin installed,
/// fontconfig prints everything in DejaVu Serif, which has the letters but is wider (a fresh
/// machine: the report printed 349 pages instead of 220). Lines wrap otherwise and the page
/// counts these tests check change. So a wrong font fails (or skips) here, naming the package,
/// rather than as a layout assertion.
pub(crate) fn have_vietnamese_fonts() -> bool {
    let out = |args: &[&str]| -> Option<String> {
        let o = Command::new(args[0]).args(&args[1..]).output().ok()?;
        o.status
            .success()
            .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
    };
    let charset = format!(":charset={VIETNAMESE}");
    let lacking: Vec<String> = match out(&["fc-list", &charset, "file"]) {
        None => vec!["fontconfig (fc-list) is not installed".into()],
        Some(covering) => ["Regular", "Bold", "Italic", "Bold Italic"]
            .iter()
            .filter_map(|style| {
                let pattern = format!("Times New Roman:style={style}");
                let file = out(&["fc-match", "-f", "%{file}", &pattern]).unwrap_or_default();
                let family = out(&["fc-match", "-f", "%{family}", &pattern]).unwrap_or_default();
                let twin = ["Times New Roman", "Liberation Serif", "Tinos"]
                    .iter()
                    .any(|t| family.contains(t));
                (file.is_empty() || !twin || !covering.contains(&file))
                    .then(|| format!("{style}: {family} ({file})"))
            })
            .collect(),
    };
    if lacking.is_empty() {
        return true;
    }
    let why = format!(
        "Times New Roman prints here with a font that is not its metric twin or lacks \
         Vietnamese letters ({}); pages would wrap and count differently: \
         apt-get install -y fontconfig fonts-liberation2",
        lacking.join("; ")
    );
    assert!(
        std::env::var("PARINDEX_PRINT_TESTS").as_deref() != Ok("require"),
        "{why}"
    );
    eprintln!("skipped: {why}");
    false
}

/// The text of each page of a PDF.
pub(crate) fn pdf_pages(pdf: &Path) -> Vec<String> {
    let o = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8(o.stdout).unwrap();
    let mut pages: Vec<String> = text.split('\u{c}').map(String::from).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// The smallest font size (pt) of the words on a page, from their boxes: a Times-metric
/// font's box is 1.107 × its size (ascent 0.891 + descent 0.216).
fn smallest_text_pt(pdf: &Path, page: usize) -> f64 {
    let o = Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8(o.stdout).unwrap();
    let attr = |w: &str, name: &str| -> f64 {
        let at = w.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        w[at..].split('"').next().unwrap().parse().unwrap()
    };
    html.split("<word ")
        .skip(1)
        .map(|w| (attr(w, "yMax") - attr(w, "yMin")) / 1.107)
        .fold(f64::INFINITY, f64::min)
}

/// Two words of a printed page whose boxes overlap (each by more than a third of the smaller
/// one): text printed over text, as a wrapped cell in a row too low for it prints.
fn overlapping_words(pdf: &Path, page: usize) -> Option<(String, String)> {
    let words = word_boxes(pdf, page);
    for (i, a) in words.iter().enumerate() {
        for b in &words[i + 1..] {
            let w = a.2.min(b.2) - a.0.max(b.0);
            let h = a.3.min(b.3) - a.1.max(b.1);
            let smaller = ((a.2 - a.0) * (a.3 - a.1)).min((b.2 - b.0) * (b.3 - b.1));
            if w > 0.0 && h > 0.0 && w * h > smaller / 3.0 {
                return Some((a.4.clone(), b.4.clone()));
            }
        }
    }
    None
}

/// The words of one printed page with their boxes (xMin, yMin, xMax, yMax, text), in points.
fn word_boxes(pdf: &Path, page: usize) -> Vec<(f64, f64, f64, f64, String)> {
    let o = Command::new("pdftotext")
        .args(["-bbox", "-f", &page.to_string(), "-l", &page.to_string()])
        .arg(pdf)
        .arg("-")
        .output()
        .unwrap();
    let html = String::from_utf8(o.stdout).unwrap();
    let attr = |w: &str, name: &str| -> f64 {
        let at = w.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        w[at..].split('"').next().unwrap().parse().unwrap()
    };
    let words: Vec<(f64, f64, f64, f64, String)> = html
        .split("<word ")
        .skip(1)
        .map(|w| {
            let text = w
                .split('>')
                .nth(1)
                .unwrap_or("")
                .split('<')
                .next()
                .unwrap_or("");
            let b = (
                attr(w, "xMin"),
                attr(w, "yMin"),
                attr(w, "xMax"),
                attr(w, "yMax"),
            );
            (b.0, b.1, b.2, b.3, text.to_string())
        })
        .collect();
    words
}

/// No number on these pages has a decimal point: the documents' formats "0.00", "0.00%" and
/// "0.0%" all print with the comma in Vietnamese (a criterion id such as "4.2" has one decimal
/// and no percent sign, so it is not taken for a number).
fn assert_decimal_commas(pages: &[String]) {
    let all_digits = |x: &str| !x.is_empty() && x.bytes().all(|c| c.is_ascii_digit());
    for (i, p) in pages.iter().enumerate() {
        for w in p.split_whitespace() {
            let w = w.trim_matches(|c: char| "()[];,:".contains(c));
            let (digits, percent) = match w.strip_suffix('%') {
                Some(d) => (d, true),
                None => (w, false),
            };
            let point_number = digits.split_once('.').is_some_and(|(a, b)| {
                all_digits(a) && all_digits(b) && (b.len() == 2 || (b.len() == 1 && percent))
            });
            assert!(!point_number, "page {}: `{w}` has a decimal point", i + 1);
        }
    }
}

/// No machine identifier on these pages: no snake_case indicator or column code and no award id
/// of the sample's rules (people read the criterion's and the award's names; codes belong in the
/// CSVs and the method).
fn assert_no_codes(pages: &[String]) {
    let rules = std::fs::read_to_string(repo().join("sample-data/khen-thuong-2025.toml")).unwrap();
    let award_ids: Vec<&str> = rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("id = \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    assert!(!award_ids.is_empty());
    for (i, p) in pages.iter().enumerate() {
        for w in p.split_whitespace() {
            let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '_' && c != '-');
            let snake = w.contains('_')
                && w.split('_').all(|part| {
                    !part.is_empty()
                        && part
                            .bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                });
            assert!(!snake, "page {}: the code `{w}` is printed", i + 1);
            assert!(
                !award_ids.contains(&w),
                "page {}: the award id `{w}` is printed",
                i + 1
            );
        }
    }
}

/// Print an HTML document with headless Chromium as a clerk's browser prints it — its own
/// header and footer (date, title, URL) left on, as they are by default — and return its pages'
/// text. The document's margin boxes must keep the browser's out: no page may carry them.
fn print_html(html: &Path, pdf: &Path, home: &Path) -> Vec<String> {
    let print = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu"])
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .env("HOME", home)
        .output()
        .unwrap();
    assert!(pdf.is_file(), "{print:?}");
    let pages = pdf_pages(pdf);
    for (i, p) in pages.iter().enumerate() {
        let stamped =
            p.contains("file://") || p.lines().any(|l| l.contains(" AM") || l.contains(" PM"));
        assert!(
            !stamped,
            "{}: page {} carries the browser's header or footer: {p}",
            html.display(),
            i + 1
        );
    }
    pages
}

/// The sample's run file scored into a scratch folder: (the folder, its `out`).
fn sample_run() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // From a copy in a deeply nested office folder, by its absolute path, as an office runs it
    // from another folder: the documents then name long paths with spaces and hyphens, whose
    // wrapped rows once printed over each other — and did so only on machines whose clone lay
    // in a longer folder than the developer's.
    let office = tmp
        .path()
        .join("Phòng Cải cách hành chính - Sở Nội vụ tỉnh Sông Hồng")
        .join("Hồ sơ đánh giá Chỉ số CCHC năm 2025 - bản trình Hội đồng thẩm định");
    copy_sample(&office);
    ok(run(&[
        "score",
        &office
            .join("sample-data/danh-gia-2025.toml")
            .display()
            .to_string(),
        "--out",
        &out.display().to_string(),
    ]));
    (tmp, out)
}

#[test]
fn the_workbook_prints_on_a_few_pages_with_its_title_block() {
    if !have("soffice", "libreoffice-calc-nogui")
        || !have("pdftotext", "poppler-utils")
        || !have_vietnamese_fonts()
    {
        return;
    }
    let (tmp, out) = sample_run();
    // An English LibreOffice (en-US locale, a fresh profile): the Vietnamese workbook must still
    // print every number with the decimal comma.
    let conv = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&out)
        .arg(out.join("results.xlsx"))
        .env("HOME", tmp.path())
        .env("LC_ALL", "en_US.UTF-8")
        .env("LANG", "en_US.UTF-8")
        .output()
        .unwrap();
    assert!(conv.status.success(), "{conv:?}");
    let pdf = out.join("results.pdf");
    let pages = pdf_pages(&pdf);
    // 569 pages before; now the four rankings, then the sheets of the run file's other parts
    // (comparison with 2024, uncertainty, awards, appraisal, the criteria audit's 5 sets of 54
    // and 63 rows on about 13), a note for the look-up sheet, and the method.
    assert!(pages.len() <= 54, "{} pages", pages.len());
    // A ranking page has the short area headers and the bonus and grade columns ("Điểm" and
    // "thưởng" are on two lines of the header cell, so the words are looked for apart).
    let ranking: Vec<usize> = (0..pages.len())
        .filter(|&i| {
            ["LV1", "thưởng", "Xếp loại"]
                .iter()
                .all(|w| pages[i].contains(w))
        })
        .collect();
    // 20 + 94 + 25 + 1 units on 4 sheets: a few pages each, and at least one each (else the
    // checks below would look at nothing).
    assert!(
        (4..=11).contains(&ranking.len()),
        "{} ranking pages",
        ranking.len()
    );
    let all = pages.join("\n");
    for s in [
        "UBND TỈNH SÔNG HỒNG",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "KẾT QUẢ XÁC ĐỊNH CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2025 – XÃ",
        "Sông Hồng, ngày 15 tháng 01 năm 2026",
        "Xã Mỹ Thủy",
        "Nguyễn Văn An",
        "PHƯƠNG PHÁP TÍNH ĐIỂM",
        &format!("Trang 1/{}", pages.len()),
    ] {
        assert!(all.contains(s), "{s} is not in the printed workbook");
    }
    // Every number people read uses the decimal comma ("95,70%", "12,49"), whatever the
    // reader's locale; the method sheet's versions and criteria ids ("7.4.2") are not numbers.
    let method = (0..pages.len())
        .find(|&i| pages[i].contains("PHƯƠNG PHÁP TÍNH ĐIỂM"))
        .expect("the method sheet");
    assert_decimal_commas(&pages[..method]);
    assert_no_codes(&pages[..method]);
    // A signature never prints alone: the page that carries it carries rows of the ranking it
    // signs (the wards' signature once printed alone on page 7, the communes' with one row).
    for (i, p) in pages.iter().enumerate() {
        if p.contains("Nguyễn Văn An") {
            // The ranks on the page ("3/94"): their count, and the size of the group.
            let ranks: Vec<u32> = p
                .lines()
                .filter(|l| !l.trim_start().starts_with("Trang "))
                .flat_map(str::split_whitespace)
                .filter_map(|w| {
                    let (a, b) = w.split_once('/')?;
                    a.parse::<u32>().ok()?;
                    b.parse::<u32>().ok()
                })
                .collect();
            let whole_group = ranks.first().is_some_and(|&n| ranks.len() == n as usize);
            assert!(
                ranks.len() >= 3 || whole_group,
                "page {}: the signature with {} ranking rows",
                i + 1,
                ranks.len()
            );
        }
    }
    // Every table printed on more than one page repeats its header: a continuation page of a
    // ranking, an award, or the appraisal's tables starts with its header.
    for (i, p) in pages.iter().enumerate() {
        let starts_with_a_unit = p
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .is_some_and(|l| {
                let first = l.split_whitespace().next().unwrap_or("");
                ["XA", "PH", "DK", "S0", "S1", "S2"]
                    .iter()
                    .any(|c| first.starts_with(c) && first[2..].bytes().all(|b| b.is_ascii_digit()))
            });
        assert!(
            !starts_with_a_unit,
            "page {} starts with a row, no header: {p}",
            i + 1
        );
    }
    // Printed text never below 8 pt on the ranking pages.
    for &i in &ranking {
        let pt = smallest_text_pt(&pdf, i + 1);
        assert!(pt >= 8.0, "page {}: text at {pt:.1} pt", i + 1);
    }
    // No text printed over text anywhere (wrapped cells get rows tall enough).
    for i in 0..pages.len() {
        if let Some((a, b)) = overlapping_words(&pdf, i + 1) {
            panic!("page {}: `{a}` printed over `{b}`", i + 1);
        }
    }
}

/// The data-entry template as an office prints it for the units: bands of about ten inputs a
/// page with the unit's code and name repeated, and the instructions whole on their page (it
/// printed on 61 pages, the instructions cut at the page's edge).
#[test]
fn the_template_prints_in_bands_with_its_instructions_whole() {
    if !have("soffice", "libreoffice-calc-nogui")
        || !have("pdftotext", "poppler-utils")
        || !have_vietnamese_fonts()
    {
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let t = tmp.path().join("mau.xlsx");
    ok(run(&[
        "template",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &t.display().to_string(),
    ]));
    let conv = Command::new("soffice")
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(tmp.path())
        .arg(&t)
        .env("HOME", tmp.path())
        .output()
        .unwrap();
    assert!(conv.status.success(), "{conv:?}");
    let pages = pdf_pages(&tmp.path().join("mau.pdf"));
    // 20 departments and 120 communes, about 45 inputs each: 5 bands, 1 and 3 pages tall.
    assert!(pages.len() <= 24, "{} pages", pages.len());
    // Every data page repeats the unit's code and name beside its band of inputs.
    for (i, p) in pages.iter().enumerate() {
        if !p.contains("HƯỚNG DẪN NHẬP LIỆU") {
            assert!(
                p.contains("Mã đơn vị") && p.contains("Tên đơn vị"),
                "page {}: {p}",
                i + 1
            );
        }
    }
    // The instructions on one page, each line whole (the ends of the longest ones).
    let help = pages
        .iter()
        .find(|p| p.contains("HƯỚNG DẪN NHẬP LIỆU"))
        .expect("the instructions");
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    for end in [
        "Có/không chọn trong danh sách.",
        "bị tính 0 điểm và được ghi chú.",
        "không cần khai báo thêm).",
    ] {
        assert!(flat.contains(end), "`{end}` is cut: {help}");
    }
}

#[test]
fn the_report_prints_one_scorecard_per_page() {
    if !have("chromium", "chromium")
        || !have("pdftotext", "poppler-utils")
        || !have_vietnamese_fonts()
    {
        return;
    }
    let (tmp, out) = sample_run();
    let pdf = out.join("report.pdf");
    let pages = print_html(&out.join("report.html"), &pdf, tmp.path());
    // Numbers with the decimal comma on every page, scorecards included (they once repeated the
    // source's "98.72%"); the method section is left out.
    let method = (0..pages.len())
        .find(|&i| pages[i].contains("PHƯƠNG PHÁP TÍNH ĐIỂM"))
        .expect("the method section");
    let first_card = (0..pages.len())
        .find(|&i| pages[i].contains("PHIẾU KẾT QUẢ"))
        .expect("scorecards");
    assert_decimal_commas(&pages[..method]);
    assert_decimal_commas(&pages[first_card..]);
    assert_no_codes(&pages[..method]);
    assert_no_codes(&pages[first_card..]);
    let first = pages
        .iter()
        .position(|p| p.contains("PHIẾU KẾT QUẢ"))
        .expect("scorecards");
    // Page count = summary pages + one page per unit.
    assert_eq!(pages.len(), first + 140, "{} pages", pages.len());
    let units = results(&out);
    for p in &pages[first..] {
        assert_eq!(p.matches("PHIẾU KẾT QUẢ").count(), 1, "{p}");
        let code = p
            .split('(')
            .nth(1)
            .and_then(|s| s.split(')').next())
            .unwrap();
        let unit = &units[code];
        assert!(p.contains(&unit["unit_name"]), "{code}: {p}");
    }
    // No page is empty or holds only a signature block: a signature never leaves the text it
    // signs (the award proposals' signature once printed alone on a page).
    for (i, p) in pages[..first].iter().enumerate() {
        let rest: Vec<&str> = p
            .lines()
            .map(str::trim)
            .filter(|l| {
                !l.is_empty()
                    && !["KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Nguyễn Văn An"].contains(l)
                    && !l.starts_with("Trang ")
            })
            .collect();
        assert!(
            !rest.is_empty(),
            "page {} holds only a signature or nothing: {p}",
            i + 1
        );
    }
    let summary = pages[..first].join("\n");
    for s in [
        "UBND TỈNH SÔNG HỒNG",
        "Tổng hợp",
        "5 đơn vị dẫn đầu",
        "Xã Mỹ Thủy",
        "Chỉ số CCHC theo đơn vị – xã",
        "PHƯƠNG PHÁP TÍNH ĐIỂM",
    ] {
        assert!(summary.contains(s), "{s} is not in the printed report");
    }
}

/// The processes whose parent is `pid` (from /proc).
fn children_of(pid: u32) -> Vec<u32> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    dir.filter_map(|e| {
        let e = e.ok()?;
        let p: u32 = e.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(e.path().join("stat")).ok()?;
        // pid (comm) state ppid …: comm may hold spaces, so read after the last ')'.
        let ppid: u32 = stat
            .rsplit(')')
            .next()?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        (ppid == pid).then_some(p)
    })
    .collect()
}

/// Whether a process is alive (a zombie waiting to be reaped is not).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .ok()
        .and_then(|s| {
            s.rsplit(')')
                .next()?
                .split_whitespace()
                .next()
                .map(str::to_string)
        })
        .is_some_and(|state| state != "Z" && state != "X")
}

/// The sample reads a Parquet table, so `score` runs the work in a supervised child. `kill -9`
/// of `parindex` once the child has started must stop the whole run: the child dies with it and
/// never writes the outputs (it once went on and wrote a complete set seconds after the "killed"
/// run).
#[test]
#[cfg(target_os = "linux")]
fn a_killed_run_stops_writing_and_leaves_no_process() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut parent = Command::new(env!("CARGO_BIN_EXE_parindex"))
        .args(["score", "sample-data/danh-gia-2025.toml", "--out"])
        .arg(&out)
        .current_dir(repo())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let child = loop {
        if let Some(&c) = children_of(parent.id()).first() {
            break c;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "no supervised child appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(1));
    };
    parent.kill().unwrap();
    parent.wait().unwrap();
    // Long enough for the child to score the sample and write everything, were it still alive.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(8);
    while alive(child) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(!alive(child), "the child {child} outlived the killed run");
    std::thread::sleep(std::time::Duration::from_secs(2));
    assert!(
        !out.join("results.csv").exists() && !out.join("results.xlsx").exists(),
        "a killed run wrote its outputs"
    );
}

/// The run file's scorecards (`--scorecards DIR`) with last year, uncertainty and awards: each
/// file is that unit's page and nothing of any other unit (it once carried the comparison with
/// last year of the whole province, on eight pages before the unit's own); printed, exactly one
/// A4 page. The report's summary calls the median index a median index (it was "Hạng trung vị",
/// the uncertainty table's median rank, whose key overwrote it).
#[test]
fn a_scorecard_file_holds_its_unit_only_and_prints_on_one_page() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let cards = tmp.path().join("phieu");
    ok(run(&[
        "score",
        "sample-data/danh-gia-2025.toml",
        "--out",
        &out.display().to_string(),
        "--scorecards",
        &cards.display().to_string(),
    ]));
    let codes: Vec<String> = results(&out).into_keys().collect();
    assert_eq!(codes.len(), 140);
    let mut since = 0;
    let mut sizes: Vec<(usize, String)> = Vec::new();
    for code in &codes {
        let html = std::fs::read_to_string(cards.join(format!("{code}.html"))).unwrap();
        assert_eq!(html.matches("class=\"sheet card\"").count(), 1, "{code}");
        assert!(html.contains(&format!("({code})")), "{code}");
        for other in codes.iter().filter(|c| *c != code) {
            assert!(
                !html.contains(&format!(">{other}<")) && !html.contains(&format!("({other})")),
                "{code}.html shows {other}"
            );
        }
        assert!(
            !html.contains("SO SÁNH VỚI"),
            "{code}.html has the comparison pages"
        );
        since += usize::from(html.contains(" so với năm 2024"));
        sizes.push((html.len(), code.clone()));
    }
    // The change since last year stays on each card that has one.
    assert!(since > 100, "{since} cards say the change since 2024");
    let report = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        report.contains("<th>Chỉ số trung vị</th>") && report.contains("<td>Chỉ số trung vị</td>")
    );
    assert!(!report.contains("<td>Hạng trung vị</td>"));
    // Printed: the longest cards and XA013 are one page each.
    if !have("chromium", "chromium")
        || !have("pdftotext", "poppler-utils")
        || !have_vietnamese_fonts()
    {
        return;
    }
    sizes.sort();
    let mut print: Vec<String> = sizes.iter().rev().take(3).map(|s| s.1.clone()).collect();
    print.push("XA013".into());
    for code in print {
        let pdf = tmp.path().join(format!("{code}.pdf"));
        let pages = print_html(&cards.join(format!("{code}.html")), &pdf, tmp.path());
        assert_eq!(
            pages.len(),
            1,
            "{code}.html prints on {} pages",
            pages.len()
        );
        assert!(pages[0].contains(&format!("({code})")));
        // No text over text: a value in words ("Không áp dụng" on XA013's row 2.3) once ran
        // into the notes column.
        if let Some((a, b)) = overlapping_words(&pdf, 1) {
            panic!("{code}.html: `{a}` printed over `{b}`");
        }
        // Set at a size read without glasses: the card's words are at least 9 pt (a word's box
        // is about 1.1 times its size: 8 pt type measured 8.9, 9 pt 10.0), not the 8 pt of old.
        let mut heights: Vec<f64> = word_boxes(&pdf, 1).iter().map(|w| w.3 - w.1).collect();
        heights.sort_by(f64::total_cmp);
        let median = heights[heights.len() / 2];
        assert!(median >= 9.6, "{code}.html: words {median:.2} pt high");
        // With room to spare: the last line ends above the footer's band.
        let bottom = (word_boxes(&pdf, 1).iter())
            .filter(|w| !w.4.starts_with("Trang") && w.4 != "1/1")
            .map(|w| w.3)
            .fold(0.0, f64::max);
        assert!(
            bottom < 800.0,
            "{code}.html: text down to {bottom:.0} pt of 842"
        );
    }
}

/// Above 500 units (a national run) report.html leaves the scorecards out and says how to get
/// them; `--scorecards DIR` still writes one file per unit. 500 units or fewer keep them.
#[test]
fn a_national_run_keeps_its_scorecards_out_of_the_report() {
    let fx = repo().join("tests/fixtures/mini");
    for (n, in_report) in [(500usize, true), (501, false)] {
        let tmp = tempfile::tempdir().unwrap();
        let mut units = String::from("unit_code,unit_name,unit_type,bloc\n");
        let mut data = String::from(
            "unit_code,on_time,plan,complaints,sat,initiatives,incident,head_disciplined\n",
        );
        for i in 0..n {
            units += &format!("U{i:04},Xã {i},xã,Cụm {}\n", i % 7);
            data += &format!(
                "U{i:04},{},có,{},{},0,0,0\n",
                80 + i % 21,
                i % 3,
                60 + i % 40
            );
        }
        std::fs::write(tmp.path().join("units.csv"), units).unwrap();
        std::fs::write(tmp.path().join("data.csv"), data).unwrap();
        let o = ok(run_in(
            tmp.path(),
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
                "--out",
                "out",
                "--scorecards",
                "cards",
            ],
        ));
        let report = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
        let cards = report.matches("class=\"sheet card\"").count();
        assert_eq!(
            std::fs::read_dir(tmp.path().join("cards")).unwrap().count(),
            n
        );
        // The workbook's look-up sheet likewise: criterion-scores.csv holds it, the method says.
        let sheets = open_workbook_auto(tmp.path().join("out/results.xlsx"))
            .unwrap()
            .sheet_names();
        assert_eq!(
            sheets.iter().any(|s| s == "Criterion scores"),
            in_report,
            "{sheets:?}"
        );
        let method = sheet_cells(&tmp.path().join("out/results.xlsx"), "Method").join("\n");
        assert_eq!(
            method.contains("above 500 units this workbook leaves out the look-up sheet"),
            !in_report
        );
        if in_report {
            assert_eq!(cards, n, "{o:?}");
            assert!(!report.contains("does not carry the scorecards"));
        } else {
            assert_eq!(cards, 0, "{o:?}");
            assert!(
                report.contains(
                    "This report does not carry the scorecards of its 501 units: above 500 units"
                ) && report.contains("--scorecards DIR"),
                "{o:?}"
            );
        }
    }
}

/// A file that is not there is said so in the run's language (it was the system's English "No such
/// file or directory (os error 2)"), for the run file, a criteria file and dossier records.
#[test]
fn a_missing_file_is_said_in_vietnamese() {
    let tmp = tempfile::tempdir().unwrap();
    for (args, code, said) in [
        (
            vec!["score", "khong-co.toml"],
            2,
            "không đọc được tệp lần chạy khong-co.toml: không có tệp hoặc thư mục này",
        ),
        (
            vec!["check", "khong-co.toml"],
            2,
            "không đọc được tệp tiêu chí khong-co.toml: không có tệp hoặc thư mục này",
        ),
        (
            vec![
                "derive",
                "khong-co.csv",
                "--period",
                "2025",
                "--out",
                "x.csv",
            ],
            1,
            "không đọc được khong-co.csv: không có tệp hoặc thư mục này",
        ),
        (
            vec!["score", "--lang", "en", "khong-co.toml"],
            2,
            "cannot read the run file khong-co.toml: no such file or folder",
        ),
    ] {
        let o = run_in(tmp.path(), &args);
        assert_eq!(o.code, code, "{o:?}");
        assert!(
            o.stderr.contains(said) && !o.stderr.contains("os error"),
            "{o:?}"
        );
    }
}
