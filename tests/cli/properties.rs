//! Property tests on the scoring core with the shipped communes criteria: random indicator
//! tables (rates, counts, words, not-applicable and missing cells) for a handful of units.

use parindex::captions::Captions;
use parindex::criteria::model::{Criteria, RuleKind, Scale};
use parindex::dataset::Dataset;
use parindex::ingest::{Row, Table, Value};
use parindex::numfmt::Locale;
use parindex::units::{Registry, Unit};
use parindex::{criteria, rank, score};
use proptest::prelude::*;

fn communes() -> Criteria {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/criteria/xa-2025.toml");
    criteria::load(std::path::Path::new(path)).expect("shipped criteria validate")
}

/// A random cell that fits the rule of `indicator` (or says N/A, or is empty).
fn cell(c: &Criteria, indicator: &str) -> BoxedStrategy<Value> {
    let leaf = c
        .leaves()
        .find(|(_, _, r)| r.indicator == indicator)
        .map(|(_, n, r)| (n.max, r.clone()));
    let item = [&c.bonus, &c.penalty]
        .into_iter()
        .flatten()
        .flat_map(|s| s.items.iter())
        .find(|i| i.rule.indicator == indicator)
        .map(|i| (i.max, i.rule.clone()));
    let Some((max, rule)) = leaf.or(item) else {
        return prop_oneof![
            Just(Value::Text("có".into())),
            Just(Value::Text("không".into()))
        ]
        .boxed();
    };
    let value: BoxedStrategy<Value> = match (&rule.kind, rule.scale) {
        (RuleKind::YesNo, _) => prop_oneof![
            Just(Value::Text("có".into())),
            Just(Value::Text("không".into())),
            Just(Value::Number(1.0))
        ]
        .boxed(),
        (RuleKind::Category(cats), _) => {
            let words: Vec<Value> = cats
                .iter()
                .map(|c| Value::Text(c.written.clone()))
                .collect();
            proptest::sample::select(words).boxed()
        }
        (_, Scale::Percent) => (0.0..=100.0f64).prop_map(Value::Number).boxed(),
        (_, Scale::Points) => (0.0..=max).prop_map(Value::Number).boxed(),
        _ => (0u32..12).prop_map(|n| Value::Number(n as f64)).boxed(),
    };
    prop_oneof![8 => value, 1 => Just(Value::Text("N/A".into())), 1 => Just(Value::Empty)].boxed()
}

const TYPES: [&str; 3] = ["xã", "phường", "đặc khu"];

fn world(n: usize) -> impl Strategy<Value = (Criteria, Vec<Vec<Value>>)> {
    let c = communes();
    let inds: Vec<String> = c.indicators().iter().map(|s| s.to_string()).collect();
    let row: Vec<BoxedStrategy<Value>> = inds.iter().map(|i| cell(&c, i)).collect();
    proptest::collection::vec(row, n).prop_map(move |rows| (c.clone(), rows))
}

fn build(c: &Criteria, rows: &[Vec<Value>]) -> (Registry, Dataset) {
    let units: Vec<Unit> = (0..rows.len())
        .map(|i| Unit {
            code: format!("U{i:02}"),
            name: format!("Xã {i}"),
            unit_type: TYPES[i % 3].into(),
            bloc: None,
        })
        .collect();
    let reg = Registry::new("units".into(), units);
    let mut headers = vec!["unit_code".to_string()];
    headers.extend(c.indicators().iter().map(|s| s.to_string()));
    let table = Table {
        sha256: String::new(),
        name: "data".into(),
        alternatives: vec![Vec::new(); headers.len()],
        code_col: 0,
        headers,
        header_line: 1,
        rows: rows
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut cells = vec![Value::Text(format!("U{i:02}"))];
                cells.extend(r.iter().cloned());
                Row { line: i + 2, cells }
            })
            .collect(),
        locale: Locale::Vi,
        notes: vec![],
    };
    let data = Dataset::new(vec![table], vec![false], &reg, &[], &Captions::default());
    assert!(data.issues.is_empty(), "joins");
    (reg, data)
}

