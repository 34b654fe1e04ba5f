//! The run-file parser: any text must give a run or located diagnostics, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parindex::runfile::looks_like_run_file(text);
        if let Err(e) = parindex::runfile::parse(std::path::Path::new("fuzz/run.toml"), text) {
            let _ = e.to_string();
        }
    }
});
