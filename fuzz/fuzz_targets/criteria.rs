//! The criteria parser and validator: any text must give a model or diagnostics, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Err(e) = parindex::criteria::parse("fuzz.toml", text, String::new()) {
            let _ = e.to_string();
        }
    }
});
