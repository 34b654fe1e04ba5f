//! Criteria-audit benchmark: the whole audit (`audit::run`: every figure of every node, and each of the set's nodes removed, re-scored through the core and
//! re-ranked) for all 3,321 commune-level units of the country against the shipped communes set
//! (43 leaves + bonus/penalty), on one thread; and, for comparison, what the pattern of
//! re-running the whole tool once per removed element (COINr's `remove_elements`) costs: one
//! `parindex score` process on the same data, timed and multiplied by the number of nodes.
//! Budget: under 0.5 s. Run: `cargo bench --bench audit`.

use std::time::Instant;

use parindex::audit::Thresholds;

#[path = "synthetic.rs"]
mod synthetic;

fn main() {
    let synthetic::Scored {
        criteria,
        reg,
        data,
        scores,
        bounds,
        ranking,
    } = synthetic::scored();
    let th = Thresholds::default();
    // Warm-up, then the median of 7.
    let audit = parindex::audit::run(&th, &criteria, &reg, &bounds, &scores, &ranking);
    let mut times: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            let a = parindex::audit::run(&th, &criteria, &reg, &bounds, &scores, &ranking);
            assert_eq!(a, audit, "the same inputs give the same audit");
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    let secs = times[times.len() / 2];
    let nodes = criteria[0].nodes.len();
    println!(
        "audit: {} units × {} leaves, {} sets, {nodes} nodes each removed and re-ranked: \
         median {:.3} s of 7 ({:.3}–{:.3}); {} flagged; budget 0.5 s: {}",
        reg.units.len(),
        criteria[0].leaves().count(),
        audit.sets.len(),
        secs,
        times[0],
        times[times.len() - 1],
        audit.flagged(),
        if secs < 0.5 { "met" } else { "NOT met" }
    );

    // The same data through the whole tool once: what re-running it per removed element costs.
    let dir = tempfile::tempdir().expect("a scratch folder");
    let (units, path) = synthetic::write_csv(&reg, &data, dir.path());
    let exe = env!("CARGO_BIN_EXE_parindex");
    let out = dir.path().join("out");
    let run = |extra: &[&str]| synthetic::time_score(exe, &units, &path, &out, extra);
    let plain = run(&[]);
    let audited = run(&["--audit"]);
    println!(
        "one full `parindex score` process on the same data: {plain:.2} s, {audited:.2} s with \
         --audit (+{:.2} s); re-running the tool per removed element would take {:.0} s for \
         {nodes} nodes ({:.0}× the in-process audit)",
        audited - plain,
        plain * nodes as f64,
        plain * nodes as f64 / secs
    );
}
