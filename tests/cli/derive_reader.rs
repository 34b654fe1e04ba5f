//! `derive`'s own CSV reader gives exactly what the polars path gives (the reference
//! definitions), on generated messy exports: duplicates, unreadable and Vietnamese dates, quoted
//! fields with separators, doubled quotes and line breaks, CRLF, a BOM, empty units,
//! unknown words — with one thread or several, blocks of a few bytes (so records straddle block
//! ends), and an id hash narrowed until almost every id collides.

use parindex::derive::{self, dates, Derived, Mapping, Options};
use proptest::prelude::*;

fn opts(
    files: Vec<std::path::PathBuf>,
    native: bool,
    threads: usize,
    block: usize,
    mask: u64,
) -> Options {
    Options {
        files,
        from: dates::days_from_civil(2025, 1, 1),
        to: dates::days_from_civil(2025, 12, 31),
        as_of: dates::days_from_civil(2025, 12, 31),
        mapping: Mapping::default(),
        engine: polars::prelude::Engine::Streaming,
        hash_mask: mask,
        native_csv: native,
        threads,
        block_bytes: block,
    }
}

type Seen = (
    Vec<(String, derive::Counts)>,
    u64,
    u64,
    [u64; 7],
    Vec<Option<(String, u64, String)>>,
);

fn seen(d: Derived) -> Seen {
    (
        d.units,
        d.rows_read,
        d.in_period,
        d.bad,
        d.first_bad
            .iter()
            .map(|e| {
                e.as_ref()
                    .map(|e| (e.file.clone(), e.row, e.dossier_id.clone()))
            })
            .collect(),
    )
}

fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(options).prop_map(str::to_string)
}

/// One record's ten fields, in the header's order.
fn record() -> impl Strategy<Value = Vec<String>> {
    let dates = &[
        "2025-01-05",
        "5/1/2025",
        "15/03/2025",
        "2025-03-01 08:00",
        "2025-02-30",
        "",
        "2024-12-30",
        "2026-01-02",
        "31/12/2025",
        "hôm qua",
    ];
    (
        (0u32..25, 0u32..10),
        pick(&["X01", " X02 ", "X03", "", "\"X04\"", "Ô5"]),
        pick(&["P1", "\"P;2, \"\"mới\"\"\"", "\"dòng\nhai\"", ""]),
        pick(&["online", "trực tuyến", "Trực tiếp", "postal", "fax", ""]),
        pick(&["full", "một phần", "", "zz", "Mức độ 4"]),
        (pick(dates), pick(dates), pick(dates)),
        pick(&["1", "0", "", "có", "x", "?"]),
        pick(&["1", "0", "", "không", "?"]),
    )
        .prop_map(
            |((id, style), unit, proc_, ch, kind, (r, d, f), paid, dig)| {
                let id = match style {
                    0 => String::new(),
                    1 => format!("\"HS,{id}\""),
                    2 => format!("\"HS\"\"{id}\""),
                    _ => format!("HS{id}"),
                };
                vec![id, unit, proc_, ch, kind, r, d, f, paid, dig]
            },
        )
}

