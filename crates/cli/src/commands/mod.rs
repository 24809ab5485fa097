//! One module per subcommand; shared argument groups and output in their own modules.

pub mod certificate_json;
pub mod certify;
pub mod metrics;
pub mod model;
pub mod output;
pub mod problem_args;
pub mod reproduce;
pub mod runs;
pub mod train;
pub mod ufm;
