//! The `parindex` binary: parse arguments, run, map errors to exit codes (0 ok, 1 bad data or
//! run-time failure, 2 bad usage or bad criteria file).

use std::process::ExitCode;

/// polars frees column buffers on other threads than the ones that allocated them; glibc then
/// keeps a growing arena per thread. Two arenas cut the peak of `derive` on 20M records from
/// 1.9 GB to 1.6 GB and made it faster (bench/derive_bench.py).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn limit_malloc_arenas() {
    // SAFETY: mallopt only tunes the allocator; it runs first in main, before any thread exists.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 2);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn limit_malloc_arenas() {}

/// A child run of `commands::supervise` dies with its parent: killed (even by SIGKILL), the parent
/// takes the child with it, so a killed run stops writing. The variable holds the parent's pid;
/// a parent already gone before the death signal was armed is seen by `getppid` and the child
/// stops at once.
#[cfg(target_os = "linux")]
#[allow(unsafe_code)]
fn die_with_parent() {
    let Some(parent) = parindex::commands::supervise::supervisor_pid() else {
        return;
    };
    // SAFETY: prctl(PR_SET_PDEATHSIG) and getppid only change or read this process's own
    // attributes; called first in main, before any thread exists.
    let orphaned = unsafe {
        libc::prctl(
            libc::PR_SET_PDEATHSIG,
            libc::SIGKILL as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
            0 as libc::c_ulong,
        );
        libc::getppid() != parent
    };
    if orphaned {
        std::process::exit(1);
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent() {}

fn main() -> ExitCode {
    die_with_parent();
    limit_malloc_arenas();
    let cli = match parindex::cli::parse(std::env::args_os().collect()) {
        parindex::cli::Parsed::Run(cli) => *cli,
        parindex::cli::Parsed::Print {
            text,
            to_stderr,
            code,
        } => {
            use std::io::Write;
            let _ = if to_stderr {
                std::io::stderr().lock().write_all(text.as_bytes())
            } else {
                std::io::stdout().lock().write_all(text.as_bytes())
            };
            return ExitCode::from(code);
        }
    };
    match parindex::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let msg = e.to_string();
            if !msg.is_empty() {
                eprintln!("{msg}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}
