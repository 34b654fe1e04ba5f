//! The keys a TOML configuration file may have, checked all at once: every key its schema does not
//! list is reported at its line and column, with the closest allowed key ("did you mean") and the
//! keys allowed there, in the run's language. serde's `deny_unknown_fields` stops at the first
//! unknown key and words it in English; this check runs before deserialising, so a file with two
//! misspelt keys gets both. The schema is data (table path → keys), declared beside the file's
//! raw types; arrays of tables (`[[data]]`) are checked element by element under their name.

use toml::de::{DeTable, DeValue};

use super::diagnostic::{Diagnostic, Source};
use super::messages;

/// Per table, by dotted path ("" for the top level, `report.signature`, `uncertainty.survey` for
/// each `[[uncertainty.survey]]`), the keys it may hold.
pub type Schema = &'static [(&'static str, &'static [&'static str])];

/// Every key of `src` that `schema` does not allow, in file order. A table the schema does not
/// list is not looked into (its key was reported, or its content is free, as column names are).
pub fn unknown(src: &Source, schema: Schema) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Ok(t) = DeTable::parse(src.text) {
        walk(t.get_ref(), "", src, schema, &mut out);
    }
    out.sort_by_key(|d| (d.line, d.column));
    out
}

fn walk(table: &DeTable, path: &str, src: &Source, schema: Schema, out: &mut Vec<Diagnostic>) {
    let Some((_, allowed)) = schema.iter().find(|(p, _)| *p == path) else {
        return;
    };
    for (key, value) in table {
        let k: &str = key.get_ref();
        if !allowed.contains(&k) {
            out.push(src.diag(key.span(), messages::unknown_key(k, path)).hint(
                messages::allowed_keys(
                    crate::support::text::closest(k, allowed.iter().copied()),
                    allowed,
                ),
            ));
            continue;
        }
        let inner = if path.is_empty() {
            k.to_string()
        } else {
            format!("{path}.{k}")
        };
        match value.get_ref() {
            DeValue::Table(t) => walk(t, &inner, src, schema, out),
            DeValue::Array(items) => {
                for item in items {
                    if let DeValue::Table(t) = item.get_ref() {
                        walk(t, &inner, src, schema, out);
                    }
                }
            }
            _ => {}
        }
    }
}

/// For the tests of each file kind: every key `schema` lists is a field of `T` (a document with
/// just that key never fails as an unknown field), so the check before deserialising never calls
/// a valid key unknown. `arrays` names the tables that are arrays of tables (`[[data]]`).
#[cfg(test)]
pub fn assert_every_key_is_a_field<T: serde::de::DeserializeOwned>(
    schema: Schema,
    arrays: &[&str],
) {
    for (path, keys) in schema {
        let mut head = String::new();
        let parts: Vec<&str> = if path.is_empty() {
            vec![]
        } else {
            path.split('.').collect()
        };
        for i in 1..=parts.len() {
            let p = parts[..i].join(".");
            if arrays.contains(&p.as_str()) {
                head += &format!("[[{p}]]\n");
            } else if i == parts.len() {
                head += &format!("[{p}]\n");
            }
        }
        for key in *keys {
            if let Err(e) = toml::from_str::<T>(&format!("{head}{key} = 1\n")) {
                assert!(!e.message().contains("unknown field"), "{path}.{key}: {e}");
            }
        }
    }
}
