//! The `parindex` binary: parse arguments, run, map errors to exit codes (0 ok, 1 bad data or
//! run-time failure, 2 bad usage or bad criteria file).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = parindex::cli::Cli::parse();
    match parindex::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::from(e.exit_code())
        }
    }
}
