//! parindex: scores, grades and ranks public-administration units on the PAR Index (Chỉ số
//! CCHC) from versioned criteria files. The library holds everything; `main` only maps the
//! result of [`run`] to an exit code. Data flows one way, and the tree shows it in layers:
//! `input` (run file → criteria + tables: ingest, dataset) → `scoring` (score: plan, bind, evaluate;
//! rank) → `analyses` (appraisal / compare / uncertainty / awards) → `report`, all over `support`;
//! only the command layer (`commands`) knows the order.

// The layers, bottom up: support → input → scoring → analyses → report; `derive` turns dossier
// records into indicator tables; only `commands` knows the order. Each module is also named at
// the top level (`crate::score`, `crate::text`…), as the code and the tests call them.
pub mod analyses;
pub mod cli;
pub mod commands;
pub mod derive;
pub mod input;
pub mod report;
pub mod scoring;
pub mod support;

pub use analyses::{appraisal, audit, awards, compare, uncertainty};
pub use input::{captions, criteria, dataset, ingest, plausibility, runfile, units};
pub use scoring::{rank, score};
pub use support::{calendar, error, guard, i18n, numfmt, text};

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
        Command::Decision(d) => {
            let a = cli::ScoreArgs {
                run: Some(d.run),
                lang,
                quiet: d.quiet,
                decision_only: Some(d.out.unwrap_or_default()),
                ..Default::default()
            };
            i18n::set(a.lang.unwrap_or_default());
            commands::score::run(&a)
        }
        Command::Criteria { action } => {
            let lang = lang.unwrap_or_default();
            i18n::set(lang);
            match action {
                cli::CriteriaCommand::Diff { old, new, csv } => {
                    commands::criteria::diff(&old, &new, csv.as_deref(), lang)
                }
                cli::CriteriaCommand::Import {
                    annex,
                    out,
                    unit_types,
                    year,
                    name,
                } => commands::criteria::import(&annex, &out, &unit_types, year, name),
                cli::CriteriaCommand::Export { file, out } => {
                    commands::criteria::export(&file, &out, lang)
                }
            }
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
