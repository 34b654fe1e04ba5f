//! Micro-benchmark of the scoring core: evaluate + rank for all 3,321 commune-level units of the
//! country against the shipped communes set (43 leaves + bonus/penalty), as one Monte-Carlo
//! replication would run it (no sink, reused buffers). Budget: under 0.5 ms per replication on
//! one core, so that 10,000 replications fit in 5 s. Run: `cargo bench --bench core`.

use std::time::Instant;

use parindex::captions::Captions;
use parindex::criteria::model::{RankMethod, RuleKind, Scale};
use parindex::dataset::Dataset;
use parindex::ingest::{Row, Table, Value};
use parindex::numfmt::Locale;
use parindex::rank;
use parindex::score::{bind, evaluate, plan};
use parindex::units::{Registry, Unit};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// One replication's evaluation: every unit's total and tie-break points.
#[allow(clippy::too_many_arguments)]
fn evaluate_all(
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
    let mut units = Vec::new();
    for (t, prefix, n) in [
        ("xã", "XA", 2621),
        ("phường", "PH", 687),
        ("đặc khu", "DK", 13),
    ] {
        for i in 0..n {
            units.push(Unit {
                code: format!("{prefix}{i:05}"),
                name: format!("{t} {i}"),
                unit_type: t.to_string(),
                bloc: None,
            });
        }
    }
    let reg = Registry::new("units".into(), units);
    let mut rng = Rng(42);
    let indicators: Vec<String> = c.indicators().iter().map(|s| s.to_string()).collect();
    let mut headers = vec!["unit_code".to_string()];
    headers.extend(indicators.iter().cloned());
    let rows: Vec<Row> = reg
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let mut cells = vec![Value::Text(u.code.clone())];
            for ind in &indicators {
                let leaf = c
                    .leaves()
                    .find(|(_, _, r)| &r.indicator == ind)
                    .map(|(_, n, r)| (n.max, r));
                let item = [&c.bonus, &c.penalty]
                    .into_iter()
                    .flatten()
                    .flat_map(|s| s.items.iter())
                    .find(|it| &it.rule.indicator == ind)
                    .map(|it| (it.max, &it.rule));
                cells.push(match leaf.or(item) {
                    None => Value::Text("không".into()),
                    Some((max, r)) => match (&r.kind, r.scale) {
                        (RuleKind::YesNo, _) => Value::Number((rng.unit() < 0.8) as u8 as f64),
                        (RuleKind::Category(cats), _) => {
                            Value::Text(cats[rng.next() as usize % cats.len()].written.clone())
                        }
                        (_, Scale::Percent) => Value::Number(60.0 + 40.0 * rng.unit()),
                        (_, Scale::Points) => Value::Number(max * rng.unit()),
                        _ => Value::Number((rng.next() % 5) as f64),
                    },
                });
            }
            Row { line: i + 2, cells }
        })
        .collect();
    let table = Table {
        sha256: String::new(),
        name: "synthetic".into(),
        alternatives: vec![Vec::new(); headers.len()],
        code_col: 0,
        headers,
        header_line: 1,
        rows,
        locale: Locale::En,
        notes: vec![],
    };
    let data = Dataset::new(vec![table], vec![false], &reg, &[], &Captions::default());
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
        evaluate_all(
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
        evaluate_all(
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
        "evaluate + rank, {} units × {} leaves (+{} items), one core: {per:.3} ms per replication \
         ({:.1} s for 10,000); budget 0.5 ms: {} (checksum {checksum})",
        members.len(),
        p.leaves.len(),
        p.items.len(),
        per * 10.0,
        if per < 0.5 { "met" } else { "NOT met" }
    );
}
