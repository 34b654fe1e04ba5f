//! The award rules parser and validator, against the shipped criteria: any text must give rules
//! or located diagnostics, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static CRITERIA: OnceLock<Vec<parindex::criteria::Criteria>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let criteria = CRITERIA.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        ["criteria/so-2025.toml", "criteria/xa-2025.toml"]
            .iter()
            .map(|f| parindex::criteria::load(&root.join(f)).expect("shipped criteria"))
            .collect()
    });
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parindex::awards::looks_like_rules(text);
        if let Err(e) = parindex::awards::parse("fuzz/rules.toml", text, criteria) {
            let _ = e.to_string();
        }
    }
});
