//! `derive`'s own CSV reader gives exactly what the polars path gives (the reference
//! definitions; those tests need the `reference-engine` feature, which `.ci/run` turns on), on generated messy exports: duplicates, unreadable and Vietnamese dates, quoted
//! fields with separators, doubled quotes and line breaks, CRLF, a BOM, empty units,
//! unknown words — with one thread or several, blocks of a few bytes (so records straddle block
//! ends), and an id hash narrowed until almost every id collides.

use parindex::calendar as dates;
use parindex::derive::{self, Mapping, Options};
#[cfg(feature = "reference-engine")]
use {parindex::derive::Derived, proptest::prelude::*};

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
        reader: if native {
            derive::Reader::Own
        } else {
            derive::Reader::Streaming
        },
        hash_mask: mask,
        threads,
        block_bytes: block,
    }
}

#[cfg(feature = "reference-engine")]
type Seen = (
    Vec<(String, derive::Counts)>,
    u64,
    u64,
    [u64; 7],
    Vec<Option<(String, u64, String)>>,
);

#[cfg(feature = "reference-engine")]
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

#[cfg(feature = "reference-engine")]
fn pick(options: &'static [&'static str]) -> impl Strategy<Value = String> {
    proptest::sample::select(options).prop_map(str::to_string)
}

#[cfg(feature = "reference-engine")]
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
#[cfg(feature = "reference-engine")]
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

#[cfg(feature = "reference-engine")]
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
                let narrow = derive::run(&opts(files.clone(), true, 2, block, 0b11), &mut |_| {}).unwrap();
                prop_assert_eq!(&r, &seen(narrow));
                // The same records as Parquet (text columns, row groups of 7 records): both
                // readers agree there too (rows are record numbers there, so compared apart).
                let pq = as_parquet(&files, tmp.path());
                let r = derive::run(&opts(pq.clone(), false, 1, 0, u64::MAX), &mut |_| {}).unwrap();
                let ours = derive::run(&opts(pq.clone(), true, 2, 0, u64::MAX), &mut |_| {}).unwrap();
                prop_assert_eq!(seen(r), seen(ours));

            }
            (r, o) => prop_assert!(false, "polars: {:?}\nours: {:?}", r.map(seen), o.map(seen)),
        }
    }
}

/// The sample's export (Vietnamese headers and words, through its mapping) and ten copies of it
/// (every record a duplicate) give the same through both readers.
#[test]
#[cfg(feature = "reference-engine")]
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

/// CSV files written again as Parquet with all-text columns and row groups of 7 records.
#[cfg(feature = "reference-engine")]
fn as_parquet(files: &[std::path::PathBuf], dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    use polars::prelude::*;
    files
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let mut df = CsvReadOptions::default()
                .with_infer_schema_length(Some(0))
                .map_parse_options(|p| p.with_separator(sniff(f)))
                .try_into_reader_with_file_path(Some(f.clone()))
                .unwrap()
                .finish()
                .unwrap();
            let out = dir.join(format!("{i}.parquet"));
            ParquetWriter::new(std::fs::File::create(&out).unwrap())
                .with_row_group_size(Some(7))
                .finish(&mut df)
                .unwrap();
            out
        })
        .collect()
}

#[cfg(feature = "reference-engine")]
fn sniff(f: &std::path::Path) -> u8 {
    let text = std::fs::read(f).unwrap();
    let first = text.split(|&b| b == b'\n').next().unwrap().to_vec();
    if first.contains(&b';') {
        b';'
    } else {
        b','
    }
}