/// The scores of `rows`, in registry order, with their official ranking.
fn scores(c: &Criteria, rows: &[Vec<Value>]) -> (Vec<score::UnitScore>, rank::Ranking) {
    let (reg, data) = build(c, rows);
    let cs = vec![c.clone()];
    let mut s = score::score_all(&cs, &reg, &data).expect("scores");
    let ranking = rank::ranking(&mut s, &cs, &reg);
    s.sort_by_key(|u| u.unit);
    (s, ranking)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, .. ProptestConfig::default() })]

    #[test]
    fn every_node_lies_between_zero_and_its_maximum((c, rows) in world(6)) {
        let (scored, ranking) = scores(&c, &rows);
        for u in scored {
            for (i, n) in c.nodes.iter().enumerate() {
                prop_assert!(u.node_max[i] <= n.max + 1e-9, "node {} effective max {} > {}", n.id, u.node_max[i], n.max);
                prop_assert!(u.node_points[i] >= 0.0 && u.node_points[i] <= u.node_max[i] + 1e-9 || u.node_max[i] == 0.0 && u.node_points[i] <= n.max,
                    "node {}: {} of {}", n.id, u.node_points[i], u.node_max[i]);
            }
            prop_assert!(u.total >= 0.0 && u.total <= c.max_points);
            let place = ranking.place(u.unit);
            prop_assert!(place.rank >= 1 && place.rank <= place.of);
        }
    }

    #[test]
    fn shuffling_units_changes_no_score((c, rows) in world(6), seed in any::<u64>()) {
        let (base, base_ranking) = scores(&c, &rows);
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let mut s = seed;
        for i in (1..order.len()).rev() {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
            order.swap(i, (s >> 33) as usize % (i + 1));
        }
        // Same units (codes and types follow their rows), listed in another order.
        let shuffled: Vec<Vec<Value>> = order.iter().map(|&i| rows[i].clone()).collect();
        let (reg, data) = {
            let units: Vec<Unit> = order.iter().map(|&i| Unit { code: format!("U{i:02}"), name: format!("Xã {i}"), unit_type: TYPES[i % 3].into(), bloc: None }).collect();
            let reg = Registry::new("units".into(), units);
            let mut headers = vec!["unit_code".to_string()];
            headers.extend(c.indicators().iter().map(|s| s.to_string()));
            let table = Table { sha256: String::new(), name: "data".into(), alternatives: vec![Vec::new(); headers.len()], code_col: 0, headers, header_line: 1, locale: Locale::Vi, notes: vec![],
                rows: order.iter().zip(&shuffled).enumerate().map(|(k, (&i, r))| {
                    let mut cells = vec![Value::Text(format!("U{i:02}"))];
                    cells.extend(r.iter().cloned());
                    Row { line: k + 2, cells }
                }).collect() };
            (reg.clone(), Dataset::new(vec![table], vec![false], &reg, &[], &Captions::default()))
        };
        let cs = vec![c.clone()];
        let mut other = score::score_all(&cs, &reg, &data).unwrap();
        let other_ranking = rank::ranking(&mut other, &cs, &reg);
        for u in &base {
            let code = format!("U{:02}", u.unit);
            let v = other.iter().find(|o| reg.units[o.unit].code == code).unwrap();
            prop_assert_eq!(u.total, v.total);
            prop_assert_eq!(base_ranking.place(u.unit).rank, other_ranking.place(v.unit).rank);
            prop_assert_eq!(u.grade, v.grade);
        }
    }

    #[test]
    fn raising_a_higher_better_value_never_lowers_the_total((c, rows) in world(5), unit in 0usize..5, leaf in 0usize..64, bump in 0.1f64..40.0) {
        let higher_better: Vec<String> = c.leaves().filter(|(_, _, r)| match &r.kind {
            RuleKind::Proportional | RuleKind::Bands(_) | RuleKind::PerOccurrence { .. } => true,
            RuleKind::Linear { zero_at, full_at } => full_at > zero_at,
            RuleKind::Relative { lower_better } => !lower_better,
            _ => false,
        }).map(|(_, _, r)| r.indicator.clone()).collect();
        let ind = &higher_better[leaf % higher_better.len()];
        let col = c.indicators().iter().position(|i| i == ind).unwrap();
        let Value::Number(x) = rows[unit][col] else { return Ok(()) };
        let rule = c.leaves().find(|(_, _, r)| &r.indicator == ind).unwrap().2;
        let raised = if rule.scale == Scale::Percent { (x + bump).min(100.0) } else { (x + bump).floor() };
        let before = scores(&c, &rows).0[unit].total;
        let mut up = rows.clone();
        up[unit][col] = Value::Number(raised);
        let after = scores(&c, &up).0[unit].total;
        prop_assert!(after >= before - 1e-9, "{ind}: {x} → {raised} lowered the total {before} → {after}");
    }
}