/// A whole file: separator, line ending, BOM, records. (polars reads a blank line as a record
/// of empty cells, which parindex's reader does not: blank lines have their own test.)
fn file() -> impl Strategy<Value = Vec<u8>> {
    (
        prop::bool::ANY,
        prop::bool::ANY,
        prop::bool::ANY,
        prop::collection::vec(record(), 1..60),
    )
        .prop_map(|(semicolon, crlf, bom, rows)| {
            let sep = if semicolon { ";" } else { "," };
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut s = String::new();
            if bom {
                s.push('\u{feff}');
            }
            s.push_str(&derive::mapping::COLUMNS.join(sep));
            s.push_str(eol);
            for r in rows {
                let fields: Vec<String> = r
                    .into_iter()
                    .map(|f| {
                        // A separator inside an unquoted field would change the record.
                        if !f.starts_with('"') && f.contains(sep) {
                            format!("\"{f}\"")
                        } else {
                            f
                        }
                    })
                    .collect();
                s.push_str(&fields.join(sep));
                s.push_str(eol);
            }
            s.into_bytes()
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn the_own_reader_agrees_with_polars(a in file(), b in file(), block in 1usize..300) {
        let tmp = tempfile::tempdir().unwrap();
        let (fa, fb) = (tmp.path().join("a.csv"), tmp.path().join("b.csv"));
        std::fs::write(&fa, &a).unwrap();
        std::fs::write(&fb, &b).unwrap();
        let files = vec![fa, fb];
        let reference = derive::run(&opts(files.clone(), false, 1, 0, u64::MAX), &mut |_| {});
        let ours = derive::run(&opts(files.clone(), true, 1, 0, u64::MAX), &mut |_| {});
        match (reference, ours) {
            (Ok(r), Ok(o)) => {
                let r = seen(r);
                prop_assert_eq!(&r, &seen(o), "a.csv:\n{}\nb.csv:\n{}", String::from_utf8_lossy(&a), String::from_utf8_lossy(&b));
                let split = derive::run(&opts(files.clone(), true, 3, block, u64::MAX), &mut |_| {}).unwrap();
                prop_assert_eq!(&r, &seen(split));
                let narrow = derive::run(&opts(files, true, 2, block, 0b11), &mut |_| {}).unwrap();
                prop_assert_eq!(&r, &seen(narrow));
            }
            (r, o) => prop_assert!(false, "polars: {:?}\nours: {:?}", r.map(seen), o.map(seen)),
        }
    }
}

/// The sample's export (Vietnamese headers and words, through its mapping) and ten copies of it
/// (every record a duplicate) give the same through both readers.
#[test]
fn the_sample_export_gives_the_same_through_both_readers() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mapping = Mapping::load(&root.join("sample-data/ban-do-ho-so.toml")).unwrap();
    let sample = root.join("sample-data/2025/ho-so-2025.csv");
    let text = std::fs::read_to_string(&sample).unwrap();
    let (header, rows) = text.split_once('\n').unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let copies = tmp.path().join("copies.csv");
    std::fs::write(&copies, format!("{header}\n{}", rows.repeat(10))).unwrap();
    for files in [
        vec![sample.clone()],
        vec![copies.clone()],
        vec![sample, copies],
    ] {
        let with = |native, threads, block| {
            let mut o = opts(files.clone(), native, threads, block, u64::MAX);
            o.mapping = mapping.clone();
            seen(derive::run(&o, &mut |_| {}).unwrap())
        };
        let reference = with(false, 1, 0);
        assert!(reference.1 > 4000, "{reference:?}");
        assert_eq!(reference, with(true, 1, 0));
        assert_eq!(reference, with(true, 2, 4096));
    }
}

/// A blank line is no record (polars' reader made it one of empty cells, a "bad" record), but it
/// keeps its row number: the first bad record is named at the row a spreadsheet shows.
#[test]
fn blank_lines_are_no_records_but_keep_their_row_numbers() {
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("h.csv");
    let header = derive::mapping::COLUMNS.join(",");
    std::fs::write(
        &f,
        format!(
            "{header}\r\nH1,X01,P1,online,full,2025-01-05,2025-01-09,2025-01-06,1,1\r\n\r\n\nH2,X01,P1,online,full,2025-01-05,hôm qua,,1,1\r\n"
        ),
    )
    .unwrap();
    let d = derive::run(&opts(vec![f], true, 1, 0, u64::MAX), &mut |_| {}).unwrap();
    assert_eq!((d.rows_read, d.in_period, d.bad[1]), (2, 2, 1));
    assert_eq!(d.first_bad[1].as_ref().unwrap().row, 5);
    assert_eq!(d.units[0].1.received, 1);
}
