//! Uncertainty benchmark: 10,000 Monte-Carlo replications for all 3,321 commune-level units of
//! the country against the shipped communes set (survey shares resampled from sample sizes,
//! appraised points ± 0.25), on every core, with peak memory; and, for comparison, what the
//! pattern of re-running the whole tool per replication (COINr's `get_sensitivity`) costs: one
//! `parindex score` process on the same data, timed and multiplied. Budget: under 5 s and
//! 500 MiB. Run: `cargo bench --bench uncertainty`.

use std::time::Instant;

use parindex::uncertainty::{Shape, Spec, SurveySpec};

#[path = "synthetic.rs"]
mod synthetic;

fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines().find(|l| l.starts_with("VmHWM:")).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|k| k.parse::<f64>().ok())
            })
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let synthetic::Scored {
        criteria,
        reg,
        data,
        scores,
        bounds,
        ranking,
    } = synthetic::scored();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let spec = Spec {
        replications: 10_000,
        seed: 2025,
        level: 0.8,
        survey: ["hai_long_tthc", "hai_long_cbcc", "hai_long_dvc"]
            .iter()
            .map(|i| SurveySpec {
                indicator: i.to_string(),
                sample_size: Some("so_phieu".into()),
                margin: None,
            })
            .collect(),
        appraised: Some((0.25, Shape::Triangular)),
        weights: None,
        threads,
    };
    let t = Instant::now();
    let f = parindex::uncertainty::run(
        &spec, &criteria, &reg, &data, &bounds, &scores, &ranking, None, false,
    )
    .expect("replications");
    let secs = t.elapsed().as_secs_f64();
    let uncertain = f.units.iter().filter(|u| u.p_grade[u.grade] < 0.8).count();
    println!(
        "uncertainty: {} replications × {} units × {} leaves on {threads} thread(s): {secs:.2} s \
         ({:.3} ms per replication); peak memory {:.0} MiB; budget 5 s / 500 MiB: {}; \
         {uncertain} uncertain grades",
        spec.replications,
        reg.units.len(),
        criteria[0].leaves().count(),
        secs * 1000.0 / spec.replications as f64,
        peak_mib(),
        if secs < 5.0 && peak_mib() < 500.0 {
            "met"
        } else {
            "NOT met"
        }
    );

    // One core: the cost of one replication (perturbation, incremental evaluation, ranking).
    let one = Spec {
        replications: 2_000,
        threads: 1,
        ..spec.clone()
    };
    let t = Instant::now();
    parindex::uncertainty::run(
        &one, &criteria, &reg, &data, &bounds, &scores, &ranking, None, false,
    )
    .expect("replications");
    let per = t.elapsed().as_secs_f64() * 1000.0 / one.replications as f64;
    println!(
        "one core: {per:.3} ms per replication (draws, incremental evaluation, ranking of 3 groups)"
    );
    // The same with the areas' weights moved ±20% as well.
    let weighted = Spec {
        weights: Some(0.2),
        ..one.clone()
    };
    let t = Instant::now();
    parindex::uncertainty::run(
        &weighted, &criteria, &reg, &data, &bounds, &scores, &ranking, None, false,
    )
    .expect("replications");
    let per_w = t.elapsed().as_secs_f64() * 1000.0 / weighted.replications as f64;
    println!("one core, area weights ±20% as well: {per_w:.3} ms per replication");

    // The same data through the whole tool once: what one replication costs when the tool is
    // re-run per replication.
    let dir = tempfile::tempdir().expect("a scratch folder");
    let (units, path) = synthetic::write_csv(&reg, &data, dir.path());
    let exe = env!("CARGO_BIN_EXE_parindex");
    let best = synthetic::time_score(exe, &units, &path, &dir.path().join("out"), &[]);
    println!(
        "one full `parindex score` process on the same data: {best:.2} s; re-running the tool per \
         replication would take {:.0} s for 10,000 ({:.0}× the in-process replications)",
        best * 10_000.0,
        best * 10_000.0 / secs
    );
}
