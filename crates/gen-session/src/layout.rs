//! Node positions (`layout.json`): view state beside the journal, never an undo step.

use gen_workbench::{Draft, Layout};
use gen_workspace::write_atomic;

use crate::lock::DraftLock;
use crate::{DraftError, DraftName, Drafts, io};

impl Drafts {
    /// Replaces a draft's node positions (view state: no history entry, no revision change).
    pub fn set_layout(&self, name: &DraftName, layout: &Layout) -> Result<(), DraftError> {
        if !self.exists(name) {
            return Err(self.not_found(name));
        }
        let _lock = DraftLock::take(&self.folder(name).join("lock"), true)?;
        self.write_layout(name, layout)
    }

    /// Merges positions into a draft's stored ones (view state: no history entry). Positions of
    /// steps an undo or redo could bring back are kept, so an undone delete returns the step where
    /// it was; positions of steps no history state holds any more are dropped.
    pub fn merge_layout(&self, name: &DraftName, incoming: &Layout) -> Result<Layout, DraftError> {
        let session = self.load(name)?;
        let _lock = DraftLock::take(&self.folder(name).join("lock"), true)?;
        let path = self.layout_path(name);
        let mut merged: Layout = std::fs::read(&path)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        for (id, position) in &incoming.positions {
            merged.positions.insert(id.clone(), *position);
        }
        let history = &session.history;
        merged.positions.retain(|id, _| {
            history.draft().contains_node(id) || history.snapshots().any(|d| d.contains_node(id))
        });
        self.write_layout(name, &merged)?;
        let mut shown = merged;
        shown.retain_nodes(history.draft());
        Ok(shown)
    }

    pub(crate) fn write_layout(&self, name: &DraftName, layout: &Layout) -> Result<(), DraftError> {
        let path = self.layout_path(name);
        if layout.positions.is_empty() {
            return match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    Err(io("cannot remove", &path)(e))
                }
                _ => Ok(()),
            };
        }
        let mut text = serde_json::to_string_pretty(layout).unwrap_or_default();
        text.push('\n');
        write_atomic(&path, text.as_bytes())?;
        Ok(())
    }

    /// The stored positions of steps the draft has (a missing or unreadable file is no positions:
    /// view state is never worth failing a command over).
    /// Positions are view state: an unreadable file costs the layout, never the draft, and is reported.
    pub(crate) fn read_layout(
        &self,
        name: &DraftName,
        draft: &Draft,
    ) -> Result<(Layout, Option<String>), DraftError> {
        let path = self.layout_path(name);
        let (mut layout, problem) = match std::fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<Layout>(&bytes) {
                Ok(layout) => (layout, None),
                Err(e) => (
                    Layout::default(),
                    Some(format!(
                        "{} is not a valid layout ({e}); node positions were reset",
                        path.display()
                    )),
                ),
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Layout::default(), None),
            Err(e) => return Err(io("cannot read", &path)(e)),
        };
        layout.retain_nodes(draft);
        Ok((layout, problem))
    }
}