/// The sample's 2025 criteria, registry and data, as the README's run reads them.
fn sample() -> (Vec<Criteria>, Registry, Dataset) {
    use parindex::dataset::DataSpec;
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let cs: Vec<Criteria> = ["criteria/so-2025.toml", "criteria/xa-2025.toml"]
        .iter()
        .map(|p| criteria::load(&root.join(p)).unwrap())
        .collect();
    let reg = Registry::load(&root.join("sample-data/units.csv")).unwrap();
    let specs: Vec<DataSpec> = [
        "sample-data/2025/chi-so-so.csv",
        "sample-data/2025/chi-so-xa.csv",
        "sample-data/2025/tham-dinh.xlsx#Thẩm định",
        "sample-data/2025/dieu-tra-xhh.parquet",
    ]
    .iter()
    .map(|p| DataSpec {
        path: root.join(p),
        fraction: false,
    })
    .collect();
    let caps = Captions::from_criteria(&cs);
    let data = Dataset::load(&specs, Default::default(), &reg, &[], &caps).unwrap();
    (cs, reg, data)
}

/// One evaluation of the bound matrix with nominal parameters and no sink (what a Monte-Carlo
/// replication runs) gives exactly the numbers `score` reports, for every unit of the sample.
#[test]
fn a_replication_with_nominal_parameters_equals_the_nominal_results() {
    use parindex::score::{bind, evaluate, plan};
    let (cs, reg, data) = sample();
    let nominal = score::score_all(&cs, &reg, &data).unwrap();
    let mut checked = 0;
    for c in &cs {
        let members: Vec<usize> = (0..reg.units.len())
            .filter(|&u| c.covers(&reg.units[u].unit_type))
            .collect();
        let p = plan::Plan::compile(c);
        let mut issues = vec![];
        let (bound, _) = bind::bind(&p, &members, &reg, &data, &mut issues);
        assert!(issues.is_empty());
        let params = p.nominal();
        let mut best = vec![None; p.leaves.len()];
        evaluate::best_values(&p, &bound, &mut best);
        let mut scratch = evaluate::Scratch::new(&p);
        for (mi, &u) in members.iter().enumerate() {
            let t = evaluate::unit(
                &p,
                &bound,
                mi,
                &params,
                &best,
                &mut scratch,
                &mut evaluate::NoSink,
            );
            let n = nominal.iter().find(|s| s.unit == u).unwrap();
            assert_eq!(
                (t.total, t.index, t.grade, t.tree_max, t.bonus, t.penalty),
                (n.total, n.index, n.grade, n.tree_max, n.bonus, n.penalty)
            );
            assert_eq!(scratch.node_points, n.node_points);
            checked += 1;
        }
    }
    assert_eq!(checked, 140);
}
