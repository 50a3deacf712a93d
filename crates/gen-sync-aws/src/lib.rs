//! The AWS remote of `gen-sync`: the per-origin event stream on one DynamoDB table, behind the same
//! [`gen_sync::Remote`] trait as the local-directory remote, plus [`provision`] for the project's
//! tables and buckets.
//!
//! It lives in its own crate so that only what talks to AWS pays the SDK's compile cost.
//!
//! One table (the sync config's `dynamodb_events_table`, partition key `project_id`, sort key `sk`,
//! both strings) holds three kinds of item:
//!
//! | item | `project_id` | `sk` | attributes |
//! |---|---|---|---|
//! | event | `<project>` | `<fixed-width UTC time>#<event id>` | `event_id, line, hash, event_type, feature_id, edge, agent_id, origin, seq` |
//! | block | `<project>#origin#<origin>` | `seq#<first number, 20 digits>` | `items`: per number, the event's `sk` or NULL for a hole |
//! | heads | `<project>#heads` | `heads` | `o#<origin>` (N) per origin: its head |
//!
//! Event items go up in BatchWriteItem requests of 25 (several in flight, items left unprocessed
//! retried with jittered backoff) right after a BatchGetItem found their keys free; DynamoDB cannot
//! make batch writes conditional, so that read is what keeps an item from being replaced (two pushers
//! racing on one key in the same instant are caught by the next pull). Blocks are created with
//! `attribute_not_exists(sk)`; a head is only ever raised, by a conditional update. Pull reads the
//! heads item, then each new block and the items it names by key: strongly consistent reads whose
//! cost follows what is new, never the size of the table. Only `--remote` reads query a partition.
//!
//! The trait is synchronous, so an [`AwsRemote`] holds a current-thread tokio runtime and blocks on
//! each call; the batches of one call run concurrently on it.

mod client;
mod errors;
mod features;
mod items;
mod objects;
mod provision;
mod remote;

pub use client::endpoint_is_custom;
pub use features::AwsFeatures;
pub use objects::S3Objects;
pub use provision::{Provisioned, provision};
pub use remote::{AwsRemote, MAX_ITEM_BYTES};
