//! `parindex score`: criteria + registry + indicator tables → scores, grades, ranks → reports.
//! The order of the steps lives here: everything is read and checked before anything is
//! written, outputs are built in memory and then written atomically, inputs are never
//! overwritten.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::analyses::appraisal;
use crate::analyses::compare;
use crate::input::captions::Captions;
use crate::input::criteria::Criteria;
use crate::input::dataset::{DataSpec, Dataset, Need, Needer};
use crate::input::ingest::{split_sheet, LocaleChoice};
use crate::input::plausibility;
use crate::input::runfile::{self, DataEntry, ReportSpec, RunFile};
use crate::input::units::Registry;
use crate::report::words::{self, RunNote};
use crate::report::{self, Run};
use crate::scoring::rank;
use crate::scoring::score;
use crate::support::error::{Error, Result};
use crate::support::i18n::Lang;

pub use crate::cli::ScoreArgs as Args;

pub const OUTPUTS: [&str; 4] = [
    "results.csv",
    "criterion-scores.csv",
    "results.xlsx",
    "report.html",
];

/// Written when the run has self-assessment data.
pub const APPRAISAL: &str = "appraisal.csv";
/// Written when the run compares with last year.
pub const COMPARISON: &str = "comparison.csv";
/// Written when the run has award rules.
pub const AWARDS: &str = "awards.csv";
/// Written when the run declares its uncertainty.
pub const UNCERTAINTY: &str = "uncertainty.csv";
/// Written when the run audits its criteria.
pub const AUDIT: &str = "audit.csv";

/// Everything one `score` run needs, resolved from the run file and the flags (a flag wins;
/// a list flag replaces the file's list). The steps below read only this.
#[derive(Debug)]
pub struct Job {
    pub criteria: Vec<PathBuf>,
    pub units: PathBuf,
    pub data: Vec<DataSpec>,
    /// Self-assessment tables, compared with the appraised data (`data`).
    pub self_data: Vec<DataSpec>,
    pub reasons: Option<PathBuf>,
    pub reason_threshold: f64,
    /// Last year's results and the lineage to this year's units.
    pub previous: Option<PathBuf>,
    pub lineage: Option<PathBuf>,
    pub previous_year: Option<i64>,
    /// Last year's criteria files, compared with this year's (`analyses::revision`).
    pub previous_criteria: Vec<PathBuf>,
    pub skip_approximate: bool,
    pub lineage_columns: crate::analyses::compare::LineageColumns,
    /// Award rules.
    pub awards: Option<PathBuf>,
    /// Monte Carlo over the uncertain inputs, when declared (or asked for by --replications).
    pub uncertainty: Option<crate::analyses::uncertainty::Spec>,
    /// The criteria audit, when asked for (`--audit`, `audit = true` or `[audit]`).
    pub audit: Option<crate::analyses::audit::Thresholds>,
    /// What the run file declares that the criteria must bear out, checked once they are read
    /// (`runfile::check_against`); `None` without a run file.
    pub declared: Option<RunFile>,
    pub map: Option<PathBuf>,
    pub out: PathBuf,
    pub scorecards: Option<PathBuf>,
    pub locale: LocaleChoice,
    pub lang: Lang,
    pub quiet: bool,
    pub report: ReportSpec,
    /// The run file and its SHA-256, for the method statement.
    pub run_file: Option<(String, String)>,
    /// `parindex decision`: write only the draft Decision, to this file.
    pub decision_only: Option<PathBuf>,
}

