//! Creating what a project needs in an AWS account: the events table with the seed's indexes, the
//! features table and the two buckets. Everything that already exists is left as it is.

use crate::client;
use crate::errors::classify;
use crate::remote::names;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus,
};
use gen_core::config::SyncConfig;
use gen_sync::RemoteError;
use std::time::{Duration, Instant};

/// What [`provision`] did, by resource name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Provisioned {
    /// Tables and buckets it created.
    pub created: Vec<String>,
    /// Those that were there already.
    pub existing: Vec<String>,
}

/// How long a new table may take to become usable.
const ACTIVE_WITHIN: Duration = Duration::from_secs(300);

fn key(name: &str, kind: KeyType) -> Result<KeySchemaElement, RemoteError> {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .map_err(|e| RemoteError::Unavailable(e.to_string()))
}

fn attr(name: &str) -> Result<AttributeDefinition, RemoteError> {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .map_err(|e| RemoteError::Unavailable(e.to_string()))
}

/// The seed's query indexes: by feature, type and agent, each in time order.
fn indexes() -> Result<Vec<GlobalSecondaryIndex>, RemoteError> {
    [
        ("feature-time", "feature_id"),
        ("type-time", "event_type"),
        ("agent-time", "agent_id"),
    ]
    .into_iter()
    .map(|(name, hash)| {
        GlobalSecondaryIndex::builder()
            .index_name(name)
            .key_schema(key(hash, KeyType::Hash)?)
            .key_schema(key("sk", KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .map_err(|e| RemoteError::Unavailable(e.to_string()))
    })
    .collect()
}

/// Creates the events table (`project_id`, `sk`, on-demand, with the `feature-time`, `type-time` and
/// `agent-time` indexes), the features table (`project_id`, `feature_id`) and the config and
/// artifacts buckets the sync config names, unless they exist; waits until the tables are active.
/// Safe to run again.
pub fn provision(config: &SyncConfig) -> Result<Provisioned, RemoteError> {
    let (_, events_table) = names(config)?;
    let rt = client::runtime()?;
    let (sdk, place) = client::load(&rt, config)?;
    let ddb = client::dynamodb(&sdk);
    let s3 = client::s3(&sdk, client::endpoint_is_custom(config));
    let mut done = Provisioned::default();

    let mut tables = vec![(
        events_table,
        vec![
            attr("project_id")?,
            attr("sk")?,
            attr("feature_id")?,
            attr("event_type")?,
            attr("agent_id")?,
        ],
        vec![
            key("project_id", KeyType::Hash)?,
            key("sk", KeyType::Range)?,
        ],
        indexes()?,
    )];
    if let Some(features) = &config.dynamodb_features_table {
        tables.push((
            features.clone(),
            vec![attr("project_id")?, attr("feature_id")?],
            vec![
                key("project_id", KeyType::Hash)?,
                key("feature_id", KeyType::Range)?,
            ],
            Vec::new(),
        ));
    }
    for (table, attrs, keys, gsis) in tables {
        let what = format!("DynamoDB table `{table}`");
        let sent = rt.block_on(
            ddb.create_table()
                .table_name(&table)
                .billing_mode(BillingMode::PayPerRequest)
                .set_attribute_definitions(Some(attrs))
                .set_key_schema(Some(keys))
                .set_global_secondary_indexes((!gsis.is_empty()).then_some(gsis))
                .send(),
        );
        match sent {
            Ok(_) => done.created.push(what.clone()),
            Err(SdkError::ServiceError(e)) if e.err().is_resource_in_use_exception() => {
                done.existing.push(what.clone())
            }
            Err(e) => return Err(classify(e, "create a table", &what, &place)),
        }
        // Wait until it is usable (a new table takes seconds on AWS; one being deleted never is).
        let start = Instant::now();
        loop {
            let out = rt
                .block_on(ddb.describe_table().table_name(&table).send())
                .map_err(|e| classify(e, "describe a table", &what, &place))?;
            let status = out.table().and_then(|t| t.table_status().cloned());
            if status == Some(TableStatus::Active) {
                break;
            }
            if start.elapsed() > ACTIVE_WITHIN {
                return Err(RemoteError::Unavailable(format!(
                    "{what} on {place} is still {} after {} s",
                    status.map_or_else(|| "not described".into(), |s| s.as_str().to_string()),
                    ACTIVE_WITHIN.as_secs()
                )));
            }
            rt.block_on(tokio::time::sleep(Duration::from_millis(500)));
        }
    }

    let region = sdk
        .region()
        .map(|r| r.as_ref().to_string())
        .unwrap_or_default();
    for bucket in [&config.s3_config_bucket, &config.s3_artifacts_bucket]
        .into_iter()
        .flatten()
    {
        let what = format!("S3 bucket `{bucket}`");
        // Asked first: us-east-1 answers a second create by the owner with success, not "exists".
        if rt.block_on(s3.head_bucket().bucket(bucket).send()).is_ok() {
            done.existing.push(what);
            continue;
        }
        let mut create = s3.create_bucket().bucket(bucket);
        // us-east-1 is the one region that must not be named as a location constraint.
        if region != "us-east-1" && !region.is_empty() {
            create = create.create_bucket_configuration(
                aws_sdk_s3::types::CreateBucketConfiguration::builder()
                    .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::from(
                        region.as_str(),
                    ))
                    .build(),
            );
        }
        match rt.block_on(create.send()) {
            Ok(_) => done.created.push(what),
            Err(SdkError::ServiceError(e)) if e.err().is_bucket_already_owned_by_you() => {
                done.existing.push(what)
            }
            Err(SdkError::ServiceError(e)) if e.err().is_bucket_already_exists() => {
                // Ours (some servers answer so for the owner too) if we can reach it; else taken.
                match rt.block_on(s3.head_bucket().bucket(bucket).send()) {
                    Ok(_) => done.existing.push(what),
                    Err(_) => {
                        return Err(RemoteError::Unavailable(format!(
                            "{what} belongs to another AWS account (bucket names are global): choose other names in the sync config"
                        )));
                    }
                }
            }
            Err(e) => return Err(classify(e, "create a bucket", &what, &place)),
        }
    }
    Ok(done)
}