/// Typed Parquet columns (dates as dates, a flag as numbers, another as booleans, nulls),
/// several row groups: both readers agree, and the rows named are record numbers.
#[test]
#[cfg(feature = "reference-engine")]
fn typed_parquet_columns_read_the_same_through_both_readers() {
    use polars::prelude::*;
    let day = |y, m, d| Some(dates::days_from_civil(y, m, d));
    let n = 40;
    let ids: Vec<Option<String>> = (0..n)
        .map(|i| match i % 13 {
            0 => None,
            5 => Some("HS-5".to_string()),
            _ => Some(format!("HS-{i}")),
        })
        .collect();
    let units: Vec<&str> = (0..n).map(|i| ["X01", " X02", "", "X03"][i % 4]).collect();
    let recv: Vec<Option<i32>> = (0..n)
        .map(|i| {
            if i % 11 == 3 {
                None
            } else {
                day(2025, 1 + (i % 12) as u32, 1 + (i % 27) as u32)
            }
        })
        .collect();
    let due: Vec<Option<i32>> = recv.iter().map(|r| r.map(|r| r + 7)).collect();
    let fin: Vec<Option<i32>> = recv
        .iter()
        .enumerate()
        .map(|(i, r)| {
            if i % 5 == 0 {
                None
            } else {
                r.map(|r| r + (i % 12) as i32 - 2)
            }
        })
        .collect();
    let channel: Vec<&str> = (0..n)
        .map(|i| ["online", "trực tiếp", "postal", "fax"][i % 4])
        .collect();
    let kind: Vec<Option<&str>> = (0..n)
        .map(|i| [Some("full"), None, Some("một phần")][i % 3])
        .collect();
    let paid: Vec<Option<i64>> = (0..n).map(|i| [Some(1), Some(0), None][i % 3]).collect();
    let dig: Vec<Option<bool>> = (0..n)
        .map(|i| [Some(true), Some(false), None, Some(true)][i % 4])
        .collect();
    let date = |name: &str, v: &[Option<i32>]| {
        Series::new(name.into(), v)
            .cast(&DataType::Date)
            .unwrap()
            .into_column()
    };
    let mut df = DataFrame::new(
        n,
        vec![
            Series::new("dossier_id".into(), &ids).into_column(),
            Series::new("unit_code".into(), &units).into_column(),
            Series::new("procedure_code".into(), vec!["P1"; n]).into_column(),
            Series::new("channel".into(), &channel).into_column(),
            Series::new("online_kind".into(), &kind).into_column(),
            date("received_at", &recv),
            date("due_at", &due),
            date("finished_at", &fin),
            Series::new("paid_online".into(), &paid).into_column(),
            Series::new("digitised".into(), &dig).into_column(),
        ],
    )
    .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let f = tmp.path().join("typed.parquet");
    ParquetWriter::new(std::fs::File::create(&f).unwrap())
        .with_row_group_size(Some(9))
        .finish(&mut df)
        .unwrap();
    let reference =
        seen(derive::run(&opts(vec![f.clone()], false, 1, 0, u64::MAX), &mut |_| {}).unwrap());
    assert!(reference.0.len() >= 2, "{reference:?}");
    assert!(
        reference.3.iter().filter(|&&b| b > 0).count() >= 3,
        "{reference:?}"
    );
    for threads in [1, 3] {
        let ours = derive::run(
            &opts(vec![f.clone()], true, threads, 0, u64::MAX),
            &mut |_| {},
        )
        .unwrap();
        assert_eq!(reference, seen(ours));
    }
    let narrow = derive::run(&opts(vec![f], true, 2, 0, 0b1), &mut |_| {}).unwrap();
    assert_eq!(reference, seen(narrow));
}

/// With the id hash narrowed to 2 bits, almost every id collides with another; the duplicate
/// check must still exclude only the ids that really occur twice.
#[test]
fn hash_collisions_never_exclude_a_unique_record() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/derive/ho-so.csv"
    );
    let opts = |mask| opts(vec![fixture.into()], true, 2, 0, mask);
    let exact = derive::run(&opts(u64::MAX), &mut |_| {}).unwrap();
    let narrow = derive::run(&opts(0b11), &mut |_| {}).unwrap();
    assert_eq!(exact.units, narrow.units);
    assert_eq!(exact.bad, narrow.bad);
    assert_eq!(
        (exact.rows_read, exact.in_period),
        (narrow.rows_read, narrow.in_period)
    );
    assert_eq!(exact.bad[0], 2);
    let firsts = |d: &derive::Derived| {
        d.first_bad
            .iter()
            .map(|e| e.as_ref().map(|e| (e.row, e.dossier_id.clone())))
            .collect::<Vec<_>>()
    };
    assert_eq!(firsts(&exact), firsts(&narrow));
}
