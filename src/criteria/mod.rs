//! Criteria files: load a TOML file into the validated model ([`load`]), and describe a model
//! for people ([`describe`]). Submodules: `raw` (serde schema with spans), `validate` (the
//! format's rules), `model` (the validated types), `diagnostic` (file:line:col rendering).

pub mod describe;
pub mod diagnostic;
pub mod model;
pub mod raw;
pub mod validate;

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
pub use model::Criteria;

/// Read, parse and validate a criteria file. TOML errors and every validation problem come
/// back as `Error::Criteria` with rendered diagnostics.
pub fn load(path: &Path) -> Result<Criteria> {
    // A criteria file that cannot be read is a usage problem (exit 2), like a bad one.
    let bytes = std::fs::read(path).map_err(|e| {
        Error::Usage(crate::tr!(
            "không đọc được tệp tiêu chí {}: {e}",
            "cannot read the criteria file {}: {e}",
            path.display()
        ))
    })?;
    let name = path.display().to_string();
    let text = String::from_utf8(bytes.clone()).map_err(|e| {
        Error::Usage(crate::tr!(
            "{name}: tệp tiêu chí không phải UTF-8 (byte {}); hãy lưu lại dạng UTF-8",
            "{name}: the criteria file is not UTF-8 (byte {}); save it as UTF-8",
            e.utf8_error().valid_up_to()
        ))
    })?;
    parse(&name, &text, sha256_hex(&bytes))
}

/// Parse criteria text; `name` is what diagnostics call the file.
pub fn parse(name: &str, text: &str, sha256: String) -> Result<Criteria> {
    let src = diagnostic::Source { name, text };
    let raw: raw::RawCriteria = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let msg = e.message().trim().to_string();
        let hint = if msg.contains("unknown field") {
            crate::tr!(
                "kiểm tra chính tả; docs/criteria-format.md liệt kê mọi khóa",
                "check the spelling; docs/criteria-format.md lists every key"
            )
        } else {
            crate::tr!(
                "xem định dạng trong docs/criteria-format.md",
                "see docs/criteria-format.md for the format"
            )
        };
        Error::Criteria(vec![src.diag(span, msg).hint(hint)])
    })?;
    validate::validate(raw, &src, sha256).map_err(Error::Criteria)
}

/// SHA-256 of a file's bytes in lower-case hex, as printed on the method sheet.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
