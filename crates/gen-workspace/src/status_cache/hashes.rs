//! The content hashes of the covered events without their own `event_id`, for occurrence numbers.
//!
//! A new line without an id is named after its content and how many lines of the same content came
//! before it, so the cache must be able to count a content hash over the whole covered prefix. There
//! is one 16-byte hash per such line (16 MB for a million), so the list is kept in two files, neither
//! of which is read whole on the usual paths:
//!
//! - `hashes.bin`, the *base*: a header (digest of the rest, count, bucket bits), a directory of
//!   `2^bits + 1` bucket starts (buckets by the top bits of the hash) and the sorted hashes. A count
//!   reads the header and directory, then one bucket per distinct hash asked for. It is only rewritten
//!   when the newer hashes are merged into it.
//! - `hashes-new.bin`: the hashes added since, sorted; small, read and rewritten whole.
//!
//! The meta names the base by its digest (checked against the header: the two files belong together,
//! as written by atomic renames) and the newer list by the digest of its bytes (checked on read).

use super::io_error;
use crate::log::LogError;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::path::Path;

const BASE: &str = "hashes.bin";
const NEWER: &str = "hashes-new.bin";
const HEADER: usize = 24;

/// Where the hash list of the covered prefix is: what the meta stores.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(super) struct HashIndex {
    /// Digest of the base file past its header (also in the header).
    base: u64,
    /// Hashes in the base.
    base_len: u64,
    /// Digest of the newer list's bytes (empty list: no file).
    newer: u64,
    /// Hashes in the newer list.
    newer_len: u64,
}

fn digest(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(bytes)
}

fn bits_for(n: u64) -> u32 {
    // About eight hashes per bucket, at most 2^16 buckets (a 256 KiB directory).
    (64 - n.leading_zeros()).saturating_sub(3).min(16)
}

fn bucket(key: u128, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (key >> (128 - bits)) as usize
    }
}

fn decode(bytes: &[u8]) -> Vec<u128> {
    bytes
        .chunks_exact(16)
        .map(|c| u128::from_le_bytes(c.try_into().unwrap_or([0; 16])))
        .collect()
}

fn encode_list(list: &[u128]) -> Vec<u8> {
    let mut out = Vec::with_capacity(list.len() * 16);
    for h in list {
        out.extend_from_slice(&h.to_le_bytes());
    }
    out
}

/// The base file for a sorted list.
fn encode_base(sorted: &[u128]) -> (Vec<u8>, u64) {
    let bits = bits_for(sorted.len() as u64);
    let buckets = 1usize << bits;
    let mut body = Vec::with_capacity((buckets + 1) * 4 + sorted.len() * 16);
    let mut at = 0usize;
    for b in 0..=buckets {
        while at < sorted.len() && bucket(sorted[at], bits) < b {
            at += 1;
        }
        let start = if b == buckets { sorted.len() } else { at };
        body.extend_from_slice(&(start as u32).to_le_bytes());
    }
    body.extend_from_slice(&encode_list(sorted));
    let d = digest(&body);
    let mut out = Vec::with_capacity(HEADER + body.len());
    out.extend_from_slice(&d.to_le_bytes());
    out.extend_from_slice(&(sorted.len() as u64).to_le_bytes());
    out.extend_from_slice(&u64::from(bits).to_le_bytes());
    out.extend_from_slice(&body);
    (out, d)
}

/// How many times `key` is in the sorted list.
fn count(sorted: &[u128], key: u128) -> u32 {
    let lo = sorted.partition_point(|h| *h < key);
    let hi = sorted.partition_point(|h| *h <= key);
    (hi - lo) as u32
}

/// Reads `len` bytes at `offset`.
fn read_at(file: &std::fs::File, offset: u64, len: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileExt;
        file.read_exact_at(&mut buf, offset)?;
    }
    #[cfg(not(unix))]
    {
        use std::io::{Read, Seek};
        let mut f = file;
        f.seek(std::io::SeekFrom::Start(offset))?;
        f.read_exact(&mut buf)?;
    }
    Ok(buf)
}

impl HashIndex {
    /// Writes the list of a full read (sorted) as the base, with no newer list.
    pub(super) fn write_full(dir: &Path, sorted: &[u128]) -> Result<HashIndex, LogError> {
        let (bytes, base) = encode_base(sorted);
        super::write_file(dir, BASE, &bytes)?;
        Ok(HashIndex {
            base,
            base_len: sorted.len() as u64,
            newer: digest(&[]),
            newer_len: 0,
        })
    }

    /// The newer list, checked against the meta.
    fn read_newer(&self, dir: &Path) -> Option<Vec<u128>> {
        if self.newer_len == 0 {
            return Some(Vec::new());
        }
        let bytes = std::fs::read(dir.join(NEWER)).ok()?;
        (bytes.len() as u64 == self.newer_len * 16 && digest(&bytes) == self.newer)
            .then(|| decode(&bytes))
    }

