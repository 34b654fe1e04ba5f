//! The workbook reader (zip part guards, styles, merged cells, sparse cells): any bytes, no
//! panic and no runaway allocation (run with -rss_limit_mb=2048).
#![no_main]
use libfuzzer_sys::fuzz_target;
use parindex::ingest::{self, LocaleChoice};

fuzz_target!(|data: &[u8]| {
    // calamine reads from a path-backed file in the product: the same here, in memory-backed /dev/shm.
    let path = std::env::temp_dir().join(format!("parindex-fuzz-{}.xlsx", std::process::id()));
    if std::fs::write(&path, data).is_ok() {
        let _ = ingest::read_table(&path, LocaleChoice::Auto, &parindex::units::is_code_header)
            .map_err(|e| e.to_string());
    }
});
