//! Byte-for-byte guards on what people quote: the mini fixture's two CSVs, the sample's
//! `results.csv` and a SHA-256 of its `criterion-scores.csv`, and `check`'s tree of each shipped
//! criteria file. A change here must be deliberate (and documented).

use super::*;

fn sha256(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[test]
fn mini_fixture_csvs_are_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    ok(mini(tmp.path(), &[]));
    let out = tmp.path().join("out");
    let fx = repo().join("tests/fixtures/mini").display().to_string();
    let strip = |s: String| s.replace(&fx, "FIXTURE");
    insta::assert_snapshot!(
        "mini_results_csv",
        strip(std::fs::read_to_string(out.join("results.csv")).unwrap())
    );
    insta::assert_snapshot!(
        "mini_criterion_scores_csv",
        strip(std::fs::read_to_string(out.join("criterion-scores.csv")).unwrap())
    );
}

#[test]
fn sample_csvs_are_unchanged() {
    let tmp = tempfile::tempdir().unwrap();
    ok(run(&args(&sample_args(
        &tmp.path().join("out").display().to_string(),
    ))));
    let out = tmp.path().join("out");
    insta::assert_snapshot!(
        "sample_results_csv",
        std::fs::read_to_string(out.join("results.csv")).unwrap()
    );
    insta::assert_snapshot!(
        "sample_criterion_scores_sha256",
        sha256(&std::fs::read(out.join("criterion-scores.csv")).unwrap())
    );
}

#[test]
fn check_trees_of_the_shipped_sets_are_unchanged() {
    for (name, file) in [
        ("check_xa_2025", "criteria/xa-2025.toml"),
        ("check_so_2025", "criteria/so-2025.toml"),
    ] {
        let o = ok(run(&["check", file]));
        insta::assert_snapshot!(name, o.stdout);
    }
}
