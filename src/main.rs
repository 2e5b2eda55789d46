use clap::Parser;
use std::process::ExitCode;

#[rocket::main]
async fn main() -> ExitCode {
    itaku::cli::run(itaku::cli::Cli::parse()).await
}
