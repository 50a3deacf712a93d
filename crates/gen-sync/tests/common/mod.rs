//! What the sync tests share: a remote whose connection drops after a number of writes.

use gen_sync::{Block, EventItem, LocalRemote, Put, Remote, RemoteError};
use std::cell::Cell;
use std::collections::BTreeMap;

/// A remote that drops the connection once its write budget is spent (`None`: never), one write per
/// item, so a batch can be cut in the middle.
pub(crate) struct Cut<'a> {
    pub(crate) inner: &'a LocalRemote,
    pub(crate) writes_left: Cell<Option<usize>>,
}

impl Cut<'_> {
    fn spend(&self) -> Result<(), RemoteError> {
        match self.writes_left.get() {
            Some(0) => Err(RemoteError::Unavailable("the connection dropped".into())),
            Some(n) => {
                self.writes_left.set(Some(n - 1));
                Ok(())
            }
            None => Ok(()),
        }
    }
}

impl Remote for Cut<'_> {
    fn get_events(&self, sks: &[String]) -> Result<Vec<EventItem>, RemoteError> {
        self.inner.get_events(sks)
    }
    fn create_events(&self, items: &[EventItem]) -> Result<Vec<Put>, RemoteError> {
        let mut puts = Vec::new();
        for item in items {
            self.spend()?;
            puts.extend(self.inner.create_events(std::slice::from_ref(item))?);
        }
        Ok(puts)
    }
    fn put_block(&self, origin: &str, block: &Block) -> Result<(), RemoteError> {
        self.spend()?;
        self.inner.put_block(origin, block)
    }
    fn blocks_between(
        &self,
        origin: &str,
        first: u64,
        last: u64,
    ) -> Result<Vec<Block>, RemoteError> {
        self.inner.blocks_between(origin, first, last)
    }
    fn heads(&self) -> Result<BTreeMap<String, u64>, RemoteError> {
        self.inner.heads()
    }
    fn raise_head(&self, origin: &str, seq: u64) -> Result<(), RemoteError> {
        self.spend()?;
        self.inner.raise_head(origin, seq)
    }
    fn all_events(&self) -> Result<Vec<EventItem>, RemoteError> {
        self.inner.all_events()
    }
}
