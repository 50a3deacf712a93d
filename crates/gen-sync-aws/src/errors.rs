//! SDK failures as one line that says what to check: never a debug dump, never a credential.

use aws_sdk_dynamodb::config::http::HttpResponse;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use gen_sync::RemoteError;
use std::error::Error;

/// The innermost cause's message (the SDK's outer layers say only "dispatch failure").
fn root_cause(err: &(dyn Error + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    cur.to_string()
}

fn mentions_credentials(err: &(dyn Error + 'static)) -> bool {
    let mut cur = Some(err);
    while let Some(e) = cur {
        if e.is::<aws_credential_types::provider::error::CredentialsError>() {
            return true;
        }
        let text = e.to_string().to_ascii_lowercase();
        if text.contains("credentials") || text.contains("identity") {
            return true;
        }
        cur = e.source();
    }
    false
}

const NO_CREDENTIALS: &str = "no AWS credentials found: set AWS_PROFILE (or `profile` in the sync config), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY";

/// `what` failed on `place` (an endpoint URL or `AWS (<region>)`); `resource` names the table or
/// bucket for a missing-resource error.
pub(crate) fn classify<E>(
    err: SdkError<E, HttpResponse>,
    what: &str,
    resource: &str,
    place: &str,
) -> RemoteError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(service) => {
            let e = service.err();
            let message = e.message().unwrap_or("no message");
            match e.code() {
                Some("ResourceNotFoundException" | "NoSuchBucket") => RemoteError::Missing {
                    what: format!("{resource} on {place}"),
                },
                Some(
                    code @ ("UnrecognizedClientException"
                    | "InvalidSignatureException"
                    | "InvalidClientTokenId"
                    | "ExpiredTokenException"
                    | "ExpiredToken"
                    | "InvalidAccessKeyId"
                    | "SignatureDoesNotMatch"),
                ) => RemoteError::Unavailable(format!(
                    "{place} refused the AWS credentials ({code}): check AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and that they are for this account and not expired"
                )),
                Some(code @ ("AccessDeniedException" | "AccessDenied")) => {
                    RemoteError::Unavailable(format!(
                        "not allowed to {what} on {resource} ({code}: {message}): check the IAM policy of these credentials"
                    ))
                }
                Some(code) => RemoteError::Unavailable(format!(
                    "{what} on {resource} failed on {place}: {code}: {message}"
                )),
                None => RemoteError::Unavailable(format!(
                    "{what} on {resource} failed on {place}: HTTP {} ({message})",
                    service.raw().status().as_u16()
                )),
            }
        }
        SdkError::DispatchFailure(dispatch) => {
            if mentions_credentials(&err) {
                RemoteError::Unavailable(NO_CREDENTIALS.into())
            } else if dispatch.is_io() || dispatch.is_timeout() {
                RemoteError::Unavailable(format!(
                    "cannot reach {place}: {}; check the endpoint URL and the network",
                    root_cause(&err)
                ))
            } else {
                RemoteError::Unavailable(format!(
                    "cannot send {what} to {place}: {}",
                    root_cause(&err)
                ))
            }
        }
        SdkError::TimeoutError(_) => RemoteError::Unavailable(format!(
            "cannot reach {place}: no answer in time; check the endpoint URL and the network"
        )),
        SdkError::ResponseError(_) => RemoteError::Unavailable(format!(
            "{place} answered {what} with something that is not an AWS response ({}); check the endpoint URL",
            root_cause(&err)
        )),
        _ if mentions_credentials(&err) => RemoteError::Unavailable(NO_CREDENTIALS.into()),
        _ => RemoteError::Unavailable(format!("cannot {what} on {place}: {}", root_cause(&err))),
    }
}