impl Job {
    pub fn resolve(a: &Args) -> Result<Job> {
        // The run file's own `lang` applies to its diagnostics too (a flag still wins).
        if let (None, Some(p)) = (a.lang, &a.run) {
            if let Some(l) = runfile::declared_lang(p) {
                crate::support::i18n::set(l);
            }
        }
        let rf = match &a.run {
            Some(p) => runfile::load(p)?,
            None => RunFile::default(),
        };
        let missing = |what: &str, key: &str| {
            Error::Usage(crate::tr!(
                "thiếu {what}: dùng {key} hoặc một tệp lần chạy (parindex score RUN.toml); xem parindex score --help",
                "missing {what}: give {key} or a run file (parindex score RUN.toml); see parindex score --help"
            ))
        };
        let criteria = if a.criteria.is_empty() {
            rf.criteria.clone()
        } else {
            a.criteria.clone()
        };
        if criteria.is_empty() {
            return Err(missing(
                crate::support::i18n::current().pick("tệp tiêu chí", "criteria file"),
                "--criteria FILE",
            ));
        }
        let units = a.units.clone().or(rf.units.clone()).ok_or_else(|| {
            missing(
                crate::support::i18n::current().pick("danh mục đơn vị", "unit registry"),
                "--units FILE",
            )
        })?;
        let entries: Vec<DataEntry> = if a.data.is_empty() {
            rf.data.clone()
        } else {
            a.data
                .iter()
                .map(|p| DataEntry {
                    path: p.clone(),
                    fraction: false,
                })
                .collect()
        };
        if entries.is_empty() {
            return Err(missing(
                crate::support::i18n::current().pick("bảng dữ liệu", "data table"),
                "--data FILE",
            ));
        }
        let out = a.out.clone().or(rf.out.clone()).ok_or_else(|| {
            missing(
                crate::support::i18n::current().pick("thư mục kết quả", "output folder"),
                "--out DIR",
            )
        })?;
        let run_file = match &a.run {
            Some(p) => Some((p.display().to_string(), rf.sha256.clone())),
            None => None,
        };
        Ok(Job {
            criteria,
            units,
            data: data_specs(entries, &a.rates_as_fraction)?,
            self_data: if a.self_data.is_empty() {
                rf.self_data
                    .iter()
                    .map(|d| DataSpec {
                        path: d.path.clone(),
                        fraction: d.fraction,
                    })
                    .collect()
            } else {
                a.self_data
                    .iter()
                    .map(|p| DataSpec {
                        path: p.clone(),
                        fraction: false,
                    })
                    .collect()
            },
            reasons: a.reasons.clone().or(rf.reasons.clone()),
            reason_threshold: a.reason_threshold.or(rf.reason_threshold).unwrap_or(0.0),
            previous: a.previous.clone().or(rf.previous.clone()),
            lineage: a.lineage.clone().or(rf.lineage.clone()),
            previous_year: rf.previous_year,
            previous_criteria: rf.previous_criteria.clone(),
            skip_approximate: rf.skip_approximate,
            lineage_columns: rf.lineage_columns.clone(),
            awards: a.awards.clone().or(rf.awards.clone()),
            uncertainty: {
                let mut u = rf.uncertainty.clone();
                if a.replications.is_some() && u.is_none() {
                    u = Some(crate::analyses::uncertainty::Spec::default());
                }
                if let Some(u) = &mut u {
                    if let Some(r) = a.replications {
                        u.replications = r as usize;
                    }
                    if let Some(s) = a.seed {
                        u.seed = s;
                    }
                    if let Some(t) = a.threads {
                        u.threads = t;
                    }
                }
                u
            },
            audit: rf.audit.or(a.audit.then(Default::default)),
            declared: a.run.is_some().then(|| rf.clone()),
            decision_only: a.decision_only.as_ref().map(|p| {
                if p.as_os_str().is_empty() {
                    out.join(report::docx::FILE)
                } else {
                    p.clone()
                }
            }),
            map: a.map.clone().or(rf.map),
            out,
            scorecards: a.scorecards.clone().or(rf.scorecards),
            locale: a.locale.or(rf.locale).unwrap_or_default(),
            lang: a.lang.or(rf.lang).unwrap_or_default(),
            quiet: a.quiet,
            report: ReportSpec {
                // `parindex decision` writes one with the default texts when the run file has
                // no [decision] section.
                decision: (rf.report.decision.clone())
                    .or_else(|| a.decision_only.is_some().then(Default::default)),
                ..rf.report
            },
            run_file,
        })
    }
}

pub fn run(a: &Args) -> Result<()> {
    let job = Job::resolve(a)?;
    crate::support::i18n::set(job.lang);
    execute(&job)
}

