//! derive's own CSV reader: any bytes after a valid header, cut into blocks of any size and read
//! by two threads, give counts or located errors, never a panic (a worker's panic would surface
//! as a "damaged file" error, so the target also fails on that message).
#![no_main]
use libfuzzer_sys::fuzz_target;
use parindex::calendar as dates;
use parindex::derive::{self, Mapping, Options};

fuzz_target!(|data: &[u8]| {
    let Some((&size, body)) = data.split_first() else {
        return;
    };
    let dir = tempfile::tempdir().expect("a scratch folder");
    let path = dir.path().join("ho-so.csv");
    let mut bytes = derive::mapping::COLUMNS.join(",").into_bytes();
    bytes.push(b'\n');
    bytes.extend_from_slice(body);
    std::fs::write(&path, &bytes).expect("written");
    let o = Options {
        files: vec![path],
        from: dates::days_from_civil(2025, 1, 1),
        to: dates::days_from_civil(2025, 12, 31),
        as_of: dates::days_from_civil(2025, 12, 31),
        mapping: Mapping::default(),
        engine: polars::prelude::Engine::Streaming,
        hash_mask: if size & 1 == 0 { u64::MAX } else { 0b111 },
        native: true,
        threads: 2,
        block_bytes: 1 + usize::from(size),
    };
    if let Err(e) = derive::run(&o, &mut |_| {}) {
        let msg = e.to_string();
        assert!(
            !msg.contains("damaged file") && !msg.contains("tệp bị hỏng"),
            "a worker died: {msg}"
        );
    }
});
