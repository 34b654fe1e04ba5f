//! Running a command in a supervised child process when it reads Parquet: polars' Parquet decoder
//! can abort the whole process (a panic that does not unwind, on a damaged page), which no
//! `catch_unwind` turns into an error. The command line is run again in a child that does the
//! work and writes the outputs; this process relays its messages and turns an abort into an error
//! naming the inputs. The child dies with its parent (`main`'s `die_with_parent`). Owned by the
//! command layer: it knows the command's inputs and output folder.

/// Set in a child run by [`supervise`] to the supervisor's pid, so the child does the work itself
/// and dies with its supervisor (`main`'s `die_with_parent`).
const CHILD: &str = "PARINDEX_ISOLATED_CHILD";

/// Whether this process is the child of [`supervise`].
fn is_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// The pid of the supervisor of this child run, if this is one.
pub fn supervisor_pid() -> Option<i32> {
    std::env::var(CHILD).ok()?.parse().ok()
}

/// When any of `inputs` is Parquet and this is not already the child, run the command in a
/// supervised child ([`supervise`]) and return its outcome; `None` means: go on here.
pub fn parquet_in_child(
    inputs: &[&std::path::Path],
    out_dir: &std::path::Path,
) -> Option<crate::Result<()>> {
    let parquet: Vec<String> = inputs
        .iter()
        .filter(|p| {
            crate::input::ingest::file_kind(p) == Some(crate::input::ingest::FileKind::Parquet)
        })
        .map(|p| p.display().to_string())
        .collect();
    (!parquet.is_empty() && !is_child()).then(|| supervise(&parquet.join(", "), out_dir))
}

/// Re-run this very command line in a child process and relay its output. polars' streaming
/// engine can abort the whole process (a panic that does not unwind, on a damaged Parquet page);
/// in a child that becomes an error naming the inputs, exit 1. The child writes its outputs
/// itself, atomically; temporaries a killed child leaves in `out_dir` are removed. The child dies
/// with this process (a kill of `parindex` stops the whole run, never leaving a child writing).
pub fn supervise(inputs: &str, out_dir: &std::path::Path) -> crate::Result<()> {
    use std::io::{BufRead, Write};
    let exe = std::env::current_exe().map_err(|e| crate::Error::Other(e.to_string()))?;
    let started = std::time::SystemTime::now();
    let mut child = std::process::Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env(CHILD, std::process::id().to_string())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|e| crate::Error::Other(e.to_string()))?;
    // From a panic report on, lines are held back: shown if the child goes on to exit
    // normally, dropped if it aborts (a backtrace is not for officials).
    let mut held: Vec<String> = Vec::new();
    if let Some(err) = child.stderr.take() {
        let mut out = std::io::stderr().lock();
        for line in std::io::BufReader::new(err).lines() {
            let Ok(line) = line else { break };
            let alarm = (line.starts_with("thread '") && line.contains("panicked at"))
                || line.starts_with("memory allocation of")
                || line.starts_with("stack backtrace:")
                || line.starts_with("fatal runtime error")
                || line.starts_with("thread caused non-unwinding panic");
            if !held.is_empty() || alarm {
                held.push(line);
                continue;
            }
            let _ = writeln!(out, "{line}");
        }
    }
    let status = child
        .wait()
        .map_err(|e| crate::Error::Other(e.to_string()))?;
    if status.code().is_some() {
        let mut out = std::io::stderr().lock();
        for line in &held {
            let _ = writeln!(out, "{line}");
        }
    }
    match status.code() {
        Some(0) => Ok(()),
        Some(c) => Err(crate::Error::Exited(u8::try_from(c).unwrap_or(1))),
        None => {
            crate::report::remove_temporaries(out_dir, |t| t >= started);
            Err(crate::Error::data(
                inputs,
                crate::tr!(
                    "không đọc được: tệp Parquet bị hỏng (bộ đọc dừng đột ngột)",
                    "cannot read: damaged Parquet (the reader stopped abruptly)"
                ),
            ))
        }
    }
}
