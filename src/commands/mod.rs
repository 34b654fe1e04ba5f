//! One module per verb; each knows the order of its steps and nothing else.

pub mod check;
pub mod criteria;
pub mod derive;
pub mod score;
pub mod supervise;
pub mod template;

use std::path::PathBuf;

use crate::input::criteria::Criteria;
use crate::support::error::{Error, Result};

/// Load several criteria files, reporting the problems of all of them together.
pub fn load_criteria(paths: &[PathBuf]) -> Result<Vec<Criteria>> {
    let mut out = Vec::new();
    let mut diags = Vec::new();
    for p in paths {
        match crate::input::criteria::load(p) {
            Ok(c) => out.push(c),
            Err(Error::Config(d)) => diags.extend(d),
            Err(e) => return Err(e),
        }
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(Error::Config(diags))
    }
}
