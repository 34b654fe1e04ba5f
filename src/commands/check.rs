//! `parindex check`: validate criteria files and print each tree with maxima and rules.

use std::path::PathBuf;

use crate::criteria::describe;
use crate::error::Result;
use crate::i18n::Lang;

pub fn run(paths: &[PathBuf], lang: Lang) -> Result<String> {
    let all = super::load_criteria(paths)?;
    let mut out = String::new();
    for c in &all {
        out.push_str(&format!("{} — {}\n", c.path, lang.pick("hợp lệ", "valid")));
        out.push_str(&describe::tree(c, lang));
        for m in describe::method(c, lang) {
            out.push_str(&format!("  {m}\n"));
        }
        out.push('\n');
    }
    Ok(out)
}
