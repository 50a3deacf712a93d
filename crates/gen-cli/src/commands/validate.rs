//! `gen validate`: every config file checked; errors fail, warnings inform.

use super::print_json;
use crate::report::Exit;
use crate::terminal::{errln, outln, quiet};
use clap::Args;
use gen_core::config::{ConfigSet, Diagnostic, Severity, validate};
use gen_session::check_blueprints;
use gen_workspace::{ConfigFiles, is_config_dir, load_config_dir, load_workspace};
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, Result};
use std::path::{Path, PathBuf};

/// `gen validate`
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Validate a flat plugin config dir (graph_topology.yml, edge_params/, profiles/) instead of a workspace.
    #[arg(long, value_name = "DIR")]
    pub config_dir: Option<PathBuf>,
}

/// Runs the command.
pub(crate) fn run(explicit: Option<&Path>, args: &ValidateArgs, json: bool) -> Result<Exit> {
    let (base, loaded): (PathBuf, ConfigFiles) = match (&args.config_dir, explicit) {
        (Some(dir), _) => (dir.clone(), load_config_dir(dir)),
        (None, Some(p)) if is_config_dir(p) => (p.to_path_buf(), load_config_dir(p)),
        (None, _) => {
            let ws = super::open(explicit)?;
            let loaded = load_workspace(&ws.dir);
            (ws.dir, loaded)
        }
    };
    let report = check(&loaded);
    if json {
        print_json(&report.worded(crate::report::config_hint))?;
    } else {
        // --quiet: errors only, no summary (the exit code says whether it passed).
        let warnings = if quiet() {
            &[][..]
        } else {
            &report.warnings[..]
        };
        for d in report.errors.iter().chain(warnings) {
            errln!("{}", render(d, &loaded, &base));
        }
        let files = count_files(&loaded.set) + loaded.blueprints.len();
        if quiet() {
            // --quiet: the errors above and the exit code say it all.
        } else if report.errors.is_empty() {
            outln!(
                "ok: {files} config files checked in {}, {} warning(s)",
                base.display(),
                report.warnings.len()
            );
        } else {
            outln!(
                "failed: {} error(s), {} warning(s) in {files} config files ({})",
                report.errors.len(),
                report.warnings.len(),
                base.display()
            );
        }
    }
    Ok(Exit::done_if(report.errors.is_empty()))
}

/// Every finding of `gen validate` on loaded config files.
fn check(loaded: &ConfigFiles) -> gen_core::config::Report {
    let mut report = validate(&loaded.set);
    report.errors.extend(check_blueprints(&loaded.blueprints));
    for u in &loaded.unreadable {
        report.errors.push(
            Diagnostic::error(&u.path, None, format!("cannot read file: {}", u.reason))
                .with_hint("save the file as UTF-8 text"),
        );
    }
    report
}

/// The errors `gen validate` would show for the workspace, rendered (what `gen sync push` refuses
/// to send).
pub(crate) fn errors(ws: &gen_workspace::Workspace) -> Vec<String> {
    let loaded = load_workspace(&ws.dir);
    check(&loaded)
        .errors
        .iter()
        .map(|d| render(d, &loaded, &ws.dir))
        .collect()
}

fn count_files(set: &ConfigSet) -> usize {
    usize::from(set.topology.is_some())
        + usize::from(set.constraints.is_some())
        + usize::from(set.evaluator_defaults.is_some())
        + set.edge_params.len()
        + set.profiles.len()
        + set.features.len()
        + set.extra_yaml.len()
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
struct Located {
    message: String,
    help: Option<String>,
    src: NamedSource<String>,
    span: LabeledSpan,
    warning: bool,
}

impl miette::Diagnostic for Located {
    fn severity(&self) -> Option<miette::Severity> {
        Some(if self.warning {
            miette::Severity::Warning
        } else {
            miette::Severity::Error
        })
    }
    fn help<'a>(&'a self) -> Option<Box<dyn std::fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn std::fmt::Display>)
    }
    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.src)
    }
    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(self.span.clone())))
    }
}

fn source_text<'a>(loaded: &'a ConfigFiles, file: &str) -> Option<&'a str> {
    let set = &loaded.set;
    set.topology
        .iter()
        .chain(set.constraints.iter())
        .chain(set.evaluator_defaults.iter())
        .chain(set.edge_params.iter())
        .chain(set.profiles.iter())
        .chain(set.features.iter())
        .chain(set.extra_yaml.iter())
        .chain(loaded.blueprints.iter())
        .find(|f| f.path == file)
        .map(|f| f.text.as_str())
}

/// A source snippet headed by `path:line:col` when the position is known, else `file:line:col: error: message`.
fn render(d: &Diagnostic, loaded: &ConfigFiles, base: &Path) -> String {
    let head = crate::report::advised(d).to_string();
    let (Some(line), Some(text)) = (d.line, source_text(loaded, &d.file)) else {
        return head;
    };
    let offset = offset_of(text, line, d.column.unwrap_or(1));
    let located = Located {
        message: d.message.clone(),
        help: crate::report::config_hint(d),
        src: NamedSource::new(base.join(&d.file).display().to_string(), text.to_string()),
        span: LabeledSpan::at_offset(offset, "here"),
        warning: d.severity == Severity::Warning,
    };
    let mut out = String::new();
    let theme = if crate::terminal::color() {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme);
    if handler.render_report(&mut out, &located).is_err() {
        return head;
    }
    out
}

fn offset_of(text: &str, line: u32, column: u32) -> usize {
    let mut offset = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line as usize {
            let col: usize = l
                .char_indices()
                .nth(column.saturating_sub(1) as usize)
                .map_or(l.len(), |(b, _)| b);
            return offset + col;
        }
        offset += l.len();
    }
    text.len()
}
