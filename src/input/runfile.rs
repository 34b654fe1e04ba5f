//! The run file (`danh-gia-2025.toml`): one TOML file naming everything a `score` run reads and
//! writes — criteria files, the unit registry, data tables (with sheet and rates declarations),
//! a column mapping, the output folder, language and number locale — and the `[report]` block
//! (issuing body, title, place and date, signature) that the printed documents carry. This
//! module parses and checks the file with located diagnostics (`file:line:col`, as criteria
//! files) and resolves its paths relative to the file; it knows nothing of scoring. Later
//! capabilities add their keys here.

use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::input::criteria::diagnostic::{Diagnostic, Source};
use crate::input::ingest::LocaleChoice;
use crate::support::error::{Error, Result};
use crate::support::i18n::Lang;

type S<T> = Spanned<T>;

/// The keys of a run file, per table (checked all at once by `criteria::keys`; the raw types below
/// keep `deny_unknown_fields` as the backstop, and a test reads every key listed here).
const KEYS: crate::input::criteria::keys::Schema = &[
    (
        "",
        &[
            "criteria",
            "units",
            "map",
            "out",
            "lang",
            "locale",
            "data",
            "self",
            "appraisal",
            "previous",
            "awards",
            "uncertainty",
            "audit",
            "report",
            "decision",
        ],
    ),
    ("audit", &["full_share", "duplicate_r", "low_weight"]),
    ("data", &["file", "sheet", "rates"]),
    ("self", &["file", "sheet", "rates"]),
    ("appraisal", &["reasons", "reason_threshold"]),
    (
        "previous",
        &[
            "results",
            "lineage",
            "criteria",
            "year",
            "approximate",
            "lineage_columns",
        ],
    ),
    (
        "previous.lineage_columns",
        &["new_code", "old_code", "relation", "weight", "note"],
    ),
    (
        "uncertainty",
        &[
            "replications",
            "seed",
            "level",
            "survey",
            "appraised",
            "weights",
        ],
    ),
    (
        "uncertainty.survey",
        &["indicator", "sample_size", "margin"],
    ),
    ("uncertainty.appraised", &["range", "shape"]),
    ("uncertainty.weights", &["range"]),
    (
        "report",
        &[
            "issuer",
            "title",
            "title_en",
            "place",
            "date",
            "signature",
            "scorecards",
        ],
    ),
    ("report.signature", &["lines", "name"]),
    (
        "decision",
        &[
            "governing",
            "issuer",
            "number",
            "date",
            "authority",
            "summary",
            "bases",
            "articles",
            "recipients",
            "signature",
        ],
    ),
    ("decision.signature", &["lines", "name"]),
];

