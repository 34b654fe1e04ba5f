//! Command-line arguments (clap derive): the verbs, their flags and the help text with examples,
//! written here in English; [`parse`] reads a command line in the language asked for — `--lang`
//! anywhere on the line, else `PARINDEX_LANG`, else Vietnamese — with help and usage errors in
//! that language (`vi` holds the Vietnamese texts). Parsing only; `commands/*` do the work.

mod vi;

use std::ffi::OsString;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::input::ingest::LocaleChoice;
use crate::support::i18n::Lang;

/// The environment variable that chooses the language where `--lang` is not given.
pub const LANG_VAR: &str = "PARINDEX_LANG";

/// What the command line asks for: a run, or text to print and an exit code (help, version,
/// completions, a usage error).
pub enum Parsed {
    Run(Box<Cli>),
    Print {
        text: String,
        to_stderr: bool,
        code: u8,
    },
}

/// The language the command line asks for before it is parsed: `--lang X` or `--lang=X`
/// anywhere, else `PARINDEX_LANG`; `None` if neither (or a word that is not a language, which
/// parsing then reports).
pub fn requested_lang(args: &[OsString]) -> Option<Lang> {
    use clap::ValueEnum;
    let word = |w: &str| Lang::from_str(w.trim(), true).ok();
    let mut it = args.iter().map(|a| a.to_string_lossy());
    while let Some(a) = it.next() {
        if a == "--" {
            break;
        }
        if a == "--lang" {
            return it.next().and_then(|w| word(&w));
        }
        if let Some(w) = a.strip_prefix("--lang=") {
            return word(w);
        }
    }
    std::env::var(LANG_VAR).ok().and_then(|w| word(&w))
}

/// The command line's parser with its help in `lang`.
pub fn command(lang: Lang) -> clap::Command {
    let cmd = Cli::command();
    match lang {
        Lang::Vi => vi::localize(cmd),
        Lang::En => cmd,
    }
}

/// Parse a command line (`args[0]` the program), help and usage errors in the language it asks
/// for; the run's language is then `--lang`, else `PARINDEX_LANG`, else unset (a run file's
/// `lang` or Vietnamese).
pub fn parse(args: Vec<OsString>) -> Parsed {
    let lang = requested_lang(&args).unwrap_or_default();
    let env_lang = std::env::var(LANG_VAR).ok();
    if let Some(w) = env_lang.as_deref().filter(|w| !w.trim().is_empty()) {
        use clap::ValueEnum;
        if Lang::from_str(w.trim(), true).is_err() {
            return Parsed::Print {
                text: crate::tr!(
                    "lỗi: {LANG_VAR}=`{w}` không phải ngôn ngữ; dùng vi hoặc en",
                    "error: {LANG_VAR}=`{w}` is not a language; use vi or en"
                ),
                to_stderr: true,
                code: 2,
            };
        }
    }
    let mut cmd = command(lang);
    let matches = match cmd.try_get_matches_from_mut(args) {
        Ok(m) => m,
        Err(e) => return usage(e, lang),
    };
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(c) => c,
        Err(e) => return usage(e, lang),
    };
    if cli.lang.is_none() {
        cli.lang = requested_lang(&[]);
    }
    if let Command::Completions { shell } = cli.command {
        let mut out = Vec::new();
        clap_complete::generate(shell, &mut cmd, "parindex", &mut out);
        return Parsed::Print {
            text: String::from_utf8_lossy(&out).into_owned(),
            to_stderr: false,
            code: 0,
        };
    }
    Parsed::Run(Box::new(cli))
}

/// Help, version or a usage error, as text in `lang`.
fn usage(e: clap::Error, lang: Lang) -> Parsed {
    use clap::error::ErrorKind;
    let shown = matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion);
    let help_on_missing = e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand;
    let plain = e.render().to_string();
    let text = match lang {
        Lang::En => plain,
        Lang::Vi if shown || help_on_missing => vi::words(&plain),
        Lang::Vi => match vi::usage_error(&e) {
            Some(m) => m + "\n\nXem thêm: --help\n",
            None => vi::words(&plain),
        },
    };
    Parsed::Print {
        text,
        to_stderr: !shown,
        code: if shown { 0 } else { 2 },
    }
}

