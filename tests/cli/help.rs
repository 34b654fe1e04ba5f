//! The command line as a clerk meets it: help and usage errors in Vietnamese by default and in
//! English with `--lang en` (anywhere on the line) or `PARINDEX_LANG=en`, shell completions, and
//! every example of every `--help` run as written from a copy of the checkout.

use super::*;

/// Run from the checkout with one environment variable set.
fn run_env(args: &[&str], var: (&str, &str)) -> Out {
    run_with(&repo(), args, &[var])
}

/// clap's English words, none of which a Vietnamese help or usage error may print.
const ENGLISH: &[&str] = &[
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Print help",
    "Print version",
    "possible values",
    "[default",
    "error:",
    "unexpected argument",
    "tip:",
    "For more information",
];

#[test]
fn help_is_vietnamese_by_default_and_english_with_lang_en() {
    for args in [
        &["--help"][..],
        &["score", "--help"],
        &["check", "--help"],
        &["template", "--help"],
        &["derive", "--help"],
        &["completions", "--help"],
    ] {
        let vi = run(args);
        assert_eq!(vi.code, 0, "{vi:?}");
        assert!(
            vi.stdout.contains("Cách dùng: parindex") && vi.stdout.contains("Ví dụ:"),
            "{vi:?}"
        );
        for w in ENGLISH {
            assert!(!vi.stdout.contains(w), "`{w}` in {vi:?}");
        }
        // English: --lang en before or after the command, or the environment.
        let mut before = vec!["--lang", "en"];
        before.extend_from_slice(args);
        let mut after = args.to_vec();
        after.extend_from_slice(&["--lang", "en"]);
        for en in [
            run(&before),
            run(&after),
            run_env(args, ("PARINDEX_LANG", "en")),
        ] {
            assert_eq!(en.code, 0, "{en:?}");
            assert!(
                en.stdout.contains("Usage: parindex") && en.stdout.contains("Examples:"),
                "{en:?}"
            );
            assert!(!en.stdout.contains("Cách dùng"), "{en:?}");
        }
    }
    let vi = run(&["score", "--help"]);
    for s in [
        "Tùy chọn:",
        "--replications <N>           Số lần mô phỏng Monte Carlo",
        "-q, --quiet                      Chỉ in dòng tóm tắt",
        "[giá trị: auto, vi, en]",
    ] {
        assert!(vi.stdout.contains(s), "{s} in {vi:?}");
    }
    // A bad language in the environment is a usage error, said in both languages.
    let bad = run_env(&["--help"], ("PARINDEX_LANG", "fr"));
    assert_eq!(bad.code, 2, "{bad:?}");
    assert!(bad.stderr.contains("PARINDEX_LANG=`fr`"), "{bad:?}");
}

#[test]
fn usage_errors_are_worded_in_the_runs_language_with_did_you_mean() {
    let cases: &[(&[&str], &[&str], &str)] = &[
        (
            &["score", "--oot", "x"],
            &["lỗi: không có tham số `--oot`", "có phải ý bạn là `--out`?"],
            "unexpected argument '--oot'",
        ),
        (
            &["scor"],
            &["lỗi: không có lệnh `scor`", "có phải ý bạn là `score`?"],
            "unrecognized subcommand 'scor'",
        ),
        (
            &["score", "--out"],
            &["lỗi: `--out <DIR>` cần một giá trị"],
            "a value is required for '--out <DIR>'",
        ),
        (
            &["score", "--replications", "0"],
            &["lỗi: `--replications <N>` nhận `0`: phải từ 1 đến 1000000"],
            "invalid value '0' for '--replications <N>'",
        ),
        (
            &["score", "--locale", "fr"],
            &["lỗi: `fr` không phải giá trị của `--locale <LOCALE>`; các giá trị được nhận: `auto`, `vi`, `en`"],
            "invalid value 'fr' for '--locale <LOCALE>'",
        ),
        (
            &["template", "--self", "--appraisal"],
            &["lỗi: `--self` không dùng cùng `--appraisal`"],
            "cannot be used with",
        ),
        (
            &["check"],
            &["lỗi: thiếu tham số bắt buộc: `<FILE>...`"],
            "the following required arguments were not provided",
        ),
    ];
    for (args, vi_words, en_words) in cases {
        let vi = run(args);
        assert_eq!(vi.code, 2, "{vi:?}");
        for w in *vi_words {
            assert!(vi.stderr.contains(w), "`{w}` in {vi:?}");
        }
        for w in ENGLISH {
            assert!(!vi.stderr.contains(w), "`{w}` in {vi:?}");
        }
        let mut en_args = args.to_vec();
        en_args.extend_from_slice(&["--lang", "en"]);
        let en = run(&en_args);
        assert_eq!(en.code, 2, "{en:?}");
        assert!(en.stderr.contains(en_words), "{en:?}");
    }
    // Without a command: the help, on stderr, exit 2.
    let bare = run(&[]);
    assert_eq!(bare.code, 2, "{bare:?}");
    assert!(bare.stderr.contains("Cách dùng: parindex"), "{bare:?}");
}

