//! What moto cannot show: the SDK's own retry absorbing a throttled write.

use aws_sdk_dynamodb::operation::put_item::PutItemOutput;
use aws_smithy_mocks::{RuleMode, mock, mock_client};
use gen_sync::{EventItem, Put, Remote};
use gen_sync_aws::AwsRemote;

#[test]
fn a_throttled_put_is_retried_by_the_sdk_and_then_succeeds() {
    let throttled = r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate of requests exceeds the allowed throughput."}"#;
    let rule = mock!(aws_sdk_dynamodb::Client::put_item)
        .sequence()
        .http_status(400, Some(throttled.to_string()))
        .output(|| PutItemOutput::builder().build())
        .build();
    let client = mock_client!(aws_sdk_dynamodb, RuleMode::Sequential, [&rule], |c| {
        c.retry_config(
            aws_sdk_dynamodb::config::retry::RetryConfig::standard()
                .with_initial_backoff(std::time::Duration::from_millis(1)),
        )
    });
    let remote = AwsRemote::from_client(client, "events", "billing").unwrap();
    let item = EventItem {
        project_id: "billing".into(),
        sk: "2026-03-01T09:00:00.000000000Z#e1".into(),
        event_id: "e1".into(),
        line: r#"{"event_id":"e1"}"#.into(),
        hash: "h".into(),
        event_type: None,
        feature_id: None,
        edge: None,
        agent_id: None,
        origin: "o".into(),
        seq: 1,
    };
    assert_eq!(remote.put_event(&item).unwrap(), Put::Created);
    assert_eq!(
        rule.num_calls(),
        2,
        "one throttled attempt, one that succeeded"
    );
}