/// The steps of a run, in order: prepare (read and check every input), compute (score, rank,
/// warnings), write (build every document, write them as one unit), tell (the terminal).
fn execute(job: &Job) -> Result<()> {
    // A damaged Parquet file can make polars abort the process (a failed allocation, which
    // no panic handler sees): such runs happen in a supervised child.
    let tables: Vec<&Path> = job
        .data
        .iter()
        .map(|d| d.path.as_path())
        .chain(std::iter::once(job.units.as_path()))
        .collect();
    if let Some(outcome) = super::supervise::parquet_in_child(&tables, &job.out) {
        return outcome;
    }
    let mut prepared = prepare(job)?;
    let Computed {
        scores,
        ranking,
        appraisal,
        comparison,
        proposals,
        figures,
        audit,
        notes: more_notes,
    } = compute(job, &mut prepared)?;
    let run = Run {
        criteria: &prepared.criteria,
        registry: &prepared.registry,
        scores: &scores,
        ranking: &ranking,
        appraisal: appraisal.as_ref(),
        comparison: comparison.as_ref(),
        awards: prepared.rules.as_ref().zip(proposals.as_ref()),
        revisions: &prepared.revisions,
        uncertainty: figures.as_ref(),
        audit: audit.as_ref(),
        lang: job.lang,
        inputs: prepared.inputs.clone(),
        report: &job.report,
    };
    // What every document shows, built once; the scorecards only when some document has them.
    let cards = job.decision_only.is_none()
        && (job.scorecards.is_some() || report::html::cards_in_report(&run));
    let view = report::view::build(&run, cards);
    let written = write(job, &run, &view)?;
    let notes: Vec<String> = prepared.notes.iter().cloned().chain(more_notes).collect();
    // What the run should be warned of, worded from the outcome by the report.
    let warnings = report::view::warnings(&run);
    let told = tell(job, &run, &view, &notes, &warnings, &written);
    // A run is the process's last act: what it read and computed is left to the system, which
    // takes it back at once at exit, rather than freed block by block (tens of milliseconds at
    // national scale). Nothing here holds a file or a lock.
    std::mem::forget((view, prepared, scores, ranking, figures));
    told
}

/// Everything a run read, checked, before anything is scored.
struct Prepared {
    criteria: Vec<Criteria>,
    registry: Registry,
    data: Dataset,
    /// The self-assessment over the appraised data, when there is one.
    own: Option<Dataset>,
    reasons: appraisal::Reasons,
    previous: Option<compare::Previous>,
    lineage: Option<compare::Lineage>,
    rules: Option<crate::analyses::awards::Rules>,
    /// This year's criteria sets against last year's, when the run file names those.
    revisions: Vec<crate::analyses::revision::Revised>,
    /// Notes on how the inputs were read (encodings, skipped rows, unscored unit types…).
    notes: Vec<String>,
    /// Every input with its SHA-256, hashed while it was read.
    inputs: Vec<(String, String)>,
}

