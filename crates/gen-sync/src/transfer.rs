//! Many small transfers at once: the object stores answer one request at a time per connection, so
//! configs and artifacts move on a few threads, progress reported from the caller's thread.

use crate::OnProgress;
use crate::remote::Progress;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Transfers in flight at once.
pub(crate) const THREADS: usize = 8;

/// Runs `work` on every item, [`THREADS`] at a time, and returns the results in item order; `done`
/// hears of each finished item.
pub(crate) fn each<T: Sync, R: Send>(
    items: &[T],
    done: &mut dyn FnMut(),
    work: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if items.is_empty() {
        return Vec::new();
    }
    let next = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, R)>();
    let mut out: Vec<Option<R>> = (0..items.len()).map(|_| None).collect();
    std::thread::scope(|scope| {
        for _ in 0..THREADS.min(items.len()) {
            let tx = tx.clone();
            let (next, work) = (&next, &work);
            scope.spawn(move || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    if tx.send((i, work(item))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        for (i, r) in rx {
            out[i] = Some(r);
            done();
        }
    });
    out.into_iter().flatten().collect()
}

/// A `done` callback that reports `stage` progress out of `total`.
pub(crate) fn counter<'a>(
    stage: &'static str,
    total: usize,
    progress: OnProgress<'a>,
) -> impl FnMut() + 'a {
    let mut done = 0u64;
    move || {
        done += 1;
        progress(Progress {
            stage,
            done,
            total: total as u64,
        });
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn results_come_back_in_item_order_with_progress_for_each() {
        let items: Vec<u32> = (0..100).collect();
        let mut seen = 0;
        let out = super::each(&items, &mut || seen += 1, |n| n * 2);
        assert_eq!(out, (0..100).map(|n| n * 2).collect::<Vec<_>>());
        assert_eq!(seen, 100);
    }
}
