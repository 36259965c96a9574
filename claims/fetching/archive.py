"""A client for the Internet Archive's Save Page Now 2 (SPN2) API.

A capture is two steps: ``POST {endpoint}/save`` with the page's URL returns a job id,
then ``GET {endpoint}/save/status/{job_id}`` says pending, success (with the capture's
timestamp) or error. Requests authenticate with S3-style keys
(``Authorization: LOW access:secret``). The endpoint comes from settings, never from
users, so these requests do not go through the fetch guard; the page URL is only sent as
data. Nothing here touches the database.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Literal

import urllib3
from urllib3.exceptions import HTTPError

from claims.fetching.client import _parse_retry_after

_JOB_ID = re.compile(r"[A-Za-z0-9_.\-]{1,200}")
_TIMESTAMP = re.compile(r"[0-9]{14}")
_MAX_RESPONSE = 256 * 1024
# status_ext values that mean "later", not "never".
_TRANSIENT_HINTS = ("limit", "too-many", "overloaded", "busy", "unavailable", "proxy-error")


@dataclass(frozen=True)
class SpnConfig:
    endpoint: str  # https://web.archive.org
    access_key: str
    secret: str
    timeout: float = 30.0


@dataclass(frozen=True)
class SpnStatus:
    state: Literal["pending", "success", "error"]
    archive_url: str = ""
    error: str = ""


class ArchiveError(Exception):
    """The archive refused or failed. `transient`: worth asking again later."""

    def __init__(self, message: str, *, transient: bool, retry_after: float | None = None):
        super().__init__(message)
        self.message = message
        self.transient = transient
        self.retry_after = retry_after


def config_from_settings() -> SpnConfig | None:
    """The configured SPN2 account, or None when archiving is off."""
    from django.conf import settings  # the rest of the module needs no Django

    endpoint = str(getattr(settings, "ARCHIVE_SPN_ENDPOINT", "")).rstrip("/")
    access_key = str(getattr(settings, "ARCHIVE_SPN_ACCESS_KEY", ""))
    secret = str(getattr(settings, "ARCHIVE_SPN_SECRET", ""))
    if not (endpoint and access_key and secret):
        return None
    return SpnConfig(endpoint=endpoint, access_key=access_key, secret=secret)


def spn_submit(url: str, config: SpnConfig) -> str:
    """Ask for a capture of `url`; the job id. Raises ArchiveError."""
    data = _request(
        "POST",
        f"{config.endpoint}/save",
        config,
        fields={"url": url, "skip_first_archive": "1", "if_not_archived_within": "1d"},
    )
    job_id = data.get("job_id")
    if isinstance(job_id, str) and _JOB_ID.fullmatch(job_id):
        return job_id
    raise _refusal(data, "The archive did not start a capture.")


def spn_status(job_id: str, config: SpnConfig) -> SpnStatus:
    """Where capture `job_id` stands. Raises ArchiveError for a failed request."""
    if not _JOB_ID.fullmatch(job_id):
        raise ArchiveError(f"Not an archive job id: {job_id[:40]!r}.", transient=False)
    data = _request("GET", f"{config.endpoint}/save/status/{job_id}", config)
    state = data.get("status")
    if state == "pending":
        return SpnStatus("pending")
    if state == "success":
        timestamp, original = data.get("timestamp"), data.get("original_url")
        if (
            isinstance(timestamp, str)
            and _TIMESTAMP.fullmatch(timestamp)
            and isinstance(original, str)
            and original.startswith(("http://", "https://"))
            and original.isprintable()
            and " " not in original
        ):
            archive_url = f"{config.endpoint}/web/{timestamp}/{original}"
            if len(archive_url) <= 2048:
                return SpnStatus("success", archive_url=archive_url)
        return SpnStatus("error", error="The archive reported success without a usable capture.")
    return SpnStatus("error", error=_describe(data) or "The archive could not capture the page.")


def _request(
    method: str, url: str, config: SpnConfig, fields: dict[str, str] | None = None
) -> dict[str, Any]:
    headers = {
        "Accept": "application/json",
        "Authorization": f"LOW {config.access_key}:{config.secret}",
        "User-Agent": "VerifyEvidenceArchiver/1.0",
    }
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=10, read=config.timeout), retries=False
    )
    try:
        if fields is not None:
            response = http.request(
                method, url, fields=fields, headers=headers, encode_multipart=False
            )
        else:
            response = http.request(method, url, headers=headers)
    except (HTTPError, OSError) as exc:
        raise ArchiveError(
            f"Could not reach the archive: {type(exc).__name__}.", transient=True
        ) from None
    finally:
        http.clear()
    body = response.data[:_MAX_RESPONSE]
    retry_after = _parse_retry_after(response.headers.get("retry-after"))
    if response.status == 429 or response.status >= 500:
        raise ArchiveError(
            f"The archive is busy ({response.status}).", transient=True, retry_after=retry_after
        )
    if response.status in (401, 403):
        raise ArchiveError(
            "The archive refused the credentials (ARCHIVE_SPN_ACCESS_KEY / ARCHIVE_SPN_SECRET).",
            transient=False,
        )
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict):
        raise ArchiveError(
            f"The archive answered {response.status} without JSON.",
            transient=200 <= response.status < 300,
        )
    if response.status >= 400:
        raise _refusal(data, f"The archive answered {response.status}.")
    return data


def _describe(data: dict[str, Any]) -> str:
    parts = [str(data.get(key, ""))[:300] for key in ("status_ext", "message")]
    return " ".join(part for part in parts if part).strip()


def _refusal(data: dict[str, Any], fallback: str) -> ArchiveError:
    detail = _describe(data)
    transient = any(hint in detail.lower() for hint in _TRANSIENT_HINTS)
    return ArchiveError(detail or fallback, transient=transient)
