//! [`AwsRemote`]: the [`Remote`] trait on one DynamoDB table (layout in the crate docs).

use crate::client;
use crate::errors::classify;
use crate::items::{self, Attrs, PK, SK};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;
use gen_core::config::SyncConfig;
use gen_sync::{EventItem, Pointer, Put, Remote, RemoteError};
use std::collections::BTreeMap;

/// DynamoDB's limit on one item, attribute names included.
pub const MAX_ITEM_BYTES: usize = 400 * 1024;

/// The event stream of one project in a DynamoDB table.
pub struct AwsRemote {
    rt: tokio::runtime::Runtime,
    ddb: aws_sdk_dynamodb::Client,
    table: String,
    project_id: String,
    place: String,
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
        })
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

    /// Every item of a partition in key order (strongly consistent, page after page).
    fn query(&self, pk: &str) -> Result<Vec<Attrs>, RemoteError> {
        let mut items = Vec::new();
        let mut start: Option<Attrs> = None;
        loop {
            let out = self
                .rt
                .block_on(
                    self.ddb
                        .query()
                        .table_name(&self.table)
                        .key_condition_expression("#pk = :pk")
                        .expression_attribute_names("#pk", PK)
                        .expression_attribute_values(":pk", items::s(pk))
                        .consistent_read(true)
                        .set_exclusive_start_key(start.take())
                        .send(),
                )
                .map_err(|e| self.fail("query", e))?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(items),
            }
        }
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
    fn put_event(&self, item: &EventItem) -> Result<Put, RemoteError> {
        debug_assert_eq!(item.project_id, self.project_id);
        let attrs = items::event_attrs(item);
        let size = items::size(&attrs);
        if size > MAX_ITEM_BYTES {
            return Err(RemoteError::TooLarge {
                event_id: item.event_id.clone(),
                size,
                limit: MAX_ITEM_BYTES,
            });
        }
        let Some(old) = self.create(attrs)? else {
            return Ok(Put::Created);
        };
        let existing = match old {
            Some(attrs) if !attrs.is_empty() => items::event_from(&attrs)?,
            // Not every server returns the old item with the refusal: read it.
            _ => self
                .get_event(&item.sk)?
                .ok_or_else(|| RemoteError::Damaged {
                    what: format!("event item {}", item.sk),
                    why: "it vanished after a create was refused".into(),
                })?,
        };
        Ok(
            if existing.hash == item.hash && existing.event_id == item.event_id {
                Put::AlreadyThere(Box::new(existing))
            } else {
                Put::Conflict(Box::new(existing))
            },
        )
    }

    fn get_event(&self, sk: &str) -> Result<Option<EventItem>, RemoteError> {
        self.get(items::key(&self.project_id, sk))?
            .map(|attrs| items::event_from(&attrs))
            .transpose()
    }

    fn put_pointer(&self, origin: &str, seq: u64, pointer: &Pointer) -> Result<(), RemoteError> {
        let Some(old) =
            self.create(items::pointer_attrs(&self.project_id, origin, seq, pointer))?
        else {
            return Ok(());
        };
        let existing = match old {
            Some(attrs) if !attrs.is_empty() => Some(items::pointer_from(&attrs, origin, seq)?),
            _ => self.get_pointer(origin, seq)?,
        };
        match existing {
            Some(existing) if &existing == pointer => Ok(()),
            _ => Err(RemoteError::PointerTaken {
                origin: origin.to_string(),
                seq,
            }),
        }
    }

    fn get_pointer(&self, origin: &str, seq: u64) -> Result<Option<Pointer>, RemoteError> {
        self.get(items::key(
            items::pointer_pk(&self.project_id, origin),
            items::pointer_sk(seq),
        ))?
        .map(|attrs| items::pointer_from(&attrs, origin, seq))
        .transpose()
    }

    fn heads(&self) -> Result<BTreeMap<String, u64>, RemoteError> {
        self.query(&items::heads_pk(&self.project_id))?
            .iter()
            .map(|attrs| {
                let origin = match attrs.get(SK) {
                    Some(aws_sdk_dynamodb::types::AttributeValue::S(o)) => o.clone(),
                    _ => String::new(),
                };
                let head = items::number(attrs, "head", &format!("the head of origin {origin}"))?;
                Ok((origin, head))
            })
            .collect()
    }

    fn raise_head(&self, origin: &str, seq: u64) -> Result<(), RemoteError> {
        let sent = self.rt.block_on(
            self.ddb
                .update_item()
                .table_name(&self.table)
                .set_key(Some(items::key(items::heads_pk(&self.project_id), origin)))
                .update_expression("SET #head = :n")
                .condition_expression("attribute_not_exists(#head) OR #head < :n")
                .expression_attribute_names("#head", "head")
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
