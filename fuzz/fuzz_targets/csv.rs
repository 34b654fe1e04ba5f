//! The CSV reader (encoding, separator, header, footers, locale): any bytes, no panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use parindex::ingest::{self, LocaleChoice};

fuzz_target!(|data: &[u8]| {
    if let Ok(grid) = ingest::csv::read_bytes(data, "fuzz.csv") {
        let r = ingest::table_from_grid(
            grid,
            "fuzz.csv".into(),
            LocaleChoice::Auto,
            &parindex::units::is_code_header,
        );
        if let Err(e) = r {
            let _ = e.to_string();
        }
    }
});
