//! [`AwsFeatures`]: the features table (`dynamodb_features_table`, partition key `project_id`, sort
//! key `feature_id`) behind [`FeatureStore`]. Each item holds the vector's YAML `text`, its `folder`,
//! the derived `status` (for queries), and a `version` that every write raises by one under a
//! condition on the version read, so two pushers never lose each other's update.

use crate::client;
use crate::errors::classify;
use crate::items::{self, Attrs};
use aws_sdk_dynamodb::operation::put_item::PutItemError;
use aws_sdk_dynamodb::types::AttributeValue;
use gen_core::config::SyncConfig;
use gen_sync::RemoteError;
use gen_sync::features::{FeatureItem, FeatureStore};
use gen_sync::objects::Expect;
use std::collections::HashMap;

const FEATURE: &str = "feature_id";

/// The features of one project in a DynamoDB table.
pub struct AwsFeatures {
    rt: tokio::runtime::Runtime,
    ddb: aws_sdk_dynamodb::Client,
    table: String,
    project_id: String,
    place: String,
}

impl std::fmt::Debug for AwsFeatures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AwsFeatures")
            .field("table", &self.table)
            .field("project_id", &self.project_id)
            .finish_non_exhaustive()
    }
}

impl AwsFeatures {
    /// The table a sync config names (`dynamodb_features_table`, `project_id`).
    pub fn open(config: &SyncConfig) -> Result<AwsFeatures, RemoteError> {
        let project_id = config.project_id.clone().ok_or_else(|| {
            RemoteError::Unavailable("the sync config names no `project_id`".into())
        })?;
        let table = config.dynamodb_features_table.clone().ok_or_else(|| {
            RemoteError::Unavailable("the sync config names no `dynamodb_features_table`".into())
        })?;
        let rt = client::runtime()?;
        let (sdk, place) = client::load(&rt, config)?;
        Ok(AwsFeatures {
            ddb: client::dynamodb(&sdk),
            rt,
            table,
            project_id,
            place,
        })
    }

    /// The table over a DynamoDB client built elsewhere (a test's mock, a caller's own settings).
    pub fn from_client(
        ddb: aws_sdk_dynamodb::Client,
        table: &str,
        project_id: &str,
    ) -> Result<AwsFeatures, RemoteError> {
        Ok(AwsFeatures {
            rt: client::runtime()?,
            ddb,
            table: table.to_string(),
            project_id: project_id.to_string(),
            place: "the configured endpoint".into(),
        })
    }

    /// The table as error messages name it.
    fn resource(&self) -> String {
        format!("DynamoDB table `{}`", self.table)
    }

    fn key(&self, feature_id: &str) -> Attrs {
        HashMap::from([
            (items::PK.to_string(), items::s(&self.project_id)),
            (FEATURE.to_string(), items::s(feature_id)),
        ])
    }
}

fn text(attrs: &Attrs, name: &str) -> Option<String> {
    match attrs.get(name) {
        Some(AttributeValue::S(s)) => Some(s.clone()),
        _ => None,
    }
}

fn item_from(attrs: &Attrs) -> Result<FeatureItem, RemoteError> {
    let damaged = |why: &str| RemoteError::Damaged {
        what: format!(
            "feature item `{}`",
            text(attrs, FEATURE).unwrap_or_default()
        ),
        why: why.into(),
    };
    let version = match attrs.get("version") {
        Some(AttributeValue::N(n)) => n
            .parse()
            .map_err(|_| damaged("`version` is not a number"))?,
        _ => return Err(damaged("it has no `version`")),
    };
    Ok(FeatureItem {
        feature_id: text(attrs, FEATURE).ok_or_else(|| damaged("it has no `feature_id`"))?,
        folder: text(attrs, "folder").unwrap_or_else(|| "active".into()),
        text: text(attrs, "text").ok_or_else(|| damaged("it has no `text`"))?,
        status: text(attrs, "status"),
        version,
        updated_at: text(attrs, "updated_at").unwrap_or_default(),
        updated_by: text(attrs, "updated_by").unwrap_or_default(),
    })
}

impl FeatureStore for AwsFeatures {
    fn list(&self) -> Result<Vec<FeatureItem>, RemoteError> {
        let mut out = Vec::new();
        let mut start: Option<Attrs> = None;
        loop {
            let request = self
                .ddb
                .query()
                .table_name(&self.table)
                .key_condition_expression("#pk = :pk")
                .expression_attribute_names("#pk", items::PK)
                .expression_attribute_values(":pk", items::s(&self.project_id))
                .consistent_read(true)
                .set_exclusive_start_key(start.take());
            let page = self
                .rt
                .block_on(request.send())
                .map_err(|e| classify(e, "query", &self.resource(), &self.place))?;
            for attrs in page.items.unwrap_or_default() {
                out.push(item_from(&attrs)?);
            }
            match page.last_evaluated_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(out),
            }
        }
    }

    fn get(&self, feature_id: &str) -> Result<Option<(FeatureItem, String)>, RemoteError> {
        let out = self
            .rt
            .block_on(
                self.ddb
                    .get_item()
                    .table_name(&self.table)
                    .set_key(Some(self.key(feature_id)))
                    .consistent_read(true)
                    .send(),
            )
            .map_err(|e| classify(e, "read", &self.resource(), &self.place))?;
        match out.item {
            Some(attrs) if !attrs.is_empty() => {
                let item = item_from(&attrs)?;
                let tag = item.version.to_string();
                Ok(Some((item, tag)))
            }
            _ => Ok(None),
        }
    }

    fn put_if(&self, item: &FeatureItem, expect: &Expect) -> Result<bool, RemoteError> {
        let mut attrs = self.key(&item.feature_id);
        attrs.insert("folder".into(), items::s(&item.folder));
        attrs.insert("text".into(), items::s(&item.text));
        if let Some(status) = &item.status {
            attrs.insert("status".into(), items::s(status));
        }
        attrs.insert("version".into(), items::n(item.version));
        attrs.insert("updated_at".into(), items::s(&item.updated_at));
        attrs.insert("updated_by".into(), items::s(&item.updated_by));
        let request = self
            .ddb
            .put_item()
            .table_name(&self.table)
            .set_item(Some(attrs));
        let request = match expect {
            Expect::Absent => request
                .condition_expression("attribute_not_exists(#f)")
                .expression_attribute_names("#f", FEATURE),
            Expect::Tag(version) => request
                .condition_expression("#v = :v")
                .expression_attribute_names("#v", "version")
                .expression_attribute_values(":v", AttributeValue::N(version.clone())),
        };
        match self.rt.block_on(request.send()) {
            Ok(_) => Ok(true),
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(PutItemError::ConditionalCheckFailedException(_))
                ) =>
            {
                Ok(false)
            }
            Err(e) => Err(classify(e, "write", &self.resource(), &self.place)),
        }
    }
}
