//! [`S3Objects`]: the [`Objects`] trait on one S3 bucket — what configs and artifacts sync through
//! (groundwork for issue 9). Listing is ListObjectsV2 page after page; the tag is the ETag; the
//! conditional put is S3's `If-None-Match: *` (create) or `If-Match: <etag>` (replace what was read),
//! a 412 meaning someone else wrote first.

use crate::client;
use crate::errors::classify;
use aws_sdk_s3::operation::get_object::GetObjectError;
use futures_util::stream::{self, StreamExt};
use gen_core::config::SyncConfig;
use gen_sync::RemoteError;
use gen_sync::objects::{Expect, Fetched, ObjectInfo, Objects, Stored, check_key};

/// Transfers in flight at once on one bucket.
const IN_FLIGHT: usize = 16;

/// One bucket of a project.
pub struct S3Objects {
    rt: tokio::runtime::Runtime,
    s3: aws_sdk_s3::Client,
    bucket: String,
    place: String,
}

impl std::fmt::Debug for S3Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Objects")
            .field("bucket", &self.bucket)
            .field("place", &self.place)
            .finish_non_exhaustive()
    }
}

impl S3Objects {
    /// The bucket named `bucket` with the sync config's region, profile and endpoint.
    pub fn open(config: &SyncConfig, bucket: &str) -> Result<S3Objects, RemoteError> {
        let rt = client::runtime()?;
        let (sdk, place) = client::load(&rt, config)?;
        Ok(S3Objects {
            s3: client::s3(&sdk, client::endpoint_is_custom(config)),
            rt,
            bucket: bucket.to_string(),
            place,
        })
    }

    fn fail<E>(
        &self,
        what: &str,
        err: aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
    ) -> RemoteError
    where
        E: aws_sdk_s3::error::ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    {
        classify(
            err,
            what,
            &format!("S3 bucket `{}`", self.bucket),
            &self.place,
        )
    }

    fn key(key: &str) -> Result<&str, RemoteError> {
        check_key(key).map_err(|why| RemoteError::Damaged {
            what: format!("object key `{key}`"),
            why,
        })?;
        Ok(key)
    }
}

impl S3Objects {
    /// One object's bytes and tag (`None`: no such key).
    async fn fetch(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, RemoteError> {
        let sent = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(Self::key(key)?)
            .send()
            .await;
        let out = match sent {
            Ok(out) => out,
            Err(e) if matches!(e.as_service_error(), Some(GetObjectError::NoSuchKey(_))) => {
                return Ok(None);
            }
            Err(e) => return Err(self.fail("read an object", e)),
        };
        let etag = tag(out.e_tag());
        let bytes = out
            .body
            .collect()
            .await
            .map_err(|e| {
                RemoteError::Unavailable(format!("cannot read {key} from {}: {e}", self.place))
            })?
            .into_bytes()
            .to_vec();
        Ok(Some((bytes, etag)))
    }

    /// Writes one object whole; its tag.
    async fn store(&self, key: &str, bytes: &[u8]) -> Result<String, RemoteError> {
        let out = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(Self::key(key)?)
            .body(bytes.to_vec().into())
            .send()
            .await
            .map_err(|e| self.fail("write an object", e))?;
        Ok(tag(out.e_tag()))
    }
}

/// An ETag without its quotes.
fn tag(etag: Option<&str>) -> String {
    etag.unwrap_or_default().trim_matches('"').to_string()
}

impl Objects for S3Objects {
    fn list(&self, prefix: &str) -> Result<Vec<ObjectInfo>, RemoteError> {
        let mut out = Vec::new();
        let mut token: Option<String> = None;
        loop {
            let page = self
                .rt
                .block_on(
                    self.s3
                        .list_objects_v2()
                        .bucket(&self.bucket)
                        .prefix(prefix)
                        .set_continuation_token(token.take())
                        .send(),
                )
                .map_err(|e| self.fail("list objects", e))?;
            for o in page.contents() {
                out.push(ObjectInfo {
                    key: o.key().unwrap_or_default().to_string(),
                    size: o.size().unwrap_or_default().max(0) as u64,
                    tag: tag(o.e_tag()),
                });
            }
            match page.next_continuation_token() {
                Some(next) if page.is_truncated().unwrap_or(false) => {
                    token = Some(next.to_string())
                }
                _ => break,
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    fn get(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, RemoteError> {
        self.rt.block_on(self.fetch(key))
    }

    fn get_many(&self, keys: &[String], done: &mut dyn FnMut()) -> Vec<Fetched> {
        let mut out: Vec<Option<Fetched>> = keys.iter().map(|_| None).collect();
        self.rt.block_on(
            stream::iter(keys.iter().enumerate())
                .map(|(i, key)| async move { (i, self.fetch(key).await) })
                .buffer_unordered(IN_FLIGHT)
                .for_each(|(i, got)| {
                    out[i] = Some(got);
                    done();
                    std::future::ready(())
                }),
        );
        out.into_iter().flatten().collect()
    }

    fn put_many(&self, items: &[(String, Vec<u8>)], done: &mut dyn FnMut()) -> Vec<Stored> {
        let mut out: Vec<Option<Stored>> = items.iter().map(|_| None).collect();
        self.rt.block_on(
            stream::iter(items.iter().enumerate())
                .map(|(i, (key, bytes))| async move { (i, self.store(key, bytes).await) })
                .buffer_unordered(IN_FLIGHT)
                .for_each(|(i, put)| {
                    out[i] = Some(put);
                    done();
                    std::future::ready(())
                }),
        );
        out.into_iter().flatten().collect()
    }

    fn put(&self, key: &str, bytes: &[u8]) -> Result<String, RemoteError> {
        self.rt.block_on(self.store(key, bytes))
    }

    fn put_if(
        &self,
        key: &str,
        bytes: &[u8],
        expect: &Expect,
    ) -> Result<Option<String>, RemoteError> {
        let mut request = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(Self::key(key)?)
            .body(bytes.to_vec().into());
        request = match expect {
            Expect::Absent => request.if_none_match("*"),
            Expect::Tag(t) => request.if_match(format!("\"{t}\"")),
        };
        match self.rt.block_on(request.send()) {
            Ok(out) => Ok(Some(tag(out.e_tag()))),
            Err(e) => {
                let status = e.raw_response().map(|r| r.status().as_u16());
                match status {
                    // 412: the object is not what we read; 409: another conditional write is in flight.
                    Some(412 | 409) => Ok(None),
                    // If-Match on a key that is gone.
                    Some(404) if matches!(expect, Expect::Tag(_)) => Ok(None),
                    _ => Err(self.fail("write an object", e)),
                }
            }
        }
    }

    fn delete(&self, key: &str) -> Result<(), RemoteError> {
        self.rt
            .block_on(
                self.s3
                    .delete_object()
                    .bucket(&self.bucket)
                    .key(Self::key(key)?)
                    .send(),
            )
            .map_err(|e| self.fail("delete an object", e))?;
        Ok(())
    }
}
