//! The national synthetic dataset the benchmarks share: all 3,321 commune-level units after
//! 1 July 2025 (2,621 xã, 687 phường, 13 đặc khu) with indicator values for the shipped communes
//! set drawn from a fixed generator, and a survey sample size per unit.

use parindex::captions::Captions;
use parindex::criteria::model::{RuleKind, Scale};
use parindex::criteria::Criteria;
use parindex::dataset::Dataset;
use parindex::ingest::{Row, Table, Value};
use parindex::numfmt::Locale;
use parindex::units::{Registry, Unit};

pub struct Rng(pub u64);
impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The registry and one indicator table (with a `so_phieu` sample-size column) for `c`.
pub fn national(c: &Criteria) -> (Registry, Dataset) {
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
    headers.push("so_phieu".to_string());
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
            cells.push(Value::Number((20 + rng.next() % 70) as f64));
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
    (reg, data)
}

/// The registry and the table written as CSV in `dir` (`units.csv`, `data.csv`), for timing the
/// whole tool on the same data: (units, data).
#[allow(dead_code)] // the core bench runs no process
pub fn write_csv(
    reg: &Registry,
    data: &Dataset,
    dir: &std::path::Path,
) -> (std::path::PathBuf, std::path::PathBuf) {
    let units = dir.join("units.csv");
    let mut w = csv::Writer::from_path(&units).expect("units.csv");
    w.write_record(["unit_code", "unit_name", "unit_type"])
        .unwrap();
    for u in &reg.units {
        w.write_record([&u.code, &u.name, &u.unit_type]).unwrap();
    }
    w.flush().unwrap();
    let table = &data.tables[0];
    let path = dir.join("data.csv");
    let mut w = csv::Writer::from_path(&path).expect("data.csv");
    w.write_record(&table.headers).unwrap();
    for r in &table.rows {
        w.write_record(r.cells.iter().map(|c| c.as_read())).unwrap();
    }
    w.flush().unwrap();
    (units, path)
}

/// The best of three whole `parindex score` processes on the data `write_csv` wrote (communes
/// set, `extra` flags added), in seconds.
#[allow(dead_code)] // the core bench runs no process
pub fn time_score(
    exe: &str,
    units: &std::path::Path,
    data: &std::path::Path,
    out: &std::path::Path,
    extra: &[&str],
) -> f64 {
    let criteria = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("criteria/xa-2025.toml");
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let t = std::time::Instant::now();
        let o = std::process::Command::new(exe)
            .args(["score", "-q", "--criteria"])
            .arg(&criteria)
            .arg("--units")
            .arg(units)
            .arg("--data")
            .arg(data)
            .arg("--out")
            .arg(out)
            .args(extra)
            .output()
            .expect("parindex runs");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        best = best.min(t.elapsed().as_secs_f64());
    }
    best
}

/// The communes set's national run, scored and ranked: what the analyses' benches start from.
#[allow(dead_code)] // the core bench times the core itself
pub struct Scored {
    pub criteria: Vec<Criteria>,
    pub reg: Registry,
    pub data: Dataset,
    pub scores: Vec<parindex::score::UnitScore>,
    pub bounds: Vec<parindex::score::bind::Bound>,
    pub ranking: parindex::rank::Ranking,
}

#[allow(dead_code)]
pub fn scored() -> Scored {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let c = parindex::criteria::load(&root.join("criteria/xa-2025.toml")).expect("criteria");
    let (reg, data) = national(&c);
    let criteria = vec![c];
    let parindex::score::Scoring { mut scores, bounds } =
        parindex::score::score_run(&criteria, &reg, &data).expect("scores");
    let ranking = parindex::rank::ranking(&mut scores, &criteria, &reg);
    Scored {
        criteria,
        reg,
        data,
        scores,
        bounds,
        ranking,
    }
}
