//! [`AwsRemote`]: the [`Remote`] trait on one DynamoDB table (layout in the crate docs).

use crate::client;
use crate::errors::classify;
use crate::items::{self, Attrs, PK, SK};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{
    KeysAndAttributes, PutRequest, ReturnValuesOnConditionCheckFailure, WriteRequest,
};
use futures_util::stream::{self, StreamExt, TryStreamExt};
use gen_core::config::SyncConfig;
use gen_sync::{Block, EventItem, Put, Remote, RemoteError};
use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

/// Keys per BatchGetItem (DynamoDB's limit).
const READ_BATCH: usize = 100;
/// Items per BatchWriteItem (DynamoDB's limit).
const WRITE_BATCH: usize = 25;
/// Batch requests in flight at once.
const IN_FLIGHT: usize = 8;
/// Tries for a batch whose items keep coming back unprocessed (throttling inside a 200 response).
const MAX_TRIES: u32 = 8;

/// Full jitter: a random wait up to unit × 2^attempt, capped at 100 units (50 ms and 5 s by default,
/// what AWS recommends for
/// `UnprocessedItems`; the SDK's own retry covers throttled requests, not items left in a success).
async fn backoff(unit_ms: u64, attempt: u32) {
    use std::hash::{BuildHasher, Hasher};
    let ceiling = (unit_ms << attempt.min(10)).min(100 * unit_ms);
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    tokio::time::sleep(Duration::from_millis(random % (ceiling + 1))).await;
}

/// DynamoDB's limit on one item, attribute names included.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The event stream of one project in a DynamoDB table.
pub struct AwsRemote {
    rt: tokio::runtime::Runtime,
    ddb: aws_sdk_dynamodb::Client,
    table: String,
    project_id: String,
    place: String,
    backoff_ms: u64,
}

impl std::fmt::Debug for AwsRemote {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsRemote")
            .field("table", &self.table)
            .field("project_id", &self.project_id)
            .field("place", &self.place)
            .finish_non_exhaustive()
    }
}

/// The config's project id and events table, or why they are missing.
pub(crate) fn names(config: &SyncConfig) -> Result<(String, String), RemoteError> {
    let project = config
        .project_id
        .clone()
        .ok_or_else(|| RemoteError::Unavailable("the sync config names no `project_id`".into()))?;
    let table = config.dynamodb_events_table.clone().ok_or_else(|| {
        RemoteError::Unavailable("the sync config names no `dynamodb_events_table`".into())
    })?;
    Ok((project, table))
}

impl AwsRemote {
    /// The remote a sync config names (`project_id`, `dynamodb_events_table`, `region`, `profile`,
    /// `endpoint_url`); credentials come from the usual AWS sources. Nothing is sent yet.
    pub fn open(config: &SyncConfig) -> Result<AwsRemote, RemoteError> {
        let (project_id, table) = names(config)?;
        let rt = client::runtime()?;
        let (sdk, place) = client::load(&rt, config)?;
        Ok(AwsRemote {
            ddb: client::dynamodb(&sdk),
            rt,
            table,
            project_id,
            place,
            backoff_ms: 50,
        })
    }

    /// The remote over a DynamoDB client built elsewhere (a test's mock, a caller's own settings).
    pub fn from_client(
        ddb: aws_sdk_dynamodb::Client,
        table: &str,
        project_id: &str,
    ) -> Result<AwsRemote, RemoteError> {
        Ok(AwsRemote {
            rt: client::runtime()?,
            ddb,
            table: table.to_string(),
            project_id: project_id.to_string(),
            place: "the configured endpoint".into(),
            backoff_ms: 50,
        })
    }

    /// Sets the unit of the backoff between retries of unprocessed items (50 ms by default; the
    /// wait before try n is random up to unit × 2^n, capped at 100 units).
    pub fn with_backoff_unit(mut self, unit: Duration) -> AwsRemote {
        self.backoff_ms = unit.as_millis().max(1) as u64;
        self
    }

    fn fail<E>(
        &self,
        what: &str,
        err: aws_sdk_dynamodb::error::SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
    ) -> RemoteError
    where
        E: aws_sdk_dynamodb::error::ProvideErrorMetadata
            + std::error::Error
            + Send
            + Sync
            + 'static,
    {
        classify(
            err,
            what,
            &format!("DynamoDB table `{}`", self.table),
            &self.place,
        )
    }

