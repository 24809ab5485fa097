//! Maps errors to exit codes: 2 for bad input (the user can fix it), 1 for everything else.

use collapse_core::CoreError;
use std::process::ExitCode;

/// An error caused by the user's input: exit code 2.
#[derive(Debug)]
pub struct BadInput(pub String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

/// Whether an error chain was caused by input the user can fix.
fn is_bad_input(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<BadInput>().is_some()
            || matches!(
                cause.downcast_ref::<CoreError>(),
                Some(e) if !matches!(e, CoreError::Numerical(_))
            )
    })
}

/// Prints the error chain and picks the exit code.
pub fn finish(result: anyhow::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(if is_bad_input(&err) { 2 } else { 1 })
        }
    }
}
