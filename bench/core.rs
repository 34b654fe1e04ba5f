//! Micro-benchmark of the scoring core: a full evaluation + rank of all 3,321 commune-level units
//! of the country against the shipped communes set (43 leaves + bonus/penalty), no sink, reused
//! buffers — what `score` runs once and a Monte-Carlo replication would run if every leaf moved
//! (a replication re-scores only the leaves with noise; `cargo bench --bench uncertainty` times
//! that). Budget: under 0.5 ms on one core. Run: `cargo bench --bench core`.

use std::time::Instant;

use parindex::criteria::model::RankMethod;
use parindex::rank;
use parindex::score::{bind, evaluate, plan};

#[path = "synthetic.rs"]
mod synthetic;

/// Every unit's total and tie-break points, unit by unit (the function `score` explains through
/// its sink).
#[allow(clippy::too_many_arguments)]
fn evaluate_units(
    p: &plan::Plan,
    bound: &bind::Bound,
    params: &plan::Params,
    best: &mut [Option<f64>],
    scratch: &mut evaluate::Scratch,
    tie: &[usize],
    totals: &mut [f64],
    tie_keys: &mut [Vec<f64>],
) {
    evaluate::best_values(p, bound, best);
    for (mi, total) in totals.iter_mut().enumerate() {
        let t = evaluate::unit(p, bound, mi, params, best, scratch, &mut evaluate::NoSink);
        *total = t.total;
        for (k, &n) in tie.iter().enumerate() {
            tie_keys[k][mi] = scratch.node_points[n];
        }
    }
}

/// One replication's ranking of every group; returns a checksum so nothing is optimised away.
fn rank_all(
    keys: &[&[f64]],
    groups: &[Vec<usize>],
    work: &mut [Vec<usize>],
    code_order: &[u32],
    (method, tol): (RankMethod, f64),
    ranks: &mut Vec<usize>,
) -> usize {
    let mut sum = 0;
    for (g, w) in groups.iter().zip(work.iter_mut()) {
        w.copy_from_slice(g);
        rank::rank(w, keys, code_order, method, tol, ranks);
        sum += ranks[0] + w[0];
    }
    sum
}

fn main() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let c = parindex::criteria::load(&root.join("criteria/xa-2025.toml")).expect("criteria");
    // 2,621 xã, 687 phường, 13 đặc khu, as after 1 July 2025.
    let (reg, data) = synthetic::national(&c);
    let members: Vec<usize> = (0..reg.units.len()).collect();
    let p = plan::Plan::compile(&c);
    let mut issues = Vec::new();
    let (bound, _) = bind::bind(&p, &members, &reg, &data, &mut issues);
    assert!(issues.is_empty(), "{:?}", &issues[..issues.len().min(3)]);
    let params = p.nominal();

    // Buffers of one replication, reused.
    let mut best = vec![None; p.leaves.len()];
    let mut scratch = evaluate::Scratch::new(&p);
    let mut totals = vec![0.0; members.len()];
    let tie: Vec<usize> = c.ranking.tie_break.clone();
    let mut tie_keys: Vec<Vec<f64>> = vec![vec![0.0; members.len()]; tie.len()];
    let mut code_order: Vec<u32> = vec![0; members.len()];
    let mut by_code: Vec<usize> = (0..members.len()).collect();
    by_code.sort_by(|&a, &b| reg.units[a].code.cmp(&reg.units[b].code));
    for (pos, &i) in by_code.iter().enumerate() {
        code_order[i] = pos as u32;
    }
    let groups: Vec<Vec<usize>> = ["xã", "phường", "đặc khu"]
        .iter()
        .map(|t| {
            (0..members.len())
                .filter(|&i| reg.units[i].unit_type == *t)
                .collect()
        })
        .collect();
    let mut work: Vec<Vec<usize>> = groups.clone();
    let mut ranks = Vec::with_capacity(members.len());
    let mut checksum = 0usize;

    let ranking = (c.ranking.method, c.ranking.tie_tolerance);
    let mut replicate = |totals: &mut [f64], tie_keys: &mut [Vec<f64>], work: &mut [Vec<usize>]| {
        evaluate_units(
            &p,
            &bound,
            &params,
            &mut best,
            &mut scratch,
            &tie,
            totals,
            tie_keys,
        );
        let mut keys: Vec<&[f64]> = vec![totals];
        keys.extend(tie_keys.iter().map(Vec::as_slice));
        rank_all(&keys, &groups, work, &code_order, ranking, &mut ranks)
    };
    for _ in 0..50 {
        checksum = checksum.wrapping_add(replicate(&mut totals, &mut tie_keys, &mut work));
    }
    let n = 2_000;
    let t0 = Instant::now();
    for _ in 0..n {
        checksum = checksum.wrapping_add(replicate(&mut totals, &mut tie_keys, &mut work));
    }
    let per = t0.elapsed().as_secs_f64() * 1000.0 / n as f64;
    // Where the time goes: evaluation alone, ranking alone.
    let t1 = Instant::now();
    for _ in 0..n {
        evaluate_units(
            &p,
            &bound,
            &params,
            &mut best,
            &mut scratch,
            &tie,
            &mut totals,
            &mut tie_keys,
        );
    }
    let eval_ms = t1.elapsed().as_secs_f64() * 1000.0 / n as f64;
    let t2 = Instant::now();
    for _ in 0..n {
        let keys: Vec<&[f64]> = std::iter::once(totals.as_slice())
            .chain(tie_keys.iter().map(Vec::as_slice))
            .collect();
        checksum = checksum.wrapping_add(rank_all(
            &keys,
            &groups,
            &mut work,
            &code_order,
            ranking,
            &mut ranks,
        ));
    }
    let rank_ms = t2.elapsed().as_secs_f64() * 1000.0 / n as f64;
    println!("  of which evaluate {eval_ms:.3} ms, rank {rank_ms:.3} ms");
    println!(
        "evaluate + rank, {} units × {} leaves (+{} items), one core: {per:.3} ms per full \
         evaluation ({:.1} s for 10,000); budget 0.5 ms: {} (checksum {checksum})",
        members.len(),
        p.leaves.len(),
        p.items.len(),
        per * 10.0,
        if per < 0.5 { "met" } else { "NOT met" }
    );
}