    /// Every item of a partition in key order (strongly consistent, page after page).
    fn query(&self, pk: &str) -> Result<Vec<Attrs>, RemoteError> {
        let mut items = Vec::new();
        let mut start: Option<Attrs> = None;
        loop {
            let request = self
                .ddb
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", PK)
                .expression_attribute_values(":pk", items::s(pk))
                .consistent_read(true)
                .set_exclusive_start_key(start.take());
            let out = self
                .rt
                .block_on(request.send())
                .map_err(|e| self.fail("query", e))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(items),
            }
        }
    }

    /// Raises one head with a conditional update (a higher one already there is fine).
    fn set_head(&self, origin: &str, seq: u64) -> Result<(), RemoteError> {
        let sent = self.rt.block_on(
            self.ddb
                .update_item()
                .table_name(&self.table)
                .set_key(Some(items::heads_key(&self.project_id)))
                .update_expression("SET #head = :n")
                .condition_expression("attribute_not_exists(#head) OR #head < :n")
                .expression_attribute_names("#head", format!("{}{origin}", items::HEAD_PREFIX))
                .expression_attribute_values(":n", items::n(seq))
                .send(),
        );
        match sent {
            Ok(_) => Ok(()),
            // Someone (a re-run of this origin) raised it as far or further: nothing to do.
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(UpdateItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Ok(())
            }
            Err(e) => Err(self.fail("raise a head", e)),
        }
    }

    /// One item by key, strongly consistent.
    fn get(&self, key: Attrs) -> Result<Option<Attrs>, RemoteError> {
        let out = self
            .rt
            .block_on(
                self.ddb
                    .get_item()
                    .table_name(&self.table)
                    .set_key(Some(key))
                    .consistent_read(true)
                    .send(),
            )
            .map_err(|e| self.fail("read an item", e))?;
        Ok(out.item)
    }

    /// One BatchGetItem of up to 100 keys, retrying the keys DynamoDB leaves unprocessed.
    async fn get_batch(&self, mut keys: Vec<Attrs>) -> Result<Vec<Attrs>, RemoteError> {
        let mut found = Vec::with_capacity(keys.len());
        for attempt in 1.. {
            let request = KeysAndAttributes::builder()
                .set_keys(Some(keys))
                .consistent_read(true)
                .build()
                .map_err(|e| RemoteError::Unavailable(format!("cannot build a read: {e}")))?;
            let out = self
                .ddb
                .batch_get_item()
                .request_items(&self.table, request)
                .send()
                .await
                .map_err(|e| self.fail("read items", e))?;
            if let Some(mut responses) = out.responses {
                found.extend(responses.remove(&self.table).unwrap_or_default());
            }
            keys = out
                .unprocessed_keys
                .and_then(|mut left| left.remove(&self.table))
                .map(|k| k.keys)
                .unwrap_or_default();
            if keys.is_empty() {
                break;
            }
            if attempt >= MAX_TRIES {
                return Err(self.throttled(keys.len(), "reads"));
            }
            backoff(self.backoff_ms, attempt).await;
        }
        Ok(found)
    }

    /// One BatchWriteItem of up to 25 puts, retrying the items DynamoDB leaves unprocessed.
    async fn write_batch(&self, mut requests: Vec<WriteRequest>) -> Result<(), RemoteError> {
        for attempt in 1.. {
            let out = self
                .ddb
                .batch_write_item()
                .request_items(&self.table, requests)
                .send()
                .await
                .map_err(|e| self.fail("write items", e))?;
            requests = out
                .unprocessed_items
                .and_then(|mut left| left.remove(&self.table))
                .unwrap_or_default();
            if requests.is_empty() {
                break;
            }
            if attempt >= MAX_TRIES {
                return Err(self.throttled(requests.len(), "writes"));
            }
            backoff(self.backoff_ms, attempt).await;
        }
        Ok(())
    }

    fn throttled(&self, left: usize, what: &str) -> RemoteError {
        RemoteError::Unavailable(format!(
            "DynamoDB table `{}` on {} left {left} {what} unprocessed after {MAX_TRIES} tries (throttled): run the sync again later, or raise the table's capacity",
            self.table, self.place
        ))
    }

    /// Creates an item unless its key exists; `Some(old item)` when it did (the old item may be
    /// empty if the server did not return it).
    fn create(&self, attrs: Attrs) -> Result<Option<Option<Attrs>>, RemoteError> {
        let sent = self.rt.block_on(
            self.ddb
                .put_item()
                .table_name(&self.table)
                .set_item(Some(attrs))
                .condition_expression("attribute_not_exists(#sk)")
                .expression_attribute_names("#sk", SK)
                .return_values_on_condition_check_failure(
                    ReturnValuesOnConditionCheckFailure::AllOld,
                )
                .send(),
        );
        match sent {
            Ok(_) => Ok(None),
            Err(e) => match e.as_service_error() {
                Some(PutItemError::ConditionalCheckFailedException(c)) => {
                    Ok(Some(c.item().cloned()))
                }
                _ => Err(self.fail("write an item", e)),
            },
        }
    }
}

impl Remote for AwsRemote {
    fn check_size(&self, event: &EventItem) -> Result<(), RemoteError> {
        let size = items::size(&items::event_attrs(event));
        if size > MAX_ITEM_BYTES {
            return Err(RemoteError::TooLarge {
                event_id: event.event_id.clone(),
                size,
                limit: MAX_ITEM_BYTES,
            });
        }
        Ok(())
    }

