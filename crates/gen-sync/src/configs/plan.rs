//! Configs go up, git-like (seed `000_*`, "Team Mode": author locally, push, teammates pull): what a
//! push or pull does with each config file, decided from three hashes — the file here, the file in the
//! remote's manifest, and the file as it was at this workspace's last sync (its *base*). Pure: the
//! shell reads the files and the manifest, and carries the plan out.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// One config file as one side holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileState {
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// Size in bytes.
    pub size: u64,
}

/// Path (relative to the workspace, `/`-separated) to state.
pub type Files = BTreeMap<String, FileState>;

/// What a push or pull does with one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Step {
    /// Send the local file up (push) or write the remote one here (pull).
    Copy {
        /// The file.
        path: String,
        /// Whether the other side had it (changed) or not (added).
        replaces: bool,
    },
    /// Remove the file on the other side (push: with `--delete` only; pull: when the remote deleted
    /// it and it is unchanged here since the last sync).
    Delete {
        /// The file.
        path: String,
    },
    /// Both sides agree already; only the base moves.
    Agree {
        /// The file.
        path: String,
    },
    /// Changed here and on the remote since the last sync: left alone on both sides.
    Conflict {
        /// The file.
        path: String,
        /// In words, with both hashes.
        reason: String,
    },
    /// Nothing to do now (the change belongs to the other direction, or `--delete` was not given).
    Skip {
        /// The file.
        path: String,
        /// Why, in words.
        reason: String,
    },
}

/// How a run may resolve what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Resolve {
    /// Push: overwrite the remote's version of a conflict with ours.
    pub force: bool,
    /// Pull: overwrite our version of a conflict with the remote's.
    pub theirs: bool,
    /// Push: delete remotely what was deleted here since the last sync.
    pub delete: bool,
}

fn short(h: Option<&FileState>) -> String {
    h.map_or_else(
        || "none".to_string(),
        |f| f.sha256.chars().take(12).collect(),
    )
}

fn differs(a: Option<&FileState>, b: Option<&FileState>) -> bool {
    a.map(|f| &f.sha256) != b.map(|f| &f.sha256)
}

/// The push plan: every path any side knows, in path order.
pub fn plan_push(local: &Files, remote: &Files, base: &Files, how: Resolve) -> Vec<Step> {
    paths(local, remote, base)
        .into_iter()
        .filter_map(|path| {
            let (l, r, b) = (local.get(&path), remote.get(&path), base.get(&path));
            let here_changed = differs(l, b);
            let there_changed = differs(r, b);
            Some(match (l, r) {
                _ if !differs(l, r) => {
                    // Absent on both sides (deleted here and there): nothing to do.
                    l?;
                    Step::Agree { path }
                }
                (Some(_), _) if !there_changed || how.force => Step::Copy {
                    replaces: r.is_some(),
                    path,
                },
                (Some(_), _) if here_changed => Step::Conflict {
                    reason: format!(
                        "changed here ({}) and on the remote ({}) since the last sync ({}); `gen sync pull --theirs` takes the remote's, `gen sync push --force` sends ours",
                        short(l),
                        short(r),
                        short(b)
                    ),
                    path,
                },
                (Some(_), _) => Step::Skip {
                    reason: "changed on the remote only: `gen sync pull` brings it".into(),
                    path,
                },
                (None, Some(_)) if b.is_some() && !there_changed => {
                    if how.delete {
                        Step::Delete { path }
                    } else {
                        Step::Skip {
                            reason: "deleted here: `gen sync push --delete` deletes it remotely".into(),
                            path,
                        }
                    }
                }
                (None, Some(_)) if b.is_some() => Step::Conflict {
                    reason: format!(
                        "deleted here and changed on the remote ({}) since the last sync",
                        short(r)
                    ),
                    path,
                },
                (None, _) => Step::Skip {
                    reason: "new on the remote: `gen sync pull` brings it".into(),
                    path,
                },
            })
        })
        .collect()
}