#[derive(Debug, Parser)]
#[command(
    name = "parindex",
    version,
    about = "Score, grade and rank units on the PAR Index (Chỉ số CCHC) from versioned criteria files",
    disable_help_subcommand = true,
    after_help = "Examples:\n  parindex check criteria/xa-2025.toml\n  parindex score sample-data/danh-gia-2025.toml\n  parindex score --criteria criteria/xa-2025.toml --units sample-data/units.csv \\\n      --data sample-data/2025/chi-so-xa.csv --data 'sample-data/2025/tham-dinh.xlsx#Thẩm định' \\\n      --data sample-data/2025/dieu-tra-xhh.parquet --out out/\n  parindex completions bash > /etc/bash_completion.d/parindex\n\nExit codes: 0 ok, 1 bad data or failure at run time, 2 bad usage or bad criteria file."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Language of help, messages and documents: vi (default) or en; also PARINDEX_LANG=en.
    /// A run file's `lang` applies when neither is given.
    #[arg(long, value_enum, global = true, hide_possible_values = true)]
    pub lang: Option<Lang>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate criteria files or a run file and print each tree with maxima and rules.
    #[command(
        after_help = "Every problem is reported at once as file:line:column with a caret and a hint; exit code 2 if any.\nA run file is checked with the criteria files it names.\n\nExamples:\n  parindex check criteria/xa-2025.toml criteria/so-2025.toml\n  parindex check sample-data/danh-gia-2025.toml"
    )]
    Check {
        /// Criteria files or run files (TOML).
        #[arg(required = true, value_name = "FILE")]
        criteria: Vec<PathBuf>,
    },
    /// Score, grade and rank units; write results.csv, criterion-scores.csv, results.xlsx and report.html.
    #[command(
        after_help = "Examples:\n  parindex score sample-data/danh-gia-2025.toml\n  parindex score sample-data/danh-gia-2025.toml --lang en --out out-en/ --scorecards out-en/phieu\n  parindex score --criteria criteria/so-2025.toml --criteria criteria/xa-2025.toml \\\n      --units sample-data/units.csv \\\n      --data sample-data/2025/chi-so-so.csv --data sample-data/2025/chi-so-xa.csv \\\n      --data 'sample-data/2025/tham-dinh.xlsx#Thẩm định' --data sample-data/2025/dieu-tra-xhh.parquet --out out/\n\nA workbook sheet is chosen with FILE#SHEET (default: the first sheet). Columns are found by indicator\ncode or by caption (the criterion's name, `captions` in the criteria file, or --map). Cells formatted\nas % are read as percentages; a table that writes rates as fractions (0.9898) needs\n--rates-as-fraction FILE; an office's own headers are named to indicators with --map FILE\n(README, section Inputs as they arrive)."
    )]
    Score(ScoreArgs),
    /// Write the data-entry workbook for a year's criteria: a sheet per criteria file, a row per
    /// unit, a column per indicator with validation and the criterion in the input message.
    #[command(
        after_help = "Examples:\n  parindex template sample-data/danh-gia-2025.toml --out mau-nhap-lieu.xlsx\n  parindex template --criteria criteria/xa-2025.toml --units sample-data/units.csv --self --out tu-danh-gia.xlsx\n  parindex template sample-data/danh-gia-2025.toml --appraisal --out tham-dinh.xlsx\n\nA filled template is read by `parindex score --data FILE.xlsx` with no mapping and no flags: every\ndata sheet is read. Rates are entered as percentages (98,5) or in cells formatted as %; KAD or N/A\nmarks a criterion that does not apply."
    )]
    Template(TemplateArgs),
    /// Write the draft Decision that publishes the results (quyet-dinh.docx), to Decree 30 form,
    /// with one annex per ranking group: the run is scored as `score` does, only the Decision is
    /// written.
    #[command(
        after_help = "The texts come from the run file's [decision] section (issuer, number, bases, articles,\nrecipients, signature), each with a default; `score` writes the same file when the section is there.\n\nExamples:\n  parindex decision sample-data/danh-gia-2025.toml\n  parindex decision sample-data/danh-gia-2025.toml --lang en --out quyet-dinh-en.docx"
    )]
    Decision(DecisionArgs),
    /// Work with criteria files: `diff` two years' sets, `import` an annex table, `export` the
    /// official annex.
    #[command(
        after_help = "Examples:\n  parindex criteria diff criteria/xa-2024.toml criteria/xa-2025.toml\n  parindex criteria export criteria/xa-2025.toml --out phu-luc-xa-2025.xlsx"
    )]
    Criteria {
        #[command(subcommand)]
        action: CriteriaCommand,
    },
    /// Turn dossier records (one row per hồ sơ) into a per-unit indicator table for `score`.
    #[command(
        after_help = "Definitions (docs/derive.md): received in the period; resolved = finished by --as-of; on time = finished on or before the due date; an open dossier past its due date counts as late:\n  on_time_rate = resolved_on_time / (resolved + pending_overdue) × 100\n\nOn a terminal, a bar shows the records read, records per second and the time left.\n\nExamples:\n  parindex derive sample-data/2025/ho-so-2025.csv --period 2025 --map sample-data/ban-do-ho-so.toml \\\n      --units sample-data/units.csv --out chi-so-ho-so.csv\n  parindex derive sample-data/2025/ho-so-2025.csv --from 1/7/2025 --to 31/12/2025 --as-of 15/1/2026 \\\n      --map sample-data/ban-do-ho-so.toml --units sample-data/units.csv --out chi-so-6-thang.parquet"
    )]
    Derive(DeriveArgs),
    /// Print a shell's completion script for parindex (bash, zsh, fish, powershell, elvish).
    #[command(
        after_help = "Examples:\n  parindex completions bash > ~/.local/share/bash-completion/completions/parindex\n  parindex completions zsh > ~/.zfunc/_parindex"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Debug, Subcommand)]