    fn get_events(&self, sks: &[String]) -> Result<Vec<EventItem>, RemoteError> {
        // A key twice in one batch is refused by DynamoDB.
        let mut seen = HashSet::new();
        let keys: Vec<Attrs> = sks
            .iter()
            .filter(|sk| seen.insert(sk.as_str()))
            .map(|sk| items::key(&self.project_id, sk.as_str()))
            .collect();
        let batches: Vec<Vec<Attrs>> = keys.chunks(READ_BATCH).map(<[Attrs]>::to_vec).collect();
        let found: Vec<Vec<Attrs>> = self.rt.block_on(
            stream::iter(batches)
                .map(|batch| self.get_batch(batch))
                .buffer_unordered(IN_FLIGHT)
                .try_collect(),
        )?;
        found.iter().flatten().map(items::event_from).collect()
    }

    fn create_events(&self, events: &[EventItem]) -> Result<Vec<Put>, RemoteError> {
        let mut requests = Vec::with_capacity(events.len());
        for event in events {
            debug_assert_eq!(event.project_id, self.project_id);
            let attrs = items::event_attrs(event);
            let size = items::size(&attrs);
            if size > MAX_ITEM_BYTES {
                return Err(RemoteError::TooLarge {
                    event_id: event.event_id.clone(),
                    size,
                    limit: MAX_ITEM_BYTES,
                });
            }
            let put = PutRequest::builder()
                .set_item(Some(attrs))
                .build()
                .map_err(|e| RemoteError::Unavailable(format!("cannot build a write: {e}")))?;
            requests.push(WriteRequest::builder().put_request(put).build());
        }
        let batches: Vec<Vec<WriteRequest>> = requests
            .chunks(WRITE_BATCH)
            .map(<[WriteRequest]>::to_vec)
            .collect();
        self.rt.block_on(
            stream::iter(batches)
                .map(|batch| self.write_batch(batch))
                .buffer_unordered(IN_FLIGHT)
                .try_collect::<Vec<()>>(),
        )?;
        // Batch writes cannot be conditional: the engine read these keys just before.
        Ok(vec![Put::Created; events.len()])
    }

    fn put_block(&self, origin: &str, block: &Block) -> Result<(), RemoteError> {
        let Some(old) = self.create(items::block_attrs(&self.project_id, origin, block))? else {
            return Ok(());
        };
        let existing = match old {
            Some(attrs) if !attrs.is_empty() => Some(items::block_from(&attrs, origin)?),
            _ => self
                .blocks_between(origin, block.first, block.first)?
                .into_iter()
                .find(|b| b.first == block.first),
        };
        match existing {
            // A run cut short wrote it already; the first write stands.
            Some(existing) if existing.pointers.len() == block.pointers.len() => Ok(()),
            _ => Err(RemoteError::PointerTaken {
                origin: origin.to_string(),
                seq: block.first,
            }),
        }
    }

    fn blocks_between(
        &self,
        origin: &str,
        first: u64,
        last: u64,
    ) -> Result<Vec<Block>, RemoteError> {
        // One read per block, each found by key: a cursor always ends a block, so the next one starts
        // right after it. (Not a Query: that would also work, but reads cost what is new this way on
        // every DynamoDB-compatible server, including those whose queries scan the table.)
        let pk = items::pointer_pk(&self.project_id, origin);
        let mut blocks = Vec::new();
        let mut next = first;
        while next <= last {
            let Some(attrs) = self.get(items::key(&pk, items::pointer_sk(next)))? else {
                break;
            };
            let block = items::block_from(&attrs, origin)?;
            next = block.last() + 1;
            blocks.push(block);
        }
        Ok(blocks)
    }

    fn heads(&self) -> Result<BTreeMap<String, u64>, RemoteError> {
        let Some(attrs) = self.get(items::heads_key(&self.project_id))? else {
            return Ok(BTreeMap::new());
        };
        attrs
            .iter()
            .filter_map(|(name, value)| Some((name.strip_prefix(items::HEAD_PREFIX)?, value)))
            .map(|(origin, value)| {
                let head = match value {
                    aws_sdk_dynamodb::types::AttributeValue::N(n) => n.parse().ok(),
                    _ => None,
                }
                .ok_or_else(|| RemoteError::Damaged {
                    what: format!("the head of origin {origin}"),
                    why: "it is not a number".into(),
                })?;
                Ok((origin.to_string(), head))
            })
            .collect()
    }

    fn raise_head(&self, origin: &str, seq: u64) -> Result<(), RemoteError> {
        // Read back: DynamoDB applies two updates of one item one after the other, but not every
        // compatible server does (moto can lose one of two first writes racing to create the
        // item), and a lost head would hide this origin's events from every reader.
        for attempt in 1..=MAX_TRIES {
            self.set_head(origin, seq)?;
            if self.heads()?.get(origin).is_some_and(|h| *h >= seq) {
                return Ok(());
            }
            self.rt.block_on(backoff(self.backoff_ms, attempt));
        }
        Err(RemoteError::Unavailable(format!(
            "the head of origin {origin} on DynamoDB table `{}` at {} did not keep its new value after {MAX_TRIES} tries: run the sync again",
            self.table, self.place
        )))
    }

    fn all_events(&self) -> Result<Vec<EventItem>, RemoteError> {
        let mut events = self
            .query(&self.project_id)?
            .iter()
            .map(items::event_from)
            .collect::<Result<Vec<_>, _>>()?;
        events.sort_by(|a, b| a.sk.cmp(&b.sk));
        Ok(events)
    }
}