/// The pull plan: what comes down. A local file changed since the last sync is never overwritten
/// or deleted (unless `theirs` overwrites it): the conflict is reported (the shell writes the remote
/// version beside it).
pub fn plan_pull(local: &Files, remote: &Files, base: &Files, how: Resolve) -> Vec<Step> {
    paths(local, remote, base)
        .into_iter()
        .filter_map(|path| {
            let (l, r, b) = (local.get(&path), remote.get(&path), base.get(&path));
            let here_changed = differs(l, b);
            let there_changed = differs(r, b);
            Some(match (l, r) {
                _ if !differs(l, r) => {
                    // Absent on both sides (deleted here and there): nothing to do.
                    l?;
                    Step::Agree { path }
                }
                (_, Some(_)) if !here_changed || how.theirs => Step::Copy {
                    replaces: l.is_some(),
                    path,
                },
                (_, Some(_)) if there_changed => Step::Conflict {
                    reason: format!(
                        "changed here ({}) and on the remote ({}) since the last sync ({}); the remote version is written beside it as .remote",
                        short(l),
                        short(r),
                        short(b)
                    ),
                    path,
                },
                (_, Some(_)) => Step::Skip {
                    reason: "changed here only: `gen sync push` sends it".into(),
                    path,
                },
                // Deleted on the remote (`push --delete`) and untouched here since: it goes here
                // too, as in git. Changed here since: local work is never deleted.
                (Some(_), None) if b.is_some() && !here_changed => Step::Delete { path },
                (Some(_), None) if b.is_some() => Step::Skip {
                    reason: "deleted on the remote but changed here since the last sync: kept (`gen sync push` sends it back)".into(),
                    path,
                },
                (Some(_), None) => Step::Skip {
                    reason: "not on the remote yet: `gen sync push` sends it".into(),
                    path,
                },
                (None, None) => return None,
            })
        })
        .collect()
}

fn paths(local: &Files, remote: &Files, base: &Files) -> BTreeSet<String> {
    local
        .keys()
        .chain(remote.keys())
        .chain(base.keys())
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(h: &str) -> FileState {
        FileState {
            sha256: h.repeat(8),
            size: 1,
        }
    }

    fn files(entries: &[(&str, &str)]) -> Files {
        entries.iter().map(|(p, h)| (p.to_string(), f(h))).collect()
    }

    fn kinds(steps: &[Step]) -> Vec<(&str, &str)> {
        steps
            .iter()
            .map(|s| match s {
                Step::Copy { path, .. } => (path.as_str(), "copy"),
                Step::Delete { path } => (path.as_str(), "delete"),
                Step::Agree { path } => (path.as_str(), "agree"),
                Step::Conflict { path, .. } => (path.as_str(), "conflict"),
                Step::Skip { path, .. } => (path.as_str(), "skip"),
            })
            .collect()
    }

    #[test]
    fn push_sends_what_changed_here_and_refuses_what_changed_on_both_sides() {
        let base = files(&[
            ("same", "a"),
            ("mine", "a"),
            ("theirs", "a"),
            ("both", "a"),
            ("gone", "a"),
        ]);
        let local = files(&[
            ("same", "a"),
            ("mine", "b"),
            ("theirs", "a"),
            ("both", "b"),
            ("new", "n"),
        ]);
        let remote = files(&[
            ("same", "a"),
            ("mine", "a"),
            ("theirs", "c"),
            ("both", "c"),
            ("gone", "a"),
        ]);
        let plan = plan_push(&local, &remote, &base, Resolve::default());
        assert_eq!(
            kinds(&plan),
            [
                ("both", "conflict"),
                ("gone", "skip"),
                ("mine", "copy"),
                ("new", "copy"),
                ("same", "agree"),
                ("theirs", "skip"),
            ]
        );
        let Step::Conflict { reason, .. } = &plan[0] else {
            panic!()
        };
        assert!(
            reason.contains("bbbbbbbb") && reason.contains("cccccccc"),
            "{reason}"
        );
        let forced = plan_push(
            &local,
            &remote,
            &base,
            Resolve {
                force: true,
                delete: true,
                theirs: false,
            },
        );
        assert_eq!(kinds(&forced)[..2], [("both", "copy"), ("gone", "delete")]);
    }

    #[test]
    fn pull_brings_what_changed_remotely_and_never_overwrites_a_local_change() {
        let base = files(&[("mine", "a"), ("theirs", "a"), ("both", "a"), ("gone", "a")]);
        let local = files(&[("mine", "b"), ("theirs", "a"), ("both", "b"), ("gone", "a")]);
        let remote = files(&[("mine", "a"), ("theirs", "c"), ("both", "c"), ("new", "n")]);
        let plan = plan_pull(&local, &remote, &base, Resolve::default());
        assert_eq!(
            kinds(&plan),
            [
                ("both", "conflict"),
                ("gone", "delete"),
                ("mine", "skip"),
                ("new", "copy"),
                ("theirs", "copy"),
            ]
        );
        let theirs = plan_pull(
            &local,
            &remote,
            &base,
            Resolve {
                theirs: true,
                ..Resolve::default()
            },
        );
        assert_eq!(kinds(&theirs)[0], ("both", "copy"));
    }

    #[test]
    fn the_same_change_on_both_sides_is_agreement_not_a_conflict() {
        let base = files(&[("x", "a")]);
        let both = files(&[("x", "b")]);
        assert_eq!(
            kinds(&plan_push(&both, &both, &base, Resolve::default())),
            [("x", "agree")]
        );
        assert_eq!(
            kinds(&plan_pull(&both, &both, &base, Resolve::default())),
            [("x", "agree")]
        );
        // Deleted on both sides: nothing at all.
        assert!(plan_push(&Files::new(), &Files::new(), &base, Resolve::default()).is_empty());
    }
}