fn prepare(a: &Job) -> Result<Prepared> {
    let criteria = super::load_criteria(&a.criteria)?;
    // Last year's criteria sets: what changed definition is said beside the comparison.
    let previous_criteria = super::load_criteria(&a.previous_criteria)?;
    if let Some(rf) = &a.declared {
        let diags = runfile::check_against(rf, &criteria);
        if !diags.is_empty() {
            return Err(Error::Config(diags));
        }
    }
    // Each unit type belongs to one criteria file.
    for (i, c) in criteria.iter().enumerate() {
        for d in &criteria[i + 1..] {
            if let Some(t) = c.unit_types.iter().find(|t| d.covers(t)) {
                return Err(Error::Usage(crate::tr!("loại đơn vị `{t}` được chấm bởi cả {} và {}; mỗi loại đơn vị chỉ dùng một tệp tiêu chí", "unit type `{t}` is scored by both {} and {}; give each unit type one criteria file",
                    c.path, d.path
                )));
            }
        }
    }
    let inputs: Vec<PathBuf> = std::iter::once(a.units.clone())
        .chain(a.criteria.clone())
        .chain(a.data.iter().map(|d| d.path.clone()))
        .chain(a.self_data.iter().map(|d| d.path.clone()))
        .chain(a.reasons.clone())
        .chain(a.previous.clone())
        .chain(a.lineage.clone())
        .chain(a.awards.clone())
        .chain(a.map.clone())
        .chain(a.run_file.as_ref().map(|(p, _)| PathBuf::from(p)))
        .collect();
    let mut outputs: Vec<PathBuf> = OUTPUTS.iter().map(|o| a.out.join(o)).collect();
    outputs.push(a.out.join(APPRAISAL));
    outputs.push(a.out.join(COMPARISON));
    outputs.push(a.out.join(AWARDS));
    outputs.push(a.out.join(UNCERTAINTY));
    outputs.push(a.out.join(AUDIT));
    outputs.push(a.out.join(report::docx::FILE));
    outputs.extend(a.decision_only.clone());
    report::guard_outputs(&outputs, &inputs)?;
    if let Some(dir) = &a.scorecards {
        report::guard_folder(dir, &inputs)?;
    }
    let specs = &a.data;
    let mut captions = Captions::from_criteria(&criteria);
    let map_sha = match &a.map {
        Some(m) => Some((m.display().to_string(), captions.load_map(m)?)),
        None => None,
    };

    let rules = match &a.awards {
        Some(f) => Some(crate::analyses::awards::load(f, &criteria)?),
        None => None,
    };
    let registry = Registry::load(&a.units)?;
    let mut notes: Vec<String> = Vec::new();
    let mut skipped: Vec<(String, usize)> = Vec::new();
    for u in &registry.units {
        if !criteria.iter().any(|c| c.covers(&u.unit_type)) {
            match skipped.iter_mut().find(|(t, _)| *t == u.unit_type) {
                Some((_, n)) => *n += 1,
                None => skipped.push((u.unit_type.clone(), 1)),
            }
        }
    }
    if skipped.iter().map(|(_, n)| n).sum::<usize>() == registry.units.len() {
        let types: Vec<&str> = criteria
            .iter()
            .flat_map(|c| c.unit_types.iter().map(String::as_str))
            .collect();
        return Err(Error::data(
            &registry.file,
            crate::tr!(
                "không đơn vị nào trong danh mục có loại mà bộ tiêu chí chấm ({})",
                "no unit in the registry has a type the criteria score ({})",
                types.join(", ")
            ),
        ));
    }
    for (t, n) in &skipped {
        notes.push(words::run_note(&RunNote::NotScored {
            unit_type: t,
            units: *n,
        }));
    }
    let mut needed: Vec<Need> = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for c in &criteria {
        for (_, n, r) in c.leaves() {
            if seen.insert(r.indicator.clone()) {
                needed.push(Need {
                    column: r.indicator.clone(),
                    by: Needer::Criterion {
                        id: n.id.clone(),
                        file: c.path.clone(),
                    },
                });
            }
        }
        for ind in c.indicators() {
            if seen.insert(ind.to_string()) {
                needed.push(Need {
                    column: ind.to_string(),
                    by: Needer::File(c.path.clone()),
                });
            }
        }
    }
    // The run reads one kind of column besides the criteria's: the survey sample sizes of
    // `[uncertainty]` (needed like an indicator: a missing one is reported with its fix).
    let sample_sizes =
        (a.uncertainty.iter()).flat_map(|u| u.survey.iter().filter_map(|s| s.sample_size.clone()));
    for col in sample_sizes {
        if seen.insert(col.clone()) {
            needed.push(Need {
                column: col,
                by: Needer::SampleSize {
                    run_file: a
                        .run_file
                        .as_ref()
                        .map_or_else(|| "[uncertainty]".to_string(), |(p, _)| p.clone()),
                },
            });
        }
    }
    let data = Dataset::load(specs, a.locale, &registry, &needed, &captions)?;
    for t in &data.tables {
        notes.extend(t.notes.iter().map(|n| words::read_note(&t.name, n)));
    }
    if !data.unused.is_empty() {
        notes.push(words::run_note(&RunNote::UnusedColumns(&data.unused)));
    }

    // The self-assessment, layered over the appraised data; the reasons for adjustments.
    let survey = appraisal::survey_indicators(&criteria);
    let mut self_tables = Vec::new();
    let own = if a.self_data.is_empty() {
        None
    } else {
        let own = Dataset::load(&a.self_data, a.locale, &registry, &[], &captions)?;
        self_tables.extend(
            own.tables
                .iter()
                .map(|t| (t.name.clone(), t.sha256.clone())),
        );
        for t in &own.tables {
            notes.extend(t.notes.iter().map(|n| words::read_note(&t.name, n)));
        }
        let mut ignored: Vec<String> = (own.indicators().filter(|k| survey.contains(*k)))
            .cloned()
            .collect();
        ignored.sort();
        if !ignored.is_empty() {
            notes.push(words::run_note(&RunNote::SurveyIgnored(&ignored)));
        }
        Some(appraisal::layered(own, &data, &survey))
    };
    let mut reasons = appraisal::reasons_in_tables(&data.tables);
    let mut reasons_sha = None;
    if let Some(f) = &a.reasons {
        reasons.extend(appraisal::reasons_from_file(f, &registry)?);
        reasons_sha = Some((
            f.display().to_string(),
            crate::input::criteria::sha256_hex(&std::fs::read(f).unwrap_or_default()),
        ));
    }

    // Last year's results and the lineage (read now, compared once this year is scored).
    if a.lineage.is_some() && a.previous.is_none() {
        return Err(Error::Usage(crate::tr!(
            "--lineage cần kết quả năm trước (--previous hoặc [previous] results)",
            "--lineage needs last year's results (--previous or [previous] results)"
        )));
    }
    let mut year_issues = Vec::new();
    let previous = match &a.previous {
        Some(p) => match compare::load_previous(p) {
            Ok(p) => Some(p),
            Err(Error::Data(more)) => {
                year_issues.extend(more);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    let lineage = match &a.lineage {
        Some(l) => match compare::load_lineage(l, &a.lineage_columns) {
            Ok(l) => Some(l),
            Err(Error::Data(more)) => {
                year_issues.extend(more);
                None
            }
            Err(e) => return Err(e),
        },
        None => None,
    };
    if !year_issues.is_empty() {
        return Err(Error::Data(year_issues));
    }
    let year_inputs: Vec<(String, String)> = previous
        .iter()
        .map(|p| (p.file.clone(), p.sha256.clone()))
        .chain(lineage.iter().map(|l| (l.file.clone(), l.sha256.clone())))
        .collect();

    // Hashed while they were read: no input is read a second time.
    let inputs: Vec<(String, String)> =
        std::iter::once((registry.file.clone(), registry.sha256.clone()))
            .chain(criteria.iter().map(|c| (c.path.clone(), c.sha256.clone())))
            .chain(
                data.tables
                    .iter()
                    .map(|t| (t.name.clone(), t.sha256.clone())),
            )
            .chain(self_tables)
            .chain(reasons_sha)
            .chain(year_inputs)
            .chain((previous_criteria.iter()).map(|c| (c.path.clone(), c.sha256.clone())))
            .chain(rules.iter().map(|r| (r.path.clone(), r.sha256.clone())))
            .chain(map_sha)
            .chain(a.run_file.clone())
            .collect();
    let revisions = crate::analyses::revision::against(&previous_criteria, &criteria);
    Ok(Prepared {
        criteria,
        revisions,
        registry,
        data,
        own,
        reasons,
        previous,
        lineage,
        rules,
        notes,
        inputs,
    })
}

/// Score and rank every unit; every problem of the run is reported at once (the join's, the
/// plausibility guard's and scoring's). Returns the scores in report order and the analyses.
fn compute(a: &Job, p: &mut Prepared) -> Result<Computed> {
    let (criteria, registry, data) = (&p.criteria, &p.registry, &p.data);
    let mut issues = data.issues.clone();
    issues.extend(plausibility::fraction_rates(criteria, data));
    let scored = score::score_run(criteria, registry, data);
    // The self-assessment is scored by the same functions; its problems join the others.
    let own = p.own.as_ref().map(|own| {
        issues.extend(own.issues.iter().cloned());
        issues.extend(plausibility::fraction_rates(criteria, own));
        score::score_against(criteria, registry, own, Some(data))
    });
    let own = match own {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(Error::Data(more))) => {
            issues.extend(more);
            None
        }
        Some(Err(e)) => return Err(e),
    };
    let score::Scoring { mut scores, bounds } = match scored {
        Ok(s) if issues.is_empty() => s,
        Ok(_) => return Err(Error::Data(issues)),
        Err(Error::Data(more)) => {
            issues.extend(more);
            return Err(Error::Data(issues));
        }
        Err(e) => return Err(e),
    };
    let ranking = rank::ranking(&mut scores, criteria, registry);
    let appraisal = own.map(|own| {
        appraisal::compare(
            criteria,
            registry,
            &scores,
            &own,
            &p.reasons,
            a.reason_threshold,
        )
    });
    let mut notes = Vec::new();
    let comparison = match p.previous.take() {
        Some(prev) => {
            let mut cmp = compare::compare(
                prev,
                p.lineage.take(),
                registry,
                criteria,
                &scores,
                &ranking,
                a.skip_approximate,
            )?;
            cmp.year = a.previous_year;
            notes.extend(report::view::comparison_notes(&cmp, a.lang));
            Some(cmp)
        }
        None => None,
    };
    // How sure the ranking is: replications of the same core over the uncertain inputs.
    let figures = match &a.uncertainty {
        Some(spec) => {
            let started = std::time::Instant::now();
            let f = crate::analyses::uncertainty::run(
                spec,
                criteria,
                registry,
                data,
                &bounds,
                &scores,
                &ranking,
                p.rules
                    .as_ref()
                    .map(|rules| crate::analyses::uncertainty::AwardCtx {
                        rules,
                        comparison: comparison.as_ref(),
                    })
                    .as_ref(),
                !a.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
            )
            .map_err(Error::Data)?;
            notes.push(words::run_note(&RunNote::Replications {
                replications: f.replications,
                seed: f.seed,
                seconds: started.elapsed().as_secs_f64(),
            }));
            Some(f)
        }
        None => None,
    };
    let grade_probability = figures.as_ref().map(|f| {
        let p: Vec<f64> = scores
            .iter()
            .map(|s| f.of(s.unit).map_or(1.0, |u| u.p_grade[u.grade]))
            .collect();
        move |si: usize| p[si]
    });
    let proposals = p.rules.as_ref().map(|r| {
        let sel = crate::analyses::awards::select(
            r,
            criteria,
            registry,
            &scores,
            &crate::scoring::rank::code_order(&scores, registry),
            data,
            comparison.as_ref(),
            grade_probability
                .as_ref()
                .map(|f| f as &dyn Fn(usize) -> f64),
        );
        notes.extend((sel.notes.iter()).map(|n| report::view::note_words(r, n, a.lang)));
        sel
    });
    // Which criteria decide the ranking: each re-scored away through the same core.
    let audit = (a.audit.as_ref())
        .map(|th| crate::analyses::audit::run(th, criteria, registry, &bounds, &scores, &ranking));
    Ok(Computed {
        scores,
        ranking,
        appraisal,
        comparison,
        proposals,
        figures,
        audit,
        notes,
    })
}

/// What compute gives the documents.
struct Computed {
    scores: Vec<score::UnitScore>,
    ranking: rank::Ranking,
    appraisal: Option<appraisal::Appraisal>,
    comparison: Option<compare::YearComparison>,
    proposals: Option<crate::analyses::awards::Proposals>,
    figures: Option<crate::analyses::uncertainty::Figures>,
    audit: Option<crate::analyses::audit::Audit>,
    notes: Vec<String>,
}

/// Build every document of the run and write them as one unit; returns the names written
/// (the scorecards folder is told separately).
fn write(a: &Job, run: &Run, rv: &report::view::ReportView) -> Result<Vec<String>> {
    let decision = |spec| {
        report::docx::decision(run, rv, spec).map_err(|e| {
            Error::Other(crate::tr!(
                "không tạo được {}: {e}",
                "cannot build {}: {e}",
                report::docx::FILE
            ))
        })
    };
    if let (Some(path), Some(spec)) = (&a.decision_only, &run.report.decision) {
        report::write_all(&[(path.clone(), decision(spec)?)])?;
        return Ok(vec![path.display().to_string()]);
    }
    let outputs: Vec<PathBuf> = OUTPUTS.iter().map(|o| a.out.join(o)).collect();
    // The documents are independent: the four large ones built on threads of their own, so
    // every core is busy until the last is done.
    let (xlsx, mut files) = std::thread::scope(|sc| {
        let xlsx = sc.spawn(|| report::xlsx::workbook(run, rv));
        let scores = sc.spawn(|| report::csv::criterion_scores(run));
        let html = sc.spawn(|| report::html::report(run, rv));
        let results = report::csv::results(run);
        let done = "a document thread does not panic";
        (
            xlsx.join().expect(done),
            vec![
                (outputs[0].clone(), results),
                (outputs[1].clone(), scores.join().expect(done)),
                (outputs[3].clone(), html.join().expect(done)),
            ],
        )
    });
    let xlsx = xlsx.map_err(|e| {
        Error::Other(crate::tr!(
            "không tạo được results.xlsx: {e}",
            "cannot build results.xlsx: {e}"
        ))
    })?;
    files.insert(2, (outputs[2].clone(), xlsx));
    if run.appraisal.is_some() {
        files.push((a.out.join(APPRAISAL), report::csv::appraisal(run)));
    }
    if run.comparison.is_some() {
        files.push((a.out.join(COMPARISON), report::csv::comparison(run)));
    }
    if run.awards.is_some() {
        files.push((a.out.join(AWARDS), report::csv::awards(run)));
    }
    if run.uncertainty.is_some() {
        files.push((a.out.join(UNCERTAINTY), report::csv::uncertainty(run)));
    }
    if run.audit.is_some() {
        files.push((a.out.join(AUDIT), report::csv::audit(run)));
    }
    if let Some(spec) = &run.report.decision {
        files.push((a.out.join(report::docx::FILE), decision(spec)?));
    }
    let written: Vec<String> = files.iter().map(|(p, _)| p.display().to_string()).collect();
    if let Some(dir) = &a.scorecards {
        files.extend(
            report::html::scorecards(run, rv)
                .into_iter()
                .map(|(name, bytes)| (dir.join(name), bytes)),
        );
    }
    report::write_all(&files)?;
    Ok(written)
}

/// Notes and warnings on stderr; the table, the summary and what was written on stdout.
fn tell(
    a: &Job,
    run: &Run,
    rv: &report::view::ReportView,
    notes: &[String],
    warnings: &[String],
    written: &[String],
) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    let pipe = |r: std::io::Result<()>| match r {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(|e| Error::Other(e.to_string())),
    };
    let summary = report::terminal::summary(run, warnings.len());
    // `-q`: the summary line only (its count of warnings included); errors still go to stderr.
    if a.quiet {
        return pipe(writeln!(stdout, "{summary}"));
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(
        stderr,
        "{}",
        report::terminal::notes(run.lang, notes, warnings)
    );
    pipe(write!(stdout, "{}", report::terminal::table(run, rv)))?;
    pipe(write!(stdout, "{}", report::terminal::year_lines(run, rv)))?;
    pipe(write!(
        stdout,
        "{}",
        report::terminal::uncertainty_line(run, rv)
    ))?;
    pipe(write!(stdout, "{}", report::terminal::award_lines(run)))?;
    pipe(write!(stdout, "{}", report::terminal::audit_lines(run, rv)))?;
    pipe(writeln!(stdout, "{summary}"))?;
    let scorecards = a
        .scorecards
        .as_ref()
        .map(|d| (run.scores.len(), d.as_path()));
    pipe(write!(
        stdout,
        "{}",
        report::terminal::written(run.lang, written, scorecards)
    ))
}

/// The data tables with what was declared about each: the run file's `rates = "fraction"`,
/// or `--rates-as-fraction` naming a table as written (or the same file).
fn data_specs(entries: Vec<DataEntry>, fractions: &[PathBuf]) -> Result<Vec<DataSpec>> {
    let same = |x: &Path, y: &Path| {
        x == y || {
            let (px, sx) = split_sheet(x);
            let (py, sy) = split_sheet(y);
            sx == sy
                && px
                    .canonicalize()
                    .ok()
                    .is_some_and(|p| py.canonicalize().ok() == Some(p))
        }
    };
    for f in fractions {
        if !entries.iter().any(|d| same(&d.path, f)) {
            return Err(Error::Usage(crate::tr!(
                "--rates-as-fraction {}: không phải một bảng --data của lần chạy này",
                "--rates-as-fraction {}: not one of this run's --data tables",
                f.display()
            )));
        }
    }
    Ok(entries
        .into_iter()
        .map(|d| DataSpec {
            fraction: d.fraction || fractions.iter().any(|f| same(&d.path, f)),
            path: d.path,
        })
        .collect())
}
