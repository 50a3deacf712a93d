//! What moto cannot show: throttled requests (retried by the SDK) and items or keys a batch leaves
//! unprocessed inside a successful response (retried by the remote, with jittered backoff, and
//! reported in one line when they keep coming back).

use aws_sdk_dynamodb::operation::batch_get_item::BatchGetItemOutput;
use aws_sdk_dynamodb::operation::batch_write_item::BatchWriteItemOutput;
use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, PutRequest, WriteRequest};
use aws_smithy_mocks::{Rule, RuleMode, mock, mock_client};
use gen_sync::{EventItem, Put, Remote};
use gen_sync_aws::AwsRemote;
use std::collections::HashMap;
use std::time::Duration;

fn item(id: &str) -> EventItem {
    EventItem {
        project_id: "billing".into(),
        sk: format!("2026-03-01T09:00:00.000000000Z#{id}"),
        event_id: id.into(),
        line: format!(r#"{{"event_id":"{id}"}}"#),
        hash: "h".into(),
        event_type: None,
        feature_id: None,
        edge: None,
        agent_id: None,
        origin: "o".into(),
        seq: 1,
    }
}

fn attrs(item: &EventItem) -> HashMap<String, AttributeValue> {
    let s = |v: &str| AttributeValue::S(v.into());
    HashMap::from([
        ("project_id".into(), s(&item.project_id)),
        ("sk".into(), s(&item.sk)),
        ("event_id".into(), s(&item.event_id)),
        ("line".into(), s(&item.line)),
        ("hash".into(), s(&item.hash)),
        ("origin".into(), s(&item.origin)),
        ("seq".into(), AttributeValue::N(item.seq.to_string())),
    ])
}

fn remote(rules: &[&Rule]) -> AwsRemote {
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, rules, |c| {
        c.retry_config(
            aws_sdk_dynamodb::config::retry::RetryConfig::standard()
                .with_initial_backoff(Duration::from_millis(1)),
        )
    });
    AwsRemote::from_client(client, "events", "billing")
        .unwrap()
        .with_backoff_unit(Duration::from_millis(1))
}

fn unprocessed(item: &EventItem) -> BatchWriteItemOutput {
    let put = PutRequest::builder()
        .set_item(Some(attrs(item)))
        .build()
        .unwrap();
    BatchWriteItemOutput::builder()
        .unprocessed_items(
            "events",
            vec![WriteRequest::builder().put_request(put).build()],
        )
        .build()
}

#[test]
fn a_throttled_batch_write_is_retried_by_the_sdk_and_then_succeeds() {
    let throttled = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#;
    let rule = mock!(aws_sdk_dynamodb::Client::batch_write_item)
        .sequence()
        .http_status(400, Some(throttled.to_string()))
        .output(|| BatchWriteItemOutput::builder().build())
        .build();
    let remote = remote(&[&rule]);
    assert_eq!(remote.create_events(&[item("e1")]).unwrap(), [Put::Created]);
    assert_eq!(
        rule.num_calls(),
        2,
        "one throttled attempt, one that succeeded"
    );
}

#[test]
fn items_left_unprocessed_are_sent_again_until_none_are_left() {
    let e = item("e1");
    let first = unprocessed(&e);
    let rule = mock!(aws_sdk_dynamodb::Client::batch_write_item)
        .sequence()
        .output(move || first.clone())
        .output(move || unprocessed(&item("e1")))
        .output(|| BatchWriteItemOutput::builder().build())
        .build();
    let remote = remote(&[&rule]);
    assert_eq!(remote.create_events(&[e]).unwrap(), [Put::Created]);
    assert_eq!(
        rule.num_calls(),
        3,
        "two partial answers, then everything was written"
    );
}

#[test]
fn items_that_stay_unprocessed_end_in_one_line_that_says_what_to_do() {
    let rule =
        mock!(aws_sdk_dynamodb::Client::batch_write_item).then_output(|| unprocessed(&item("e1")));
    let remote = remote(&[&rule]);
    let err = remote.create_events(&[item("e1")]).unwrap_err().to_string();
    assert_eq!(rule.num_calls(), 8, "{err}");
    assert!(
        err.contains("left 1 writes unprocessed after 8 tries")
            && err.contains("run the sync again"),
        "{err}"
    );
    assert!(!err.contains('\n'), "{err}");
}

#[test]
fn keys_left_unprocessed_by_a_batch_read_are_read_again() {
    let e = item("e1");
    let key = HashMap::from([
        (
            "project_id".to_string(),
            AttributeValue::S("billing".into()),
        ),
        ("sk".to_string(), AttributeValue::S(e.sk.clone())),
    ]);
    let found = attrs(&e);
    let rule = mock!(aws_sdk_dynamodb::Client::batch_get_item)
        .sequence()
        .output(move || {
            BatchGetItemOutput::builder()
                .unprocessed_keys(
                    "events",
                    KeysAndAttributes::builder()
                        .keys(key.clone())
                        .consistent_read(true)
                        .build()
                        .unwrap(),
                )
                .build()
        })
        .output(move || {
            BatchGetItemOutput::builder()
                .responses("events", vec![found.clone()])
                .build()
        })
        .build();
    let remote = remote(&[&rule]);
    let got = remote.get_events(std::slice::from_ref(&e.sk)).unwrap();
    assert_eq!(got, [e]);
    assert_eq!(rule.num_calls(), 2);
}

fn features(rules: &[&Rule]) -> gen_sync_aws::AwsFeatures {
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::MatchAny, rules, |c| {
        c.retry_config(
            aws_sdk_dynamodb::config::retry::RetryConfig::standard()
                .with_initial_backoff(Duration::from_millis(1)),
        )
    });
    gen_sync_aws::AwsFeatures::from_client(client, "features", "billing").unwrap()
}

fn feature_item(version: u64) -> gen_sync::features::FeatureItem {
    gen_sync::features::FeatureItem {
        feature_id: "REQ-F-ONE-001".into(),
        folder: "active".into(),
        text: "feature: REQ-F-ONE-001\n".into(),
        status: Some("in_progress".into()),
        version,
        updated_at: "2026-12-02T00:00:00Z".into(),
        updated_by: "o".into(),
    }
}

#[test]
fn a_feature_write_that_lost_the_race_says_so_and_a_throttled_one_is_retried() {
    use aws_sdk_dynamodb::operation::put_item::PutItemOutput;
    use gen_sync::features::FeatureStore;
    use gen_sync::objects::Expect;
    let lost = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}"#;
    let rule = mock!(aws_sdk_dynamodb::Client::put_item)
        .sequence()
        .http_status(400, Some(lost.to_string()))
        .build();
    let store = features(&[&rule]);
    assert!(
        !store
            .put_if(&feature_item(2), &Expect::Tag("1".into()))
            .unwrap(),
        "another pusher wrote version 2 first: this write reports it lost"
    );
    let throttled = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#;
    let rule = mock!(aws_sdk_dynamodb::Client::put_item)
        .sequence()
        .http_status(400, Some(throttled.to_string()))
        .output(|| PutItemOutput::builder().build())
        .build();
    let store = features(&[&rule]);
    assert!(store.put_if(&feature_item(1), &Expect::Absent).unwrap());
    assert_eq!(rule.num_calls(), 2, "throttled once, then written");
}
