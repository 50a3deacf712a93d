//! What `status` and `features` show: the library's one loader with the CLI's words for what to
//! run next.

pub(crate) use gen_workspace::Loaded;
use gen_workspace::Workspace;
use miette::{IntoDiagnostic, Result};

/// Loads the status view (see [`gen_workspace::load_status`]).
pub(crate) fn load(ws: &Workspace, no_cache: bool) -> Result<Loaded> {
    gen_workspace::load_status(ws, no_cache, crate::report::status_see_also()).into_diagnostic()
}