pub enum CriteriaCommand {
    /// What changed between two criteria sets: criteria added, removed, renumbered, reworded,
    /// maxima and rules changed, area weights, and how many points changed definition.
    #[command(
        after_help = "Criteria are paired by their text where it is nearly the same (a renumbered criterion is the\nsame criterion), then by number where the text was rewritten; the pairing is said on each line.\n\nExamples:\n  parindex criteria diff criteria/xa-2024.toml criteria/xa-2025.toml\n  parindex criteria diff criteria/so-2024.toml criteria/so-2025.toml --csv thay-doi.csv"
    )]
    Diff {
        /// Last year's criteria file.
        #[arg(value_name = "OLD.toml")]
        old: PathBuf,
        /// This year's criteria file.
        #[arg(value_name = "NEW.toml")]
        new: PathBuf,
        /// Also write every criterion's pairing and changes as CSV.
        #[arg(long, value_name = "FILE.csv")]
        csv: Option<PathBuf>,
    },
    /// Read an annex table (the criteria set as a Decision's annex, .xlsx or .csv) into a criteria
    /// file: the tree from the numbering, the maxima, a rule for each leaf whose guidance is a
    /// phrasing offices use (marked for a person to confirm), `appraised` otherwise.
    #[command(
        after_help = "The header row is found under the title rows by its captions (STT, Tiêu chí or Nội dung, Điểm tối đa,\nHướng dẫn chấm điểm, Tài liệu kiểm chứng), in any order. The phrasings read are listed in\ndocs/criteria-format.md.\n\nExamples:\n  parindex criteria export criteria/xa-2025.toml --out phu-luc.xlsx\n  parindex criteria import phu-luc.xlsx --unit-types 'xã,phường,đặc khu' --out xa-2026.toml"
    )]
    Import {
        /// The annex table (.xlsx with FILE#SHEET, or .csv).
        #[arg(value_name = "ANNEX")]
        annex: PathBuf,
        /// The criteria file to write (TOML).
        #[arg(long, value_name = "FILE.toml")]
        out: PathBuf,
        /// The unit types the set scores, comma-separated ("xã,phường,đặc khu").
        #[arg(long, value_name = "TYPES", value_delimiter = ',', required = true)]
        unit_types: Vec<String>,
        /// The year scored (default: the year in the annex's title).
        #[arg(long, value_name = "YEAR")]
        year: Option<i64>,
        /// The set's name (default: the annex's title).
        #[arg(long, value_name = "TEXT")]
        name: Option<String>,
    },
    /// Write a criteria file as the official annex table: STT in the document's numbering, the
    /// criterion, its maximum, the scoring guidance in words, the notes.
    #[command(
        after_help = "The format follows the file's extension: .xlsx (one sheet, A4, header row repeated) or .docx\n(Decree 30 margins, header row repeated, no row split).\n\nExamples:\n  parindex criteria export criteria/xa-2025.toml --out phu-luc-xa-2025.xlsx\n  parindex criteria export criteria/so-2025.toml --out phu-luc-so-2025.docx"
    )]
    Export {
        /// The criteria file.
        #[arg(value_name = "FILE.toml")]
        file: PathBuf,
        /// The annex to write, .xlsx or .docx.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

#[derive(Debug, clap::Args)]
pub struct DecisionArgs {
    /// Run file (TOML): what `score` reads, and the [decision] section.
    #[arg(value_name = "RUN.toml")]
    pub run: PathBuf,
    /// The file to write (default: quyet-dinh.docx in the run file's output folder).
    #[arg(long, value_name = "FILE.docx")]
    pub out: Option<PathBuf>,
    /// Print only the summary line.
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Default, clap::Args)]
pub struct ScoreArgs {
    /// Run file (TOML) naming criteria, units, data, output folder, language and the report's
    /// title block; paths in it are relative to it. Flags given as well override it (a list
    /// flag such as --data replaces the file's list).
    #[arg(value_name = "RUN.toml")]
    pub run: Option<PathBuf>,
    /// Criteria file; repeat for several unit types (each type in one file).
    #[arg(long = "criteria", value_name = "FILE")]
    pub criteria: Vec<PathBuf>,
    /// Unit registry: code, name, type, bloc (CSV, XLSX or Parquet).
    #[arg(long, value_name = "FILE")]
    pub units: Option<PathBuf>,
    /// Indicator table, one row per unit; repeat to join several on unit code.
    #[arg(long = "data", value_name = "FILE")]
    pub data: Vec<PathBuf>,
    /// A --data table whose rates are written as fractions (0.9898 for 98.98%); repeat per table.
    #[arg(long = "rates-as-fraction", value_name = "FILE")]
    pub rates_as_fraction: Vec<PathBuf>,
    /// Mapping file: `[columns]` indicator = "column caption" (or a list of captions).
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Self-assessment table (the units' own values, same columns as --data); repeat per table.
    /// Compared with the appraised data in appraisal.csv.
    #[arg(long = "self", value_name = "FILE")]
    pub self_data: Vec<PathBuf>,
    /// Reasons for adjustments as a long table: unit code, criterion id, reason.
    #[arg(long, value_name = "FILE")]
    pub reasons: Option<PathBuf>,
    /// An adjustment larger than this many points needs a reason (default 0: any adjustment).
    #[arg(long, value_name = "POINTS")]
    pub reason_threshold: Option<f64>,
    /// Last year's results (a parindex results.csv or a published table) to compare with.
    #[arg(long, value_name = "FILE")]
    pub previous: Option<PathBuf>,
    /// Lineage file joining this year's units to last year's: new code, old code, relation.
    #[arg(long, value_name = "FILE")]
    pub lineage: Option<PathBuf>,
    /// Award rules (TOML, docs/awards-format.md): who is proposed for which award, and why.
    #[arg(long, value_name = "FILE")]
    pub awards: Option<PathBuf>,
    /// Monte-Carlo replications for the ranking's uncertainty, 1 to 1,000,000 as in the run file
    /// (overrides the run file's).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Seed of the replications (the same inputs and seed give the same figures).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Threads for the replications (default: all cores; the figures do not depend on it).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Audit the criteria set (audit.csv, a workbook sheet, a report section): which criteria
    /// separate nobody, count one thing twice or weigh less than their points (as `[audit]` in
    /// the run file).
    #[arg(long)]
    pub audit: bool,
    /// Output folder (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    #[arg(
        long,
        value_name = "DIR",
        help = "Also write one scorecard per unit, DIR/<unit code>.html, to send to each unit"
    )]
    pub scorecards: Option<PathBuf>,
    /// How text numbers are written: auto-detect per file (default), vi (86,97) or en (86.97).
    #[arg(long, value_enum)]
    pub locale: Option<LocaleChoice>,
    /// The run's language (`--lang` of the command line, set by `run`).
    #[arg(skip)]
    pub lang: Option<Lang>,
    /// Print only the summary line.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write only the draft Decision, to this file (`parindex decision`).
    #[arg(skip)]
    pub decision_only: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct TemplateArgs {
    /// Run file naming the criteria files and the unit registry (flags override it).
    #[arg(value_name = "RUN.toml")]
    pub run: Option<PathBuf>,
    /// Criteria file; repeat for several unit types (a sheet each).
    #[arg(long = "criteria", value_name = "FILE")]
    pub criteria: Vec<PathBuf>,
    /// Unit registry: the rows of each sheet.
    #[arg(long, value_name = "FILE")]
    pub units: Option<PathBuf>,
    /// The workbook to write (default: mau-nhap-lieu.xlsx in the run file's output folder).
    #[arg(long, value_name = "FILE.xlsx")]
    pub out: Option<PathBuf>,
    /// The unit's self-assessment form: no survey columns, an evidence column.
    #[arg(long = "self", conflicts_with = "appraisal")]
    pub self_assessment: bool,
    /// The appraisal form: a reason column after each indicator.
    #[arg(long)]
    pub appraisal: bool,
    /// The run's language (`--lang` of the command line, set by `run`).
    #[arg(skip)]
    pub lang: Option<Lang>,
}

#[derive(Debug, clap::Args)]
pub struct DeriveArgs {
    /// Dossier record files (CSV or Parquet); several files are one dataset.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// The year whose received dossiers are counted.
    #[arg(long, value_name = "YEAR")]
    pub period: Option<i32>,
    /// First day of the period (overrides --period).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day of the period (overrides --period).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// The day that decides what is still open (default: the period's last day).
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
    /// Mapping file renaming an export's columns and values (TOML).
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Unit registry: unknown unit codes are reported and left out; units with no dossier get zeros.
    #[arg(long, value_name = "FILE")]
    pub units: Option<PathBuf>,
    /// Output table, .csv or .parquet.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Any bad record is an error (nothing is written).
    #[arg(long)]
    pub strict: bool,
    /// Threads for reading and counting (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Reader: auto (parindex's own), or polars' engine: streaming (bounded memory) or in-memory.
    #[arg(long, default_value = "auto", hide = true)]
    pub engine: String,
    /// The run's language (`--lang` of the command line, set by `run`).
    #[arg(skip)]
    pub lang: Lang,
    /// No progress lines and no progress bar.
    #[arg(long, short)]
    pub quiet: bool,
}
