//! The Parquet reader through polars: panics inside polars must come back as errors. Allocation
//! failures polars cannot avoid on damaged pages are contained in the product by running such
//! reads in a supervised child process (src/guard.rs); libFuzzer reports them as OOM.
#![no_main]
use libfuzzer_sys::fuzz_target;
use parindex::ingest::{self, LocaleChoice};

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("parindex-fuzz-{}.parquet", std::process::id()));
    if std::fs::write(&path, data).is_ok() {
        let _ = ingest::read_table(&path, LocaleChoice::Auto, &parindex::units::is_code_header)
            .map_err(|e| e.to_string());
    }
});