/// The placeholders the texts of `[decision]` may use.
pub const DECISION_PLACEHOLDERS: [&str; 3] = ["year", "units", "number"];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRun {
    criteria: Option<S<Vec<S<String>>>>,
    units: Option<S<String>>,
    map: Option<S<String>>,
    out: Option<S<String>>,
    lang: Option<S<String>>,
    locale: Option<S<String>>,
    #[serde(default)]
    data: Vec<S<RawData>>,
    /// Self-assessment tables, the same shape as `data`.
    #[serde(default, rename = "self")]
    self_data: Vec<S<RawData>>,
    appraisal: Option<RawAppraisal>,
    previous: Option<RawPrevious>,
    /// The award rules file.
    awards: Option<S<String>>,
    uncertainty: Option<RawUncertainty>,
    /// `audit = true`, or `[audit]` with thresholds.
    audit: Option<S<toml::Value>>,
    report: Option<RawReport>,
    decision: Option<RawDecision>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDecision {
    #[serde(default)]
    governing: Vec<String>,
    #[serde(default)]
    issuer: Vec<String>,
    number: Option<String>,
    date: Option<S<String>>,
    authority: Option<String>,
    summary: Option<S<String>>,
    #[serde(default)]
    bases: Vec<S<String>>,
    #[serde(default)]
    articles: Vec<S<String>>,
    #[serde(default)]
    recipients: Vec<String>,
    signature: Option<RawSignature>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawUncertainty {
    replications: Option<S<i64>>,
    seed: Option<S<i64>>,
    level: Option<S<f64>>,
    #[serde(default)]
    survey: Vec<S<RawSurvey>>,
    appraised: Option<RawAppraised>,
    weights: Option<RawWeights>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWeights {
    range: S<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    indicator: S<String>,
    sample_size: Option<S<String>>,
    margin: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAppraised {
    range: S<f64>,
    shape: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrevious {
    results: S<String>,
    lineage: Option<S<String>>,
    /// Last year's criteria files: what changed definition is said beside the comparison.
    #[serde(default)]
    criteria: Vec<S<String>>,
    year: Option<i64>,
    /// "compare" (default) or "skip": what to do with units whose predecessors are only partly
    /// in them.
    approximate: Option<S<String>>,
    lineage_columns: Option<RawLineageColumns>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLineageColumns {
    new_code: Option<String>,
    old_code: Option<String>,
    relation: Option<String>,
    weight: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAppraisal {
    reasons: Option<S<String>>,
    reason_threshold: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawData {
    file: S<String>,
    sheet: Option<S<String>>,
    rates: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    #[serde(default)]
    issuer: Vec<String>,
    title: Option<String>,
    title_en: Option<String>,
    place: Option<String>,
    date: Option<S<String>>,
    signature: Option<RawSignature>,
    scorecards: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSignature {
    #[serde(default)]
    lines: Vec<String>,
    name: Option<String>,
}

/// A calendar date as officials write it on a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocDate {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

impl DocDate {
    /// `2026-01-15` or `15/01/2026`, as the one calendar reads dates (`crate::support::calendar`), a year
    /// from 1900 on.
    pub fn parse(s: &str) -> Option<DocDate> {
        let (y, m, d) =
            crate::support::calendar::civil_from_days(crate::support::calendar::parse(s)?);
        Some(DocDate {
            year: u16::try_from(y).ok().filter(|y| *y >= 1900)?,
            month: m as u8,
            day: d as u8,
        })
    }

    /// "Sông Hồng, ngày 15 tháng 01 năm 2026" / "Sông Hồng, 15 January 2026"; "ngày 05 tháng 3".
    pub fn with_place(&self, place: Option<&str>, lang: Lang) -> String {
        const MONTHS: [&str; 12] = [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ];
        let date = match lang {
            // Decree 30/2020: a day below 10 and the months 1 and 2 take a leading zero
            // ("ngày 05 tháng 02", "ngày 15 tháng 3").
            Lang::Vi if self.month <= 2 => format!(
                "ngày {:02} tháng {:02} năm {}",
                self.day, self.month, self.year
            ),
            Lang::Vi => format!(
                "ngày {:02} tháng {} năm {}",
                self.day, self.month, self.year
            ),
            Lang::En => format!(
                "{} {} {}",
                self.day,
                MONTHS[self.month as usize - 1],
                self.year
            ),
        };
        match place {
            Some(p) if !p.trim().is_empty() => format!("{}, {date}", p.trim()),
            _ => date,
        }
    }
}

/// What the printed documents carry besides the results.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportSpec {
    /// Issuing body, one line each: "UBND TỈNH SÔNG HỒNG", "SỞ NỘI VỤ".
    pub issuer: Vec<String>,
    /// The document title without the ranking group ("… NĂM 2025"); a default is made from the
    /// criteria year when absent.
    pub title: Option<String>,
    pub title_en: Option<String>,
    pub place: Option<String>,
    /// The document date; also the workbook's creation time, so outputs are reproducible.
    pub date: Option<DocDate>,
    /// Lines above the signature ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC") and the signer's name.
    pub signature_lines: Vec<String>,
    pub signer: Option<String>,
    /// The draft Decision (`quyet-dinh.docx`), when the run file has a `[decision]` section.
    pub decision: Option<DecisionSpec>,
}

/// The run file's `[decision]`: the texts of the draft Decision that publishes the results. Every
/// list left empty takes the default text of the document's language (`report::docx`); texts may
/// use the placeholders `{year}`, `{units}` and `{number}`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecisionSpec {
    /// The governing body, upper case, regular ("UBND TỈNH …" above a department); often none.
    pub governing: Vec<String>,
    /// The issuing body, upper case, bold ("ỦY BAN NHÂN DÂN", "TỈNH SÔNG HỒNG"); the `[report]`
    /// issuer's first line when absent.
    pub issuer: Vec<String>,
    /// "15/QĐ-UBND"; the number is left blank to fill when absent.
    pub number: Option<String>,
    /// The date of signing; left blank to fill when absent.
    pub date: Option<DocDate>,
    /// The authority that decides, above the legal bases ("ỦY BAN NHÂN DÂN TỈNH SÔNG HỒNG").
    pub authority: Option<String>,
    /// The summary line (trích yếu).
    pub summary: Option<String>,
    pub bases: Vec<String>,
    pub articles: Vec<String>,
    pub recipients: Vec<String>,
    pub signature_lines: Vec<String>,
    pub signer: Option<String>,
}

/// A data table of a run: the file (with `#sheet`) and whether its rates are fractions.
#[derive(Debug, Clone, PartialEq)]
pub struct DataEntry {
    pub path: PathBuf,
    pub fraction: bool,
}

/// A run file, checked, with every path resolved against the file's folder.
#[derive(Debug, Clone, Default)]
pub struct RunFile {
    pub path: PathBuf,
    /// SHA-256 of the file as read, for the method statement.
    pub sha256: String,
    pub criteria: Vec<PathBuf>,
    pub units: Option<PathBuf>,
    pub data: Vec<DataEntry>,
    /// Self-assessment tables (`[[self]]`).
    pub self_data: Vec<DataEntry>,
    /// A long table of reasons for adjustments (`[appraisal] reasons`).
    pub reasons: Option<PathBuf>,
    /// An adjustment larger than this (points) needs a reason (`[appraisal] reason_threshold`).
    pub reason_threshold: Option<f64>,
    /// Last year's results and the lineage joining them to this year's units (`[previous]`).
    pub previous: Option<PathBuf>,
    pub lineage: Option<PathBuf>,
    pub previous_year: Option<i64>,
    /// Last year's criteria files (`[previous] criteria`).
    pub previous_criteria: Vec<PathBuf>,
    pub skip_approximate: bool,
    pub lineage_columns: crate::analyses::compare::LineageColumns,
    pub awards: Option<PathBuf>,
    /// Monte Carlo over the uncertain inputs (`[uncertainty]`).
    pub uncertainty: Option<crate::analyses::uncertainty::Spec>,
    /// The criteria audit, with its thresholds (`audit = true` or `[audit]`).
    pub audit: Option<crate::analyses::audit::Thresholds>,
    pub map: Option<PathBuf>,
    pub out: Option<PathBuf>,
    pub lang: Option<Lang>,
    pub locale: Option<LocaleChoice>,
    pub report: ReportSpec,
    pub scorecards: Option<PathBuf>,
    /// The file's text and where the parts checked against the criteria are written
    /// ([`check_against`]), so those diagnostics point at their line too.
    pub text: String,
    pub uncertainty_at: UncertaintyAt,
}

/// Where `[uncertainty]` names what the criteria must have: each survey entry's indicator, and
/// the appraised points' range.
#[derive(Debug, Clone, Default)]
pub struct UncertaintyAt {
    pub survey: Vec<std::ops::Range<usize>>,
    pub appraised_range: Option<std::ops::Range<usize>>,
}

/// What the run file declares that the criteria it names must bear out, every problem at once
/// with its line: each `[[uncertainty.survey]]` indicator is a survey indicator of the criteria
/// (one that no criterion reads, or a leaf not marked `survey`, has no share to resample), and the
/// appraised points' `range` is below every appraised leaf's maximum (noise as wide as the leaf
/// says nothing). `check` and `score` both run it once the criteria are read.
pub fn check_against(
    rf: &RunFile,
    criteria: &[crate::input::criteria::Criteria],
) -> Vec<Diagnostic> {
    let name = rf.path.display().to_string();
    let src = Source {
        name: &name,
        text: &rf.text,
    };
    let mut diags = Vec::new();
    let Some(spec) = &rf.uncertainty else {
        return diags;
    };
    let survey: Vec<&str> = criteria
        .iter()
        .flat_map(|c| {
            c.leaves()
                .filter(|(_, n, _)| n.survey)
                .map(|(_, _, r)| r.indicator.as_str())
        })
        .collect();
    for (s, at) in spec.survey.iter().zip(&rf.uncertainty_at.survey) {
        if !survey
            .iter()
            .any(|i| crate::support::text::key(i) == crate::support::text::key(&s.indicator))
        {
            let mut known = survey.clone();
            known.sort_unstable();
            known.dedup();
            diags.push(
                src.diag(
                    at.clone(),
                    crate::tr!(
                        "`{}` không phải chỉ số điều tra xã hội học của bộ tiêu chí",
                        "`{}` is not a survey indicator of the criteria",
                        s.indicator
                    ),
                )
                .hint(crate::tr!(
                    "các chỉ số điều tra của bộ tiêu chí: {}",
                    "the criteria's survey indicators: {}",
                    if known.is_empty() {
                        "–".to_string()
                    } else {
                        known.join(", ")
                    }
                )),
            );
        }
    }
    if let (Some((range, _)), Some(at)) = (spec.appraised, &rf.uncertainty_at.appraised_range) {
        let smallest = criteria
            .iter()
            .flat_map(|c| {
                c.leaves()
                    .filter(|(_, _, r)| {
                        matches!(r.kind, crate::input::criteria::model::RuleKind::Appraised)
                    })
                    .map(move |(_, n, _)| (n.max, n.id.as_str()))
            })
            .min_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((max, id)) = smallest.filter(|(max, _)| range >= *max) {
            diags.push(src.diag(
                at.clone(),
                crate::tr!(
                    "range {} không nhỏ hơn điểm tối đa của tiêu chí thẩm định {id} ({} điểm): sai số phải nhỏ hơn điểm tối đa của mọi tiêu chí thẩm định",
                    "range {} is not below the maximum of appraised criterion {id} ({} points): the noise must be below every appraised criterion's maximum",
                    crate::support::numfmt::fmt_num(range),
                    crate::support::numfmt::fmt_num(max)
                ),
            ));
        }
    }
    diags
}

/// Does this TOML text look like a run file rather than a criteria file? (Criteria files start
/// with `[meta]`; run files name `criteria`, `units` or `data`.)
pub fn looks_like_run_file(text: &str) -> bool {
    match text.parse::<toml::Table>() {
        Ok(t) => {
            !t.contains_key("meta")
                && !t.contains_key("award")
                && ["criteria", "units", "data", "report", "out"]
                    .iter()
                    .any(|k| t.contains_key(*k))
        }
        Err(_) => false,
    }
}

/// The `lang` a run file declares, read leniently (before the file is checked), so that the
/// file's own diagnostics are in its language.
pub fn declared_lang(path: &Path) -> Option<Lang> {
    let text = std::fs::read_to_string(path).ok()?;
    let table: toml::Table = text.parse().ok()?;
    match table.get("lang")?.as_str()? {
        "vi" => Some(Lang::Vi),
        "en" => Some(Lang::En),
        _ => None,
    }
}

/// Read and check a run file. Every problem is reported at once, located; exit code 2.
pub fn load(path: &Path) -> Result<RunFile> {
    let (bytes, text) = crate::input::criteria::read_config(
        path,
        crate::input::criteria::messages::ConfigKind::RunFile,
    )?;
    let sha256 = crate::input::criteria::sha256_hex(&bytes);
    let mut run = parse(path, &text)?;
    run.sha256 = sha256;
    Ok(run)
}

/// Parse run-file text; `path` names the file in diagnostics and anchors relative paths.
pub fn parse(path: &Path, text: &str) -> Result<RunFile> {
    let name = path.display().to_string();
    let src = Source { name: &name, text };
    if text
        .parse::<toml::Table>()
        .is_ok_and(|t| t.contains_key("meta"))
    {
        return Err(Error::Usage(crate::tr!(
            "{name} là một tệp tiêu chí, không phải tệp lần chạy; dùng --criteria {name} (cùng --units, --data, --out) hoặc một tệp lần chạy",
            "{name} is a criteria file, not a run file; give it as --criteria {name} (with --units, --data, --out) or use a run file"
        )));
    }
    let unknown = crate::input::criteria::keys::unknown(&src, KEYS);
    if !unknown.is_empty() {
        return Err(Error::Config(unknown));
    }
    let raw: RawRun = toml::from_str(text).map_err(|e| {
        let span = e.span().unwrap_or(0..0);
        let msg = crate::input::criteria::messages::toml_error(e.message());
        Error::Config(vec![src.diag(span, msg).hint(crate::tr!(
            "các khóa của tệp lần chạy: criteria, units, data, self, map, out, lang, locale, awards, [appraisal], [previous], [uncertainty], [audit], [report], [decision]; xem docs/run-file.md",
            "a run file's keys: criteria, units, data, self, map, out, lang, locale, awards, [appraisal], [previous], [uncertainty], [audit], [report], [decision]; see docs/run-file.md"
        ))])
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    let mut diags: Vec<Diagnostic> = Vec::new();
    let file = |v: &S<String>, diags: &mut Vec<Diagnostic>, must_exist: bool| -> PathBuf {
        let p = resolve(base, v.get_ref());
        let (on_disk, _) = crate::input::ingest::split_sheet(&p);
        if must_exist && !on_disk.is_file() {
            diags.push(
                src.diag(
                    v.span(),
                    crate::tr!("không có tệp {}", "no such file: {}", on_disk.display()),
                )
                .hint(crate::tr!(
                    "đường dẫn tương đối tính từ thư mục của tệp lần chạy ({})",
                    "relative paths are relative to the run file's folder ({})",
                    display_dir(base)
                )),
            );
        }
        p
    };
    let mut run = RunFile {
        path: path.to_path_buf(),
        text: text.to_string(),
        ..RunFile::default()
    };
    if let Some(c) = &raw.criteria {
        if c.get_ref().is_empty() {
            diags.push(src.diag(
                c.span(),
                crate::tr!(
                    "`criteria` cần ít nhất một tệp tiêu chí",
                    "`criteria` needs at least one criteria file"
                ),
            ));
        }
        run.criteria = c
            .get_ref()
            .iter()
            .map(|f| file(f, &mut diags, true))
            .collect();
    }
    run.units = raw.units.as_ref().map(|u| file(u, &mut diags, true));
    run.map = raw.map.as_ref().map(|m| file(m, &mut diags, true));
    run.out = raw.out.as_ref().map(|o| resolve(base, o.get_ref()));
    for (list, into) in [
        (&raw.data, &mut run.data),
        (&raw.self_data, &mut run.self_data),
    ] {
        for d in list {
            let d = d.get_ref();
            let mut p = file(&d.file, &mut diags, true);
            if let Some(sheet) = &d.sheet {
                p = PathBuf::from(format!("{}#{}", p.display(), sheet.get_ref()));
            }
            let fraction = match d.rates.as_ref().map(|r| (r, r.get_ref().as_str())) {
                None | Some((_, "percent")) => false,
                Some((_, "fraction")) => true,
                Some((r, other)) => {
                    diags.push(bad_word(&src, r, other, &["percent", "fraction"]));
                    false
                }
            };
            into.push(DataEntry { path: p, fraction });
        }
    }
    if let Some(a) = &raw.appraisal {
        run.reasons = a.reasons.as_ref().map(|r| file(r, &mut diags, true));
        if let Some(t) = &a.reason_threshold {
            if *t.get_ref() < 0.0 || !t.get_ref().is_finite() {
                diags.push(src.diag(
                    t.span(),
                    crate::tr!(
                        "reason_threshold là số điểm không âm",
                        "reason_threshold is a number of points, not negative"
                    ),
                ));
            } else {
                run.reason_threshold = Some(*t.get_ref());
            }
        }
    }
    run.awards = raw.awards.as_ref().map(|a| file(a, &mut diags, true));
    if let Some(u) = &raw.uncertainty {
        let mut spec = crate::analyses::uncertainty::Spec::default();
        if let Some(r) = &u.replications {
            if !(1..=1_000_000).contains(r.get_ref()) {
                diags.push(src.diag(
                    r.span(),
                    crate::tr!(
                        "số lần mô phỏng từ 1 đến 1.000.000",
                        "replications between 1 and 1,000,000"
                    ),
                ));
            } else {
                spec.replications = *r.get_ref() as usize;
            }
        }
        if let Some(x) = &u.seed {
            match u64::try_from(*x.get_ref()) {
                Ok(seed) => spec.seed = seed,
                Err(_) => diags.push(src.diag(
                    x.span(),
                    crate::tr!(
                        "seed là số nguyên không âm",
                        "seed is a whole number, not negative"
                    ),
                )),
            }
        }
        if let Some(l) = &u.level {
            if !(0.0..=1.0).contains(l.get_ref()) {
                diags.push(src.diag(
                    l.span(),
                    crate::tr!(
                        "level là xác suất từ 0 đến 1",
                        "level is a probability between 0 and 1"
                    ),
                ));
            } else {
                spec.level = *l.get_ref();
            }
        }
        for s in &u.survey {
            let s = s.get_ref();
            run.uncertainty_at.survey.push(s.indicator.span());
            if let Some(m) = &s.margin {
                if !(0.0..=100.0).contains(m.get_ref()) {
                    diags.push(src.diag(
                        m.span(),
                        crate::tr!(
                            "sai số {} nằm ngoài 0–100 điểm phần trăm",
                            "the margin {} is outside 0–100 percentage points",
                            m.get_ref()
                        ),
                    ));
                    continue;
                }
            }
            if let (Some(_), Some(m)) = (&s.sample_size, &s.margin) {
                diags.push(src.diag(
                    m.span(),
                    crate::tr!(
                        "chỉ một trong hai: sample_size (cỡ mẫu, lấy mẫu lại) hoặc margin (sai số cố định)",
                        "one of the two only: sample_size (resampled from the sample size) or margin (a fixed margin)"
                    ),
                ));
            }
            if s.sample_size.is_none() && s.margin.is_none() {
                diags.push(src.diag(
                    s.indicator.span(),
                    crate::tr!(
                        "cần sample_size (cột cỡ mẫu) hoặc margin (điểm phần trăm)",
                        "give sample_size (a sample-size column) or margin (percentage points)"
                    ),
                ));
            }
            spec.survey.push(crate::analyses::uncertainty::SurveySpec {
                indicator: s.indicator.get_ref().clone(),
                sample_size: s.sample_size.as_ref().map(|x| x.get_ref().clone()),
                margin: s.margin.as_ref().map(|x| *x.get_ref()),
            });
        }
        if let Some(a) = &u.appraised {
            let shape = match a.shape.as_ref().map(|s| (s, s.get_ref().as_str())) {
                None | Some((_, "uniform")) => crate::analyses::uncertainty::Shape::Uniform,
                Some((_, "triangular")) => crate::analyses::uncertainty::Shape::Triangular,
                Some((s, other)) => {
                    diags.push(bad_word(&src, s, other, &["uniform", "triangular"]));
                    crate::analyses::uncertainty::Shape::Uniform
                }
            };
            if *a.range.get_ref() < 0.0 {
                diags.push(src.diag(
                    a.range.span(),
                    crate::tr!("range không được âm", "range cannot be negative"),
                ));
            }
            spec.appraised = Some((*a.range.get_ref(), shape));
            run.uncertainty_at.appraised_range = Some(a.range.span());
        }
        if let Some(wt) = &u.weights {
            let r = *wt.range.get_ref();
            if (0.0..1.0).contains(&r) {
                spec.weights = Some(r);
            } else {
                diags.push(src.diag(
                    wt.range.span(),
                    crate::tr!(
                        "range của trọng số là một tỷ lệ từ 0 đến dưới 1 (0.2 là ±20%)",
                        "the weights' range is a share from 0 to below 1 (0.2 is ±20%)"
                    ),
                ));
            }
        }
        run.uncertainty = Some(spec);
    }
    if let Some(a) = &raw.audit {
        run.audit = audit(&src, a, &mut diags);
    }
    if let Some(p) = &raw.previous {
        run.previous = Some(file(&p.results, &mut diags, true));
        run.lineage = p.lineage.as_ref().map(|l| file(l, &mut diags, true));
        run.previous_year = p.year;
        run.previous_criteria = (p.criteria.iter())
            .map(|c| file(c, &mut diags, true))
            .collect();
        if let Some(a) = &p.approximate {
            match a.get_ref().as_str() {
                "compare" => {}
                "skip" => run.skip_approximate = true,
                other => diags.push(bad_word(&src, a, other, &["compare", "skip"])),
            }
        }
        if let Some(c) = &p.lineage_columns {
            run.lineage_columns = crate::analyses::compare::LineageColumns {
                new_code: c.new_code.clone(),
                old_code: c.old_code.clone(),
                relation: c.relation.clone(),
                weight: c.weight.clone(),
                note: c.note.clone(),
            };
        }
    }
    if let Some(l) = &raw.lang {
        run.lang = match l.get_ref().as_str() {
            "vi" => Some(Lang::Vi),
            "en" => Some(Lang::En),
            other => {
                diags.push(bad_word(&src, l, other, &["vi", "en"]));
                None
            }
        };
    }
    if let Some(l) = &raw.locale {
        run.locale = match l.get_ref().as_str() {
            "auto" => Some(LocaleChoice::Auto),
            "vi" => Some(LocaleChoice::Vi),
            "en" => Some(LocaleChoice::En),
            other => {
                diags.push(bad_word(&src, l, other, &["auto", "vi", "en"]));
                None
            }
        };
    }
    // A document date, or its diagnostic.
    let mut doc_date = |d: &S<String>| match DocDate::parse(d.get_ref()) {
        Some(x) => Some(x),
        None => {
            diags.push(
                src.diag(
                    d.span(),
                    crate::tr!(
                        "`{}` không phải một ngày",
                        "`{}` is not a date",
                        d.get_ref()
                    ),
                )
                .hint(crate::tr!(
                    "viết 2026-01-15 hoặc 15/01/2026",
                    "write 2026-01-15 or 15/01/2026"
                )),
            );
            None
        }
    };
    let report_date = raw
        .report
        .as_ref()
        .and_then(|r| r.date.as_ref().and_then(&mut doc_date));
    let decision_date =
        (raw.decision.as_ref()).and_then(|d| d.date.as_ref().and_then(&mut doc_date));
    if let Some(r) = raw.report {
        let date = report_date;
        run.scorecards = r.scorecards.as_ref().map(|s| resolve(base, s.get_ref()));
        let sig = r.signature.unwrap_or(RawSignature {
            lines: Vec::new(),
            name: None,
        });
        run.report = ReportSpec {
            issuer: r.issuer,
            title: r.title,
            title_en: r.title_en,
            place: r.place,
            date,
            signature_lines: sig.lines,
            signer: sig.name,
            decision: None,
        };
    }
    if let Some(d) = raw.decision {
        // A placeholder people would misspell (`{nam}`) must not print as written.
        let texts = d.summary.iter().chain(&d.bases).chain(&d.articles);
        for t in texts {
            for word in placeholders(t.get_ref()) {
                if !DECISION_PLACEHOLDERS.contains(&word) {
                    let known = DECISION_PLACEHOLDERS.map(|w| format!("{{{w}}}")).join(", ");
                    diags.push(src.diag(
                        t.span(),
                        crate::tr!(
                            "`{{{word}}}` không phải chỗ thay thế được; dùng {known}",
                            "`{{{word}}}` is not a placeholder; use {known}"
                        ),
                    ));
                }
            }
        }
        let sig = d.signature.unwrap_or(RawSignature {
            lines: Vec::new(),
            name: None,
        });
        run.report.decision = Some(DecisionSpec {
            governing: d.governing,
            issuer: d.issuer,
            number: d.number,
            date: decision_date,
            authority: d.authority,
            summary: d.summary.map(S::into_inner),
            bases: d.bases.into_iter().map(S::into_inner).collect(),
            articles: d.articles.into_iter().map(S::into_inner).collect(),
            recipients: d.recipients,
            signature_lines: sig.lines,
            signer: sig.name,
        });
    }
    if diags.is_empty() {
        Ok(run)
    } else {
        Err(Error::Config(diags))
    }
}

/// The `{word}`s of a text.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

/// `audit = true|false`, or `[audit]` with thresholds, each a share from 0 to 1 (located at the
/// value of `audit`: a table's values keep no place of their own here).
fn audit(
    src: &Source,
    a: &S<toml::Value>,
    diags: &mut Vec<Diagnostic>,
) -> Option<crate::analyses::audit::Thresholds> {
    let mut th = crate::analyses::audit::Thresholds::default();
    match a.get_ref() {
        toml::Value::Boolean(on) => on.then_some(th),
        toml::Value::Table(t) => {
            for (key, slot) in [
                ("full_share", &mut th.full_share),
                ("duplicate_r", &mut th.duplicate_r),
                ("low_weight", &mut th.low_weight),
            ] {
                let Some(v) = t.get(key) else { continue };
                match v.as_float().or_else(|| v.as_integer().map(|i| i as f64)) {
                    Some(x) if (0.0..=1.0).contains(&x) => *slot = x,
                    _ => diags.push(src.diag(
                        a.span(),
                        crate::tr!(
                            "[audit] {key} là một tỷ lệ từ 0 đến 1 (0.9 là 90%)",
                            "[audit] {key} is a share from 0 to 1 (0.9 is 90%)"
                        ),
                    )),
                }
            }
            Some(th)
        }
        _ => {
            diags.push(src.diag(
                a.span(),
                crate::tr!(
                    "audit = true, hoặc một bảng [audit] với các ngưỡng full_share, duplicate_r, low_weight",
                    "audit = true, or an [audit] table with the thresholds full_share, duplicate_r, low_weight"
                ),
            ));
            None
        }
    }
}

fn bad_word(src: &Source, v: &S<String>, got: &str, allowed: &[&str]) -> Diagnostic {
    let list = allowed
        .iter()
        .map(|w| format!("`{w}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let d = src.diag(
        v.span(),
        crate::tr!(
            "`{got}` không phải giá trị hợp lệ; dùng một trong: {list}",
            "`{got}` is not allowed here; use one of {list}"
        ),
    );
    match crate::support::text::closest(got, allowed.iter().copied()) {
        Some(c) => d.hint(crate::tr!("có phải `{c}`?", "did you mean `{c}`?")),
        None => d,
    }
}

fn display_dir(base: &Path) -> String {
    if base.as_os_str().is_empty() {
        ".".into()
    } else {
        base.display().to_string()
    }
}

/// `base/rel` with `.` and `..` removed where the path allows it (so that a run file in
/// `sample-data/` naming `../criteria/xa-2025.toml` reports `criteria/xa-2025.toml`, the same
/// name the flags would give).
pub fn resolve(base: &Path, rel: &str) -> PathBuf {
    let p = Path::new(rel);
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    let mut out: Vec<Component> = Vec::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir) => {}
                _ => out.push(c),
            },
            other => out.push(other),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the schema lists is one the raw types take.
    #[test]
    fn every_listed_key_is_a_field() {
        crate::input::criteria::keys::assert_every_key_is_a_field::<RawRun>(
            KEYS,
            &["data", "self", "uncertainty.survey"],
        );
    }

    /// Decree 30/2020: a leading zero on days below 10 and on the months 1 and 2 only.
    #[test]
    fn document_dates_follow_decree_30() {
        let d = |s: &str| {
            DocDate::parse(s)
                .unwrap()
                .with_place(Some("Sông Hồng"), Lang::Vi)
        };
        assert_eq!(d("2026-01-15"), "Sông Hồng, ngày 15 tháng 01 năm 2026");
        assert_eq!(d("2026-02-05"), "Sông Hồng, ngày 05 tháng 02 năm 2026");
        assert_eq!(d("2026-03-05"), "Sông Hồng, ngày 05 tháng 3 năm 2026");
        assert_eq!(d("2026-12-20"), "Sông Hồng, ngày 20 tháng 12 năm 2026");
    }

    #[test]
    fn placeholders_are_the_braced_words() {
        assert_eq!(placeholders("năm {year} của {units} {x"), ["year", "units"]);
        assert!(placeholders("no braces").is_empty());
    }

    #[test]
    fn paths_resolve_against_the_run_file() {
        assert_eq!(
            resolve(Path::new("sample-data"), "../criteria/xa-2025.toml"),
            PathBuf::from("criteria/xa-2025.toml")
        );
        assert_eq!(
            resolve(Path::new(""), "./a/b.csv"),
            PathBuf::from("a/b.csv")
        );
        assert_eq!(
            resolve(Path::new("x"), "/abs/c.csv"),
            PathBuf::from("/abs/c.csv")
        );
        assert_eq!(
            resolve(Path::new(""), "../up.csv"),
            PathBuf::from("../up.csv")
        );
    }

    #[test]
    fn dates_as_officials_write_them() {
        let d = DocDate::parse("2026-01-15").unwrap();
        assert_eq!(d, DocDate::parse("15/1/2026").unwrap());
        assert_eq!(
            d.with_place(Some("Sông Hồng"), Lang::Vi),
            "Sông Hồng, ngày 15 tháng 01 năm 2026"
        );
        assert_eq!(d.with_place(None, Lang::En), "15 January 2026");
        assert!(DocDate::parse("2026-02-30").is_none());
        assert!(DocDate::parse("2024-02-29").is_some());
        assert!(DocDate::parse("tomorrow").is_none());
    }
}
