//! `criteria import`: an annex as a CSV of any bytes must give a tree or data issues, and any
//! guidance text a rule or `appraised` — never a panic; what import writes must parse.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = parindex::input::annex::recognise(text, 2.0);
    }
    let dir = std::env::temp_dir().join(format!("parindex-fuzz-annex-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("annex.csv");
    if std::fs::write(&path, data).is_ok() {
        if let Ok(a) = parindex::input::annex::read(&path) {
            let meta = parindex::report::criteria_toml::Meta {
                name: "fuzz".into(),
                year: 2026,
                unit_types: &["xã".to_string()],
            };
            let text = parindex::report::criteria_toml::write(&a, &meta);
            let _ = parindex::criteria::parse("fuzz.toml", &text, String::new());
        }
    }
});
