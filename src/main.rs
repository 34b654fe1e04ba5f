//! The `parindex` binary: parse arguments, run, map errors to exit codes (0 ok, 1 bad data or
//! run-time failure, 2 bad usage or bad criteria file).

use std::process::ExitCode;

use clap::Parser;

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

fn main() -> ExitCode {
    limit_malloc_arenas();
    let cli = parindex::cli::Cli::parse();
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