    /// How many times each of `keys` is in the covered prefix, reading one bucket of the base per key;
    /// `None` if the files are missing or are not the ones the meta was written with.
    pub(super) fn counts(&self, dir: &Path, keys: &[u128]) -> Option<Counts> {
        let newer = self.read_newer(dir)?;
        let mut keys = keys.to_vec();
        keys.sort_unstable();
        keys.dedup();
        let mut base = FxHashMap::default();
        if self.base_len > 0 {
            let file = std::fs::File::open(dir.join(BASE)).ok()?;
            let header = read_at(&file, 0, HEADER).ok()?;
            let word = |i: usize| {
                u64::from_le_bytes(header[i * 8..i * 8 + 8].try_into().unwrap_or([0; 8]))
            };
            let bits = word(2);
            if word(0) != self.base
                || word(1) != self.base_len
                || bits != u64::from(bits_for(self.base_len))
            {
                return None;
            }
            let bits = bits as u32;
            let buckets = 1usize << bits;
            let dir_bytes = read_at(&file, HEADER as u64, (buckets + 1) * 4).ok()?;
            let start = |b: usize| {
                u64::from(u32::from_le_bytes(
                    dir_bytes[b * 4..b * 4 + 4].try_into().unwrap_or([0; 4]),
                ))
            };
            if start(buckets) != self.base_len {
                return None;
            }
            let list_at = (HEADER + (buckets + 1) * 4) as u64;
            let mut i = 0;
            while i < keys.len() {
                let b = bucket(keys[i], bits);
                let (lo, hi) = (start(b), start(b + 1));
                if lo > hi || hi > self.base_len {
                    return None;
                }
                let entries =
                    decode(&read_at(&file, list_at + lo * 16, ((hi - lo) * 16) as usize).ok()?);
                while i < keys.len() && bucket(keys[i], bits) == b {
                    base.insert(keys[i], count(&entries, keys[i]));
                    i += 1;
                }
            }
        }
        Some(Counts { base, newer })
    }

    /// Adds the hashes of new lines: to the newer list, or, once that has grown to an eighth of the
    /// base, merged into a new base (the one time the base is read whole).
    pub(super) fn add(
        &self,
        dir: &Path,
        newer: &[u128],
        added: &[u128],
    ) -> Result<HashIndex, LogError> {
        let mut added = added.to_vec();
        added.sort_unstable();
        let list = merge_sorted(newer, &added);
        if (list.len() as u64) * 8 <= self.base_len + 65536 {
            let bytes = encode_list(&list);
            super::write_file(dir, NEWER, &bytes)?;
            return Ok(HashIndex {
                newer: digest(&bytes),
                newer_len: list.len() as u64,
                ..self.clone()
            });
        }
        let base = self
            .read_base(dir)
            .ok_or_else(|| io_error(dir.join(BASE), "cache hashes unreadable"))?;
        HashIndex::write_full(dir, &merge_sorted(&base, &list))
    }

    /// The whole base list, checked against its digest.
    fn read_base(&self, dir: &Path) -> Option<Vec<u128>> {
        if self.base_len == 0 {
            return Some(Vec::new());
        }
        let bytes = std::fs::read(dir.join(BASE)).ok()?;
        let body = bytes.get(HEADER..)?;
        let buckets = 1usize << bits_for(self.base_len);
        let list = body.get((buckets + 1) * 4..)?;
        (bytes[..8] == self.base.to_le_bytes()
            && digest(body) == self.base
            && list.len() as u64 == self.base_len * 16)
            .then(|| decode(list))
    }
}

/// Counts of a set of hashes in the covered prefix, and the newer list (kept to add to it).
pub(super) struct Counts {
    base: FxHashMap<u128, u32>,
    pub(super) newer: Vec<u128>,
}

impl Counts {
    /// How many lines of the covered prefix have this content hash (0 for a hash not asked for).
    pub(super) fn get(&self, key: u128) -> u32 {
        self.base.get(&key).copied().unwrap_or(0) + count(&self.newer, key)
    }
}

/// The union (with repeats) of two sorted lists, in order.
fn merge_sorted(a: &[u128], b: &[u128]) -> Vec<u128> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i] <= b[j] {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
    out.extend_from_slice(&a[i..]);
    out.extend_from_slice(&b[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_buckets_of_the_base_and_the_newer_list() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        // Spread over the buckets, with repeats, plus a few small keys (all in bucket 0).
        let mut list: Vec<u128> = (0..5000u128)
            .map(|i| (i % 1700).wrapping_mul(0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c835))
            .chain([1, 1, 2])
            .collect();
        list.sort_unstable();
        let index = HashIndex::write_full(dir, &list).unwrap();
        let probe: Vec<u128> = list
            .iter()
            .step_by(97)
            .copied()
            .chain([3, 1, u128::MAX])
            .collect();
        let counts = index.counts(dir, &probe).unwrap();
        for k in &probe {
            assert_eq!(counts.get(*k), count(&list, *k), "{k:x}");
        }
        // Newer hashes stay in the small list until it outgrows an eighth of the base.
        let index = index.add(dir, &counts.newer, &[1, 3, 3]).unwrap();
        assert_eq!(index.newer_len, 3);
        let counts = index.counts(dir, &[1, 3]).unwrap();
        assert_eq!((counts.get(1), counts.get(3)), (3, 2));
        let many: Vec<u128> = (0..70_000u128).map(|i| i << 100).collect();
        let merged = index.add(dir, &counts.newer, &many).unwrap();
        assert_eq!((merged.base_len, merged.newer_len), (5003 + 70_003, 0));
        let counts = merged.counts(dir, &[1, 3, 5 << 100]).unwrap();
        assert_eq!(
            (counts.get(1), counts.get(3), counts.get(5 << 100)),
            (3, 2, 1)
        );
        // A base of another generation is refused.
        std::fs::write(dir.join(BASE), encode_base(&[9]).0).unwrap();
        assert!(merged.counts(dir, &[1]).is_none());
        assert!(merged.read_base(dir).is_none());
    }
}
