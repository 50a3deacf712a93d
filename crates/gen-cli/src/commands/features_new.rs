//! `gen features new ID --title T`: a feature started without hand-editing YAML — its vector from
//! the method's template, in the layout the workspace uses, checked against the profiles and
//! vectors the workspace has.

use crate::report::{Exit, UserError};
use crate::terminal::{outln, safe};
use clap::Args;
use gen_core::config::{NewVector, VECTOR_TYPES, default_profile, feature_id_problem};
use gen_workspace::{CreateError, Project, Workspace, create_vector};
use miette::Result;

/// `gen features new`
#[derive(Debug, Args)]
pub(crate) struct NewArgs {
    /// The feature id, e.g. REQ-F-PAY-001 (letters, digits, `-`, `_`, `.`).
    pub id: String,
    /// One line saying what the feature is.
    #[arg(long)]
    pub title: String,
    /// The projection profile it walks (default: the vector type's — `standard` for a feature).
    #[arg(long)]
    pub profile: Option<String>,
    /// The feature it is split from (must have a vector).
    #[arg(long)]
    pub parent: Option<String>,
    /// feature, discovery, spike, poc or hotfix.
    #[arg(long = "type", default_value = "feature", value_name = "TYPE")]
    pub vector_type: String,
}

/// Runs the command.
pub(crate) fn run(ws: &Workspace, args: &NewArgs, json: bool) -> Result<Exit> {
    if let Some(why) = feature_id_problem(&args.id) {
        return Err(UserError::new(
            format!("cannot start `{}`: {why}", safe(&args.id)),
            "feature ids look like REQ-F-PAY-001",
        )
        .into());
    }
    if args.title.trim().is_empty() {
        return Err(
            UserError::new("--title is empty", "say in one line what the feature is").into(),
        );
    }
    let Some(type_profile) = default_profile(&args.vector_type) else {
        let types: Vec<&str> = VECTOR_TYPES.iter().map(|(t, _)| *t).collect();
        return Err(UserError::new(
            format!("unknown vector type `{}`", safe(&args.vector_type)),
            format!("use one of: {}", types.join(", ")),
        )
        .into());
    };
    let project = Project::load_for_status(ws);
    let profiles: Vec<&str> = project
        .config
        .profiles
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let profile = args
        .profile
        .clone()
        .unwrap_or_else(|| type_profile.to_string());
    // With no profiles at all (a workspace without a graph yet) any name is taken as written.
    if !profiles.is_empty() && !profiles.contains(&profile.as_str()) {
        return Err(UserError::new(
            format!("there is no profile `{}` in this workspace", safe(&profile)),
            format!("use one of: {} (profiles/ holds them)", profiles.join(", ")),
        )
        .into());
    }
    if let Some(parent) = &args.parent
        && !project
            .vectors
            .files
            .iter()
            .any(|v| &v.vector.feature == parent)
    {
        return Err(UserError::new(
            format!("the parent feature `{}` has no vector", safe(parent)),
            "start the parent first (`gen features new`), or check the id with `gen features`",
        )
        .into());
    }
    let vector = NewVector {
        feature: args.id.clone(),
        title: args.title.trim().to_string(),
        vector_type: args.vector_type.clone(),
        profile,
        parent: args.parent.clone(),
        created: jiff::Timestamp::now()
            .round(jiff::Unit::Second)
            .unwrap_or_else(|_| jiff::Timestamp::now()),
    };
    let created = match create_vector(ws, &vector) {
        Ok(created) => created,
        Err(CreateError::Exists { feature, path }) => {
            errln_refusal(&feature, &path);
            return Ok(Exit::Refused);
        }
        Err(CreateError::Write(e)) => {
            return Err(UserError::new(
                e.to_string(),
                "check the folder's permissions and free space",
            )
            .into());
        }
    };
    if json {
        super::print_json(&created)?;
    } else {
        outln!(
            "Started {}: {} ({} on profile {})",
            safe(&created.feature),
            safe(&created.path),
            created.vector_type,
            safe(&created.profile)
        );
    }
    Ok(Exit::Success)
}

fn errln_refusal(feature: &str, path: &str) {
    crate::terminal::errln!(
        "error: feature {} already has a vector ({}); nothing was written\n  help: pick another id, or edit that file",
        safe(feature),
        safe(path)
    );
}
