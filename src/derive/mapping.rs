//! The mapping file for vendor exports: which export column holds each canonical column, and
//! which export words mean `online`, `full`, `1`… (TOML; see docs/derive.md). Validated with the
//! same file:line:column diagnostics as criteria files.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::input::criteria::diagnostic::Source;
use crate::support::error::{Error, Result};

/// The canonical columns of a dossier record, in output-independent order.
pub const COLUMNS: [&str; 10] = [
    "dossier_id",
    "unit_code",
    "procedure_code",
    "channel",
    "online_kind",
    "received_at",
    "due_at",
    "finished_at",
    "paid_online",
    "digitised",
];

/// Columns whose values a mapping file may translate.
pub const VALUE_COLUMNS: [&str; 4] = ["channel", "online_kind", "paid_online", "digitised"];

/// The keys a derive mapping may hold: `[columns]` and `[values.<column>]` hold the user's words.
const KEYS: crate::input::criteria::keys::Schema = &[("", &["columns", "values"])];

#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Raw {
    #[serde(default)]
    columns: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    values: BTreeMap<String, Spanned<BTreeMap<String, Spanned<String>>>>,
}

#[derive(Debug, Clone, Default)]
pub struct Mapping {
    /// Canonical column → export header.
    pub columns: BTreeMap<String, String>,
    /// Canonical column → (export word, canonical word).
    pub values: BTreeMap<String, Vec<(String, String)>>,
    /// Canonical column → where the mapping file names its header (`file:line:column`).
    pub located: BTreeMap<String, String>,
}

impl Mapping {
    pub fn load(path: &Path) -> Result<Mapping> {
        let (_, text) = crate::input::criteria::read_config(
            path,
            crate::input::criteria::messages::ConfigKind::DeriveMapping,
        )?;
        Mapping::parse(&path.display().to_string(), &text)
    }

    pub fn parse(name: &str, text: &str) -> Result<Mapping> {
        let src = Source { name, text };
        let unknown = crate::input::criteria::keys::unknown(&src, KEYS);
        if !unknown.is_empty() {
            return Err(Error::Config(unknown));
        }
        let raw: Raw = toml::from_str(text).map_err(|e| {
            Error::Config(vec![src
                .diag(
                    e.span().unwrap_or(0..0),
                    crate::input::criteria::messages::toml_error(e.message()),
                )
                .hint(crate::tr!(
                    "tệp ánh xạ có [columns] (cột_chuẩn = \"tên cột trong tệp xuất\") và [values.<cột>] (\"từ trong tệp xuất\" = \"từ chuẩn\")",
                    "a mapping file has [columns] (canonical = \"export header\") and [values.<column>] (\"export word\" = \"canonical word\")"
                ))])
        })?;
        let mut diags = Vec::new();
        let mut m = Mapping::default();
        for (canon, header) in raw.columns {
            if !COLUMNS.contains(&canon.as_str()) {
                diags.push(
                    src.diag(
                        header.span(),
                        crate::tr!(
                            "`{canon}` không phải tên cột chuẩn",
                            "`{canon}` is not a canonical column"
                        ),
                    )
                    .hint(crate::tr!(
                        "các cột chuẩn: {}",
                        "canonical columns: {}",
                        COLUMNS.join(", ")
                    )),
                );
            }
            let d = src.diag(header.span(), "");
            m.located
                .insert(canon.clone(), format!("{}:{}:{}", d.file, d.line, d.column));
            m.columns.insert(canon, header.into_inner());
        }
        for (canon, words) in raw.values {
            if !VALUE_COLUMNS.contains(&canon.as_str()) {
                diags.push(
                    src.diag(
                        words.span(),
                        crate::tr!(
                            "không ánh xạ được giá trị của `{canon}`",
                            "values of `{canon}` cannot be mapped"
                        ),
                    )
                    .hint(crate::tr!(
                        "chỉ ánh xạ giá trị của: {}",
                        "map values of: {}",
                        VALUE_COLUMNS.join(", ")
                    )),
                );
                continue;
            }
            // Every word maps to a word the column knows, checked here where its line is known.
            let known = super::vocab::Vocab::of_column(&canon);
            let mut list = Vec::new();
            for (w, c) in words.into_inner() {
                if let Some((vocab, canonical)) = &known {
                    if !vocab.knows(c.get_ref()) {
                        diags.push(
                            src.diag(
                                c.span(),
                                crate::tr!(
                                    "`{}` không phải một giá trị của `{canon}` (ánh xạ `{w}`)",
                                    "`{}` is not a value of `{canon}` (mapping `{w}`)",
                                    c.get_ref()
                                ),
                            )
                            .hint(crate::tr!(
                                "ánh xạ tới một trong: {}",
                                "map to one of: {}",
                                canonical.join(", ")
                            )),
                        );
                        continue;
                    }
                }
                list.push((w, c.into_inner()));
            }
            m.values.insert(canon, list);
        }
        if diags.is_empty() {
            Ok(m)
        } else {
            Err(Error::Config(diags))
        }
    }
}
