"""POST a body to a URL the guard checked: the one outbound request webhooks make.

The same rules as ``safe_fetch``: ``check_url`` vets the URL and resolves the host once,
and the connection goes to a checked IP address through the client's own connection
pools (TLS verified against the host name), so DNS rebinding cannot swap in an internal
address. Redirects are not followed: a webhook endpoint answering 3xx gets an error. At
most ``max_response_bytes`` of the answer are read. Never raises for network problems.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import urllib3
from urllib3.exceptions import HTTPError

from claims.fetching.client import (
    TRANSIENT_STATUSES,
    _Failure,
    _http_error_text,
    _parse_retry_after,
    open_pinned,
)
from claims.fetching.guard import FetchPolicy, GuardError, Outcome, check_url

USER_AGENT = "VerifyWebhooks/1.0 (fact-check notifications)"
_TRANSIENT_OUTCOMES = frozenset({Outcome.TIMEOUT, Outcome.CONNECTION, Outcome.DNS})


@dataclass(frozen=True)
class PostResult:
    outcome: Outcome
    status: int | None
    error: str
    response_excerpt: str
    retry_after: float | None
    ip: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK

    @property
    def transient(self) -> bool:
        """Worth trying again later: a network failure, a timeout, 429 or a 5xx."""
        if self.outcome in _TRANSIENT_OUTCOMES:
            return True
        return self.status is not None and (self.status in TRANSIENT_STATUSES or self.status >= 500)


def safe_post(
    url: str,
    *,
    body: bytes,
    headers: dict[str, str],
    policy: FetchPolicy,
    max_response_bytes: int = 2048,
) -> PostResult:
    started = time.monotonic()

    def result(
        outcome: Outcome,
        error: str = "",
        status: int | None = None,
        excerpt: bytes = b"",
        retry_after: float | None = None,
        ip: str | None = None,
    ) -> PostResult:
        return PostResult(
            outcome=outcome,
            status=status,
            error=error,
            response_excerpt=excerpt.decode("utf-8", "replace"),
            retry_after=retry_after,
            ip=ip,
            duration_ms=round((time.monotonic() - started) * 1000),
        )

    try:
        target = check_url(url, policy)
    except GuardError as exc:
        return result(exc.outcome, exc.reason)
    sent_headers = {
        "User-Agent": USER_AGENT,
        **headers,
        "Host": target.host_header,
        "Content-Length": str(len(body)),
        "Connection": "close",
    }
    try:
        pool, response, ip = open_pinned(
            target,
            policy,
            method="POST",
            headers=sent_headers,
            body=body,
            timeout=lambda: urllib3.Timeout(
                connect=policy.connect_timeout, read=policy.read_timeout
            ),
        )
    except _Failure as failure:
        return result(failure.outcome, failure.error, ip=failure.ip)
    try:
        status = response.status
        retry_after = _parse_retry_after(response.headers.get("retry-after"))
        try:
            excerpt = response.read(max_response_bytes, decode_content=False) or b""
        except (HTTPError, OSError):
            excerpt = b""  # the status is what counts
    finally:
        response.close()
        pool.close()
    if 200 <= status < 300:
        return result(Outcome.OK, "", status, excerpt, retry_after, ip)
    if 300 <= status < 400:
        error = f"The endpoint answered {status} (a redirect); webhooks do not follow redirects."
    else:
        error = _http_error_text(status)
    return result(Outcome.HTTP_ERROR, error, status, excerpt, retry_after, ip)
