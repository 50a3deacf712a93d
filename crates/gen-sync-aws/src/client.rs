//! SDK clients from a sync config: region, profile and endpoint from the file, the rest from the
//! usual AWS sources (environment, `~/.aws`, SSO, instance roles).

use aws_config::{BehaviorVersion, Region, SdkConfig};
use gen_core::config::SyncConfig;
use gen_sync::RemoteError;

/// Whether requests go to an endpoint other than AWS's own: the config's `endpoint_url`, or the
/// `AWS_ENDPOINT_URL*` variables the SDK reads (moto, MinIO, LocalStack…).
pub fn endpoint_is_custom(config: &SyncConfig) -> bool {
    custom_endpoint(config).is_some()
}

pub(crate) fn custom_endpoint(config: &SyncConfig) -> Option<String> {
    config.endpoint_url.clone().or_else(|| {
        ["AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()))
    })
}

/// A current-thread runtime for blocking on SDK calls.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, RemoteError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| RemoteError::Unavailable(format!("cannot start the AWS client: {e}")))
}

/// The shared SDK settings, and where they point (for messages).
pub(crate) fn load(
    rt: &tokio::runtime::Runtime,
    config: &SyncConfig,
) -> Result<(SdkConfig, String), RemoteError> {
    // A server that stops answering must not hang a sync: each attempt is bounded and retried.
    let timeouts = aws_config::timeout::TimeoutConfig::builder()
        .connect_timeout(std::time::Duration::from_secs(5))
        .operation_attempt_timeout(std::time::Duration::from_secs(60))
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest()).timeout_config(timeouts);
    if let Some(region) = &config.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(profile) = &config.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(url) = &config.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let sdk = rt.block_on(loader.load());
    let Some(region) = sdk.region() else {
        return Err(RemoteError::Unavailable(
            "no AWS region: set `region` in the sync config, or AWS_REGION, or a region in the AWS profile"
                .into(),
        ));
    };
    let place = match custom_endpoint(config) {
        Some(url) => url,
        None => format!("AWS ({region})"),
    };
    Ok((sdk, place))
}

pub(crate) fn dynamodb(sdk: &SdkConfig) -> aws_sdk_dynamodb::Client {
    aws_sdk_dynamodb::Client::new(sdk)
}

pub(crate) fn s3(sdk: &SdkConfig, custom: bool) -> aws_sdk_s3::Client {
    let mut builder = aws_sdk_s3::config::Builder::from(sdk);
    if custom {
        // S3-compatible servers want bucket names in the path and choke on the default checksums.
        builder = builder.force_path_style(true).request_checksum_calculation(
            aws_sdk_s3::config::RequestChecksumCalculation::WhenRequired,
        );
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}
