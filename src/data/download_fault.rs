//! What can go wrong while the page downloads a data file, what to tell the person, and which
//! faults are worth retrying on their own. The fetching itself is the page's (`web/download.rs`);
//! this is the decision logic, so it is the same everywhere and tested natively.

use std::time::Duration;

use thiserror::Error;

use super::idx::{IdxError, looks_like_html};

/// Automatic retries of a transient fault, after these pauses (then the person gets a Retry
/// button).
pub const RETRY_DELAYS: [Duration; 3] = [
    Duration::from_millis(500),
    Duration::from_millis(1500),
    Duration::from_millis(4000),
];

/// Why a data file could not be used.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum DownloadFault {
    /// No answer at all: offline, connection refused, blocked.
    #[error("the server could not be reached ({0})")]
    Unreachable(String),
    /// The server answered 404.
    #[error("the server has no such file (HTTP 404)")]
    NotFound,
    /// Any other HTTP error status.
    #[error("the server answered HTTP {status}")]
    Http { status: u16 },
    /// The connection dropped before the whole body arrived.
    #[error("the download broke off after {received} of {expected} bytes ({reason})", expected = expected.map_or("?".to_string(), |e| e.to_string()))]
    BrokeOff {
        received: u64,
        expected: Option<u64>,
        reason: String,
    },
    /// The bytes arrived but are not a Fashion-MNIST file.
    #[error("{0}")]
    Invalid(IdxError),
}

impl DownloadFault {
    /// Faults that may go away by themselves (a dropped connection, a busy or restarting
    /// server): retried automatically after [`RETRY_DELAYS`].
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Unreachable(_) | Self::BrokeOff { .. } => true,
            Self::Http { status } => matches!(status, 408 | 425 | 429 | 500..=599),
            Self::NotFound | Self::Invalid(_) => false,
        }
    }

    /// What the person can do about it.
    pub fn advice(&self) -> &'static str {
        match self {
            Self::Unreachable(_) => {
                "Check the connection (or that the server is still running) and press Retry."
            }
            Self::BrokeOff { .. } => "The connection dropped; press Retry to download it again.",
            Self::NotFound => {
                "Put the four Fashion-MNIST files in the data/ folder next to the page \
                 (scripts/fetch-data.sh does this), then press Retry."
            }
            Self::Http { status } if *status >= 500 => {
                "The server had a problem; press Retry in a moment."
            }
            Self::Http { .. } => {
                "The server refused the file; check that data/ is served like the page, then \
                 press Retry."
            }
            Self::Invalid(IdxError::WebPage) => {
                "Replace it with the official file (scripts/fetch-data.sh), or check the \
                 address the data is served from, then press Retry."
            }
            Self::Invalid(_) => {
                "Replace it with the official file (scripts/fetch-data.sh fetches it again), \
                 then press Retry."
            }
        }
    }

    /// The sentence the page shows: which file, what happened, what to do.
    pub fn message(&self, url: &str) -> String {
        format!("Could not load {url}: {self}. {}", self.advice())
    }
}

/// An HTTP status as a fault (`None` for success).
pub fn status_fault(status: u16) -> Option<DownloadFault> {
    match status {
        200..=299 => None,
        404 | 410 => Some(DownloadFault::NotFound),
        status => Some(DownloadFault::Http { status }),
    }
}

/// Checks a finished download before it is parsed: fewer bytes than the server announced
/// (`expected`, its Content-Length when the body was not re-encoded on the way) is a broken-off
/// download; a web page where a data file should be is refused as such.
pub fn check_body(bytes: &[u8], expected: Option<u64>) -> Result<(), DownloadFault> {
    let received = bytes.len() as u64;
    if let Some(expected) = expected.filter(|&e| received < e) {
        return Err(DownloadFault::BrokeOff {
            received,
            expected: Some(expected),
            reason: "the body ended early".into(),
        });
    }
    if looks_like_html(bytes) {
        return Err(DownloadFault::Invalid(IdxError::WebPage));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "data/train-images-idx3-ubyte.gz";

    #[test]
    fn every_fault_names_the_file_what_happened_and_what_to_do() {
        let cases = [
            (
                DownloadFault::Unreachable("Failed to fetch".into()),
                "the server could not be reached (Failed to fetch)",
                "press Retry",
            ),
            (
                DownloadFault::NotFound,
                "the server has no such file (HTTP 404)",
                "scripts/fetch-data.sh",
            ),
            (
                DownloadFault::Http { status: 503 },
                "the server answered HTTP 503",
                "press Retry in a moment",
            ),
            (
                DownloadFault::Http { status: 403 },
                "the server answered HTTP 403",
                "check that data/ is served",
            ),
            (
                DownloadFault::BrokeOff {
                    received: 1000,
                    expected: Some(26_421_856),
                    reason: "network error".into(),
                },
                "the download broke off after 1000 of 26421856 bytes (network error)",
                "download it again",
            ),
            (
                DownloadFault::BrokeOff {
                    received: 5,
                    expected: None,
                    reason: "reset".into(),
                },
                "the download broke off after 5 of ? bytes (reset)",
                "download it again",
            ),
            (
                DownloadFault::Invalid(IdxError::WebPage),
                "it is a web page (HTML), not an IDX file",
                "check the address",
            ),
            (
                DownloadFault::Invalid(IdxError::CorruptGzip("invalid deflate".into())),
                "the gzip data is corrupt (invalid deflate)",
                "Replace it with the official file",
            ),
        ];
        for (fault, what, todo) in cases {
            let message = fault.message(URL);
            assert!(
                message.starts_with(&format!("Could not load {URL}: {what}")),
                "{message}"
            );
            assert!(message.contains(todo), "{message}");
        }
    }

    #[test]
    fn only_faults_that_can_pass_by_themselves_are_retried() {
        assert!(DownloadFault::Unreachable(String::new()).is_transient());
        assert!(
            DownloadFault::BrokeOff {
                received: 0,
                expected: None,
                reason: String::new()
            }
            .is_transient()
        );
        for status in [408, 429, 500, 502, 503, 504] {
            assert!(status_fault(status).unwrap().is_transient(), "{status}");
        }
        for status in [400, 401, 403, 404, 410] {
            assert!(!status_fault(status).unwrap().is_transient(), "{status}");
        }
        assert_eq!(status_fault(404), Some(DownloadFault::NotFound));
        assert_eq!(status_fault(200), None);
        assert!(!DownloadFault::Invalid(IdxError::WebPage).is_transient());
    }

    #[test]
    fn a_short_body_is_a_broken_download_and_a_web_page_is_refused() {
        assert_eq!(
            check_body(&[1, 2, 3], Some(10)),
            Err(DownloadFault::BrokeOff {
                received: 3,
                expected: Some(10),
                reason: "the body ended early".into()
            })
        );
        assert_eq!(check_body(&[0x1f, 0x8b, 8], Some(3)), Ok(()));
        assert_eq!(check_body(&[0x1f, 0x8b, 8], None), Ok(()));
        for page in [
            &b"<!DOCTYPE html><html><body>Not found</body></html>"[..],
            b"\n  <html><head><title>502</title></head></html>",
            b"\xEF\xBB\xBF<!doctype HTML>",
        ] {
            assert_eq!(
                check_body(page, None),
                Err(DownloadFault::Invalid(IdxError::WebPage))
            );
        }
    }

    #[test]
    fn retries_back_off() {
        assert!(RETRY_DELAYS.windows(2).all(|w| w[0] < w[1]));
        assert!(RETRY_DELAYS.iter().sum::<Duration>() < Duration::from_secs(10));
    }
}
