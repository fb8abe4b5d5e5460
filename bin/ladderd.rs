//! The `ladderd` binary: parse the command line, hand over to the library.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ladderd::cli::Cli::parse();
    match ladderd::cli::dispatch(cli) {
        Ok(code) => code,
        Err(err) => {
            let code = err.exit_code();
            eprintln!("ladderd: error: {:#}", anyhow::Error::from(err));
            ExitCode::from(code)
        }
    }
}
