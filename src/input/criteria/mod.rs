//! Criteria files: load a TOML file into the validated model ([`load`]); the report says a
//! model in words (`report::words::criteria`). Submodules: `raw` (serde schema with spans), `validate` (the
//! format's rules), `model` (the validated types), `diagnostic` (file:line:col rendering).

pub mod diagnostic;
pub mod keys;
pub mod messages;
pub mod model;
pub mod raw;
pub mod validate;
pub mod words;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::support::error::{Error, Result};
pub use model::Criteria;

/// Read, parse and validate a criteria file. TOML errors and every validation problem come
/// back as `Error::Config` with rendered diagnostics.
pub fn load(path: &Path) -> Result<Criteria> {
    let (bytes, text) = read_config(path, messages::ConfigKind::Criteria)?;
    parse(&path.display().to_string(), &text, sha256_hex(&bytes))
}

/// A configuration file's bytes (for its SHA-256) and text. One that cannot be read, or is not
/// UTF-8, is a usage problem (exit 2) said the same way for every kind — the latter located at the
/// line and column (in characters) of its first byte that is not UTF-8.
pub fn read_config(path: &Path, kind: messages::ConfigKind) -> Result<(Vec<u8>, String)> {
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Usage(messages::cannot_read_config(
            kind,
            crate::support::error::io_words(&e),
            path.display(),
        ))
    })?;
    match std::str::from_utf8(&bytes) {
        Ok(text) => {
            let text = text.to_string();
            Ok((bytes, text))
        }
        Err(e) => {
            let at = e.valid_up_to();
            let line_start = bytes[..at]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |p| p + 1);
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            let column = String::from_utf8_lossy(&bytes[line_start..at])
                .chars()
                .count()
                + 1;
            Err(Error::Usage(messages::config_not_utf8(
                kind,
                format!("{}:{line}:{column}", path.display()),
                at,
            )))
        }
    }
}

/// Parse criteria text; `name` is what diagnostics call the file.
pub fn parse(name: &str, text: &str, sha256: String) -> Result<Criteria> {
    let src = diagnostic::Source { name, text };
    let unknown = keys::unknown(&src, raw::KEYS);
    if !unknown.is_empty() {
        return Err(Error::Config(unknown));
    }
    let raw: raw::RawCriteria = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let msg = e.message().trim().to_string();
        let hint = if msg.contains("unknown field") {
            messages::check_key_spelling()
        } else {
            messages::see_format_docs()
        };
        Error::Config(vec![src.diag(span, messages::toml_error(&msg)).hint(hint)])
    })?;
    let non_finite = non_finite_numbers(&src);
    if !non_finite.is_empty() {
        return Err(Error::Config(non_finite));
    }
    validate::validate(raw, &src, sha256).map_err(Error::Config)
}

/// `nan`, `inf` and floats too large for a number (`1e400`) wherever they are written: the
/// typed schema would take them as numbers and every comparison with them is false.
fn non_finite_numbers(src: &diagnostic::Source) -> Vec<diagnostic::Diagnostic> {
    use toml::de::{DeTable, DeValue};
    fn walk(
        v: &toml::Spanned<DeValue>,
        src: &diagnostic::Source,
        out: &mut Vec<diagnostic::Diagnostic>,
    ) {
        match v.get_ref() {
            DeValue::Float(f) => {
                let x: f64 = f.as_str().replace('_', "").parse().unwrap_or(f64::NAN);
                if !x.is_finite() {
                    out.push(
                        src.diag(v.span(), messages::not_finite_number(f.as_str()))
                            .hint(messages::numbers_must_be_real()),
                    );
                }
            }
            DeValue::Array(a) => a.iter().for_each(|x| walk(x, src, out)),
            DeValue::Table(t) => t.values().for_each(|x| walk(x, src, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Ok(t) = DeTable::parse(src.text) {
        t.get_ref().values().for_each(|v| walk(v, src, &mut out));
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}

/// SHA-256 of a file's bytes in lower-case hex, as printed on the method sheet.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
