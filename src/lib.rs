//! parindex: scores, grades and ranks public-administration units on the PAR Index (Chỉ số
//! CCHC) from versioned criteria files. The library holds everything; `main` only maps the
//! result of [`run`] to an exit code. Data flows one way: run file → criteria + inputs
//! (ingest, dataset) → score (plan, bind, evaluate) → rank → appraisal / compare / uncertainty /
//! awards → report; only the command layer (`commands`) knows the order.

pub mod appraisal;
pub mod awards;
pub mod calendar;
pub mod captions;
pub mod cli;
pub mod commands;
pub mod compare;
pub mod criteria;
pub mod dataset;
pub mod derive;
pub mod error;
pub mod guard;
pub mod i18n;
pub mod ingest;
pub mod numfmt;
pub mod plausibility;
pub mod rank;
pub mod report;
pub mod runfile;
pub mod score;
pub mod text;
pub mod uncertainty;
pub mod units;

use cli::{Cli, Command};
pub use error::{Error, Result};

/// Run one parsed command line.
pub fn run(cli: Cli) -> Result<()> {
    let lang = cli.lang;
    match cli.command {
        Command::Check { criteria } => {
            // As `score` does: a run file's own `lang` applies unless the flag says otherwise.
            let lang = lang
                .or_else(|| criteria.iter().find_map(|p| runfile::declared_lang(p)))
                .unwrap_or_default();
            i18n::set(lang);
            let out = commands::check::run(&criteria, lang)?;
            use std::io::Write;
            let _ = std::io::stdout().lock().write_all(out.as_bytes());
            Ok(())
        }
        Command::Score(mut a) => {
            a.lang = lang;
            i18n::set(a.lang.unwrap_or_default());
            commands::score::run(&a)
        }
        Command::Template(mut a) => {
            a.lang = lang;
            i18n::set(a.lang.unwrap_or_default());
            commands::template::run(&a)
        }
        Command::Derive(mut a) => {
            a.lang = lang.unwrap_or_default();
            i18n::set(a.lang);
            commands::derive::run(&a)
        }
        // Printed by `cli::parse`.
        Command::Completions { .. } => Ok(()),
    }
}