#[test]
fn completions_for_each_shell_name_every_command_and_flag() {
    for (shell, marker) in [
        ("bash", "_parindex()"),
        ("zsh", "#compdef parindex"),
        ("fish", "complete -c parindex"),
        ("powershell", "Register-ArgumentCompleter"),
    ] {
        let o = ok(run(&["completions", shell]));
        assert!(o.stdout.contains(marker), "{shell}: {o:?}");
        // (fish names a flag without its dashes: `-l replications`.)
        for w in ["score", "template", "derive", "replications", "scorecards"] {
            assert!(o.stdout.contains(w), "{shell}: {w}");
        }
    }
    let bad = run(&["completions", "tcsh"]);
    assert_eq!(bad.code, 2, "{bad:?}");
}

/// The words of a shell command line (single quotes; a trailing `> file` is dropped).
fn shell_words(line: &str) -> Vec<String> {
    let mut words = vec![];
    let mut w = String::new();
    let (mut quoted, mut any) = (false, false);
    for ch in line.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            ' ' if !quoted => {
                if any {
                    words.push(std::mem::take(&mut w));
                    any = false;
                }
            }
            c => {
                w.push(c);
                any = true;
            }
        }
    }
    if any {
        words.push(w);
    }
    if let Some(i) = words.iter().position(|w| w == ">") {
        words.truncate(i);
    }
    words
}

/// The example command lines of a help text (continuation lines joined).
fn examples(help: &str) -> Vec<Vec<String>> {
    let mut out = vec![];
    let mut lines = help.lines();
    while let Some(l) = lines.next() {
        let Some(start) = l.trim_start().strip_prefix("parindex ") else {
            continue;
        };
        let mut cmd = start.to_string();
        while cmd.ends_with('\\') {
            cmd.pop();
            cmd.push(' ');
            cmd += lines.next().unwrap_or("").trim();
        }
        out.push(shell_words(cmd.trim()));
    }
    out
}

#[test]
fn every_example_in_every_help_runs_as_written_from_the_checkout() {
    let tmp = tempfile::tempdir().unwrap();
    for dir in ["criteria", "sample-data"] {
        copy_dir(&repo().join(dir), &tmp.path().join(dir));
    }
    // The README's run writes next to the checkout (`out = "../out"`): inside the copy.
    let mut ran = 0;
    for lang in ["vi", "en"] {
        for cmd in [
            "",
            "check",
            "score",
            "template",
            "decision",
            "criteria",
            "criteria diff",
            "criteria import",
            "criteria export",
            "derive",
            "completions",
        ] {
            let mut args = vec!["--lang", lang];
            args.extend(cmd.split_whitespace());
            args.push("--help");
            let help = ok(run(&args)).stdout;
            let found = examples(&help);
            assert!(!found.is_empty(), "no example in {help}");
            for ex in found {
                let ex: Vec<&str> = ex.iter().map(String::as_str).collect();
                let o = run_in(tmp.path(), &ex);
                assert_eq!(o.code, 0, "an example of `{cmd} --help` fails: {o:?}");
                ran += 1;
            }
        }
    }
    assert!(ran >= 52, "{ran} examples");
}
