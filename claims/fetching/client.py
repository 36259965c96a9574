"""Fetch one URL safely: every hop checked by the guard, every limit enforced.

The client connects to the IP address the guard checked (never to the host name, so a
second DNS answer cannot redirect it), follows redirects itself, checks the content type
before reading the body, and counts decompressed bytes while it reads, so a gzip bomb is
stopped at the cap. It never raises for network problems: the outcome says what happened.

urllib3 connection pools are used directly: unlike requests or urllib, they never read
HTTP_PROXY and friends from the environment.
"""

from __future__ import annotations

import email.utils
import hashlib
import os
import ssl
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypedDict
from urllib.parse import urljoin

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    NewConnectionError,
    ReadTimeoutError,
    SSLError,
)

from claims.fetching.guard import CheckedTarget, FetchPolicy, GuardError, Outcome, check_url

DEFAULT_USER_AGENT = (
    "VerifyEvidenceFetcher/1.0 (fact-checking; evidence links submitted by editors)"
)
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
KEPT_HEADERS = (
    "content-type",
    "content-length",
    "last-modified",
    "etag",
    "server",
    "retry-after",
    "content-language",
    "location",
)
_SYSTEM_CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
_CHUNK = 64 * 1024
_MAX_HEADER_VALUE = 1000


class Hop(TypedDict):
    url: str
    status: int | None
    ip: str | None


@dataclass(frozen=True)
class FetchResult:
    """What happened when the app fetched one URL. `body` is empty unless outcome is ok."""

    requested_url: str
    final_url: str
    hops: list[Hop]
    status: int | None
    headers: dict[str, str]
    content_type: str  # the full Content-Type value, parameters (charset) included
    body: bytes
    byte_count: int
    sha256: str  # hex digest of body; "" unless outcome is ok
    duration_ms: int
    outcome: Outcome
    error: str
    retry_after: float | None

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.OK

    @property
    def media_type(self) -> str:
        """The content type without parameters, lowercased: "text/html"."""
        return _media_type(self.content_type)

    @property
    def transient(self) -> bool:
        """Worth retrying later: timeouts, connection failures, 429/502/503/504."""
        if self.outcome in (Outcome.TIMEOUT, Outcome.CONNECTION):
            return True
        return self.outcome == Outcome.HTTP_ERROR and self.status in TRANSIENT_STATUSES


class _Failure(Exception):
    def __init__(self, outcome: Outcome, error: str, ip: str | None = None) -> None:
        super().__init__(error)
        self.outcome = outcome
        self.error = error
        self.ip = ip  # the address the request went to, when it got that far


@dataclass
class _LastResponse:
    """What the latest hop answered, for the result; filled in as the hop progresses."""

    status: int | None = None
    headers: dict[str, str] | None = None
    content_type: str = ""
    retry_after: float | None = None


def safe_fetch(
    url: str, *, policy: FetchPolicy, user_agent: str = DEFAULT_USER_AGENT
) -> FetchResult:
    """GET `url` within `policy`, following redirects. Never raises for network problems."""
    started = time.monotonic()
    deadline = started + policy.total_timeout
    hops: list[Hop] = []
    current = url
    seen = _LastResponse()

    def result(outcome: Outcome, error: str = "", body: bytes = b"") -> FetchResult:
        return FetchResult(
            requested_url=url,
            final_url=current,
            hops=hops,
            status=seen.status,
            headers=seen.headers or {},
            content_type=seen.content_type,
            body=body,
            byte_count=len(body),
            sha256=hashlib.sha256(body).hexdigest() if outcome == Outcome.OK else "",
            duration_ms=round((time.monotonic() - started) * 1000),
            outcome=outcome,
            error=error,
            retry_after=seen.retry_after,
        )

    for redirects in range(policy.max_redirects + 1):
        seen = _LastResponse()
        try:
            remaining = _remaining(deadline, policy)
            target = check_url(current, policy, dns_timeout=min(policy.dns_timeout, remaining))
            current = target.url
            body, location = _fetch_hop(target, policy, deadline, user_agent, hops, seen)
        except GuardError as exc:
            return result(exc.outcome, exc.reason)
        except _Failure as exc:
            return result(exc.outcome, exc.error)
        if location is None:
            return result(Outcome.OK, body=body)
        if redirects == policy.max_redirects:
            return result(
                Outcome.TOO_MANY_REDIRECTS,
                f"The page redirected more than {policy.max_redirects} times; the app stopped following.",
            )
        current = urljoin(current, location)
    raise AssertionError("unreachable: the loop returns on its last iteration")


def _fetch_hop(
    target: CheckedTarget,
    policy: FetchPolicy,
    deadline: float,
    user_agent: str,
    hops: list[Hop],
    seen: _LastResponse,
) -> tuple[bytes, str | None]:
    """One request: (body, None) or (b"", where it redirects to). Raises _Failure."""
    pool, response, ip = _open(target, policy, deadline, user_agent)
    try:
        hops.append({"url": target.url, "status": response.status, "ip": ip})
        seen.status = response.status
        seen.headers = _kept_headers(response)
        seen.content_type = seen.headers.get("content-type", "")
        seen.retry_after = _parse_retry_after(seen.headers.get("retry-after"))
        status = response.status
        if status in REDIRECT_STATUSES:
            location = seen.headers.get("location")
            if not location:
                raise _Failure(
                    Outcome.HTTP_ERROR,
                    f"The site answered {status} (redirect) without saying where to.",
                )
            return b"", _decode_location(response.headers["location"])
        if status >= 400:
            raise _Failure(Outcome.HTTP_ERROR, _http_error_text(status))
        if not 200 <= status < 300:
            raise _Failure(
                Outcome.HTTP_ERROR, f"The site answered with an unexpected status {status}."
            )
        media_type = _media_type(seen.content_type)
        if media_type not in policy.allowed_content_types:
            shown = media_type or "no content type"
            raise _Failure(
                Outcome.WRONG_TYPE,
                f"The link points to {shown}; the app only keeps web pages, PDFs, images and JSON.",
            )
        declared = seen.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > policy.max_bytes:
            raise _Failure(Outcome.TOO_LARGE, _too_large_text(policy.max_bytes))
        decoder = _decoder_for(response.headers.get("content-encoding", ""))
        return _read_body(response, decoder, policy, deadline, target.host), None
    finally:
        response.close()  # also closes its connection: nothing is reused between fetches
        pool.close()


def _open(
    target: CheckedTarget, policy: FetchPolicy, deadline: float, user_agent: str
) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse, str]:
    """Connect to the first checked address that answers and send the request."""
    headers = {
        "Host": target.host_header,
        "User-Agent": user_agent,
        "Accept": ", ".join(sorted(policy.allowed_content_types)) + ", */*;q=0.1",
        "Accept-Encoding": "gzip, deflate",
        "Connection": "close",
    }
    return open_pinned(
        target,
        policy,
        method="GET",
        headers=headers,
        timeout=lambda: _hop_timeout(deadline, policy),
    )


def _hop_timeout(deadline: float, policy: FetchPolicy) -> urllib3.Timeout:
    remaining = _remaining(deadline, policy)
    return urllib3.Timeout(
        connect=min(policy.connect_timeout, remaining), read=min(policy.read_timeout, remaining)
    )


def open_pinned(
    target: CheckedTarget,
    policy: FetchPolicy,
    *,
    method: str,
    headers: dict[str, str],
    timeout: Callable[[], urllib3.Timeout],
    body: bytes | None = None,
) -> tuple[urllib3.HTTPConnectionPool, urllib3.BaseHTTPResponse, str]:
    """Send one request to the first of the target's checked addresses that accepts a
    connection (never re-resolving the name), TLS verified against the host name. Raises
    _Failure; one that happened after connecting carries the address in ``ip``. The GET
    client and the webhook POST share this, so both keep the same guarantees."""
    failure: _Failure | None = None
    for ip in target.ips:
        pool = _pool(target, ip, timeout(), policy)
        try:
            response = pool.urlopen(
                method,
                target.path,
                body=body,
                headers=headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                release_conn=False,
            )
        except (ConnectTimeoutError, NewConnectionError) as exc:
            pool.close()
            failure = _failure_from(exc, target.host)
            continue  # nothing was sent: the next checked address may answer
        except (HTTPError, OSError) as exc:
            pool.close()
            error = _failure_from(exc, target.host)
            raise _Failure(error.outcome, error.error, ip) from None
        return pool, response, ip
    assert failure is not None  # check_url never returns an empty address list
    raise failure


def _pool(
    target: CheckedTarget, ip: str, timeout: urllib3.Timeout, policy: FetchPolicy
) -> urllib3.HTTPConnectionPool:
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            host=ip,
            port=target.port,
            timeout=timeout,
            retries=False,
            maxsize=1,
            cert_reqs="CERT_REQUIRED",
            ca_certs=policy.ca_certs or _ca_bundle(),
            server_hostname=target.host,
            assert_hostname=target.host,
        )
    return urllib3.HTTPConnectionPool(
        host=ip, port=target.port, timeout=timeout, retries=False, maxsize=1
    )


def _ca_bundle() -> str | None:
    """The system CA bundle, else certifi's, else None (the ssl module's defaults)."""
    if os.path.exists(_SYSTEM_CA_BUNDLE):
        return _SYSTEM_CA_BUNDLE
    try:
        import certifi  # optional: only where the system has no CA bundle
    except ImportError:
        return None
    return str(certifi.where())


def _remaining(deadline: float, policy: FetchPolicy) -> float:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _Failure(
            Outcome.TIMEOUT,
            f"The fetch took longer than {policy.total_timeout:g} seconds in total.",
        )
    return remaining


def _failure_from(exc: BaseException, site: str, *, reading_body: bool = False) -> _Failure:
    if isinstance(exc, SSLError | ssl.SSLError):
        return _Failure(
            Outcome.TLS, f"The secure (HTTPS) connection to {site} failed: {_tls_problem(exc)}."
        )
    if isinstance(exc, NewConnectionError):  # before ConnectTimeoutError: urllib3 subclasses it
        return _Failure(
            Outcome.CONNECTION,
            f"Could not connect to {site}: the connection was refused or failed.",
        )
    if isinstance(exc, ConnectTimeoutError):
        return _Failure(Outcome.TIMEOUT, f"{site} did not accept a connection in time.")
    if isinstance(exc, ReadTimeoutError | TimeoutError):
        if reading_body:
            return _Failure(
                Outcome.TIMEOUT, f"{site} stopped sending data before the page was complete."
            )
        return _Failure(Outcome.TIMEOUT, f"{site} did not answer in time.")
    return _Failure(
        Outcome.CONNECTION, f"The connection to {site} broke off: {type(exc).__name__}."
    )


def _kept_headers(response: urllib3.BaseHTTPResponse) -> dict[str, str]:
    kept: dict[str, str] = {}
    for name in KEPT_HEADERS:
        value = response.headers.get(name)
        if value is not None:
            kept[name] = "".join(c for c in value if c.isprintable())[:_MAX_HEADER_VALUE].strip()
    return kept


def _media_type(content_type: str) -> str:
    return content_type.partition(";")[0].strip().lower()


def _decode_location(raw: str) -> str:
    """http.client decodes header bytes as latin-1; browsers read Location as UTF-8."""
    try:
        return raw.encode("latin-1").decode("utf-8").strip()
    except UnicodeError:
        return raw.strip()


def _parse_retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After delta-seconds or HTTP-date value."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _http_error_text(status: int) -> str:
    if status == 404:
        return "The page was not found (404)."
    if status in (401, 403):
        return f"The site refused access to the page ({status})."
    if status == 410:
        return "The page has been removed (410)."
    if status == 429:
        return "The site is limiting requests (429); the app will try again later."
    if status >= 500:
        return f"The site had a server error ({status})."
    return f"The site answered with error {status}."


def _too_large_text(limit: int) -> str:
    return f"The file is larger than {limit:,} bytes, the most the app keeps."


class _Decoder:
    """Streaming gzip/deflate decoder whose output per call never exceeds a budget."""

    def __init__(self, encoding: str) -> None:
        self._gzip = encoding in ("gzip", "x-gzip")
        self._wbits = 16 + zlib.MAX_WBITS if self._gzip else zlib.MAX_WBITS
        self._zlib = zlib.decompressobj(self._wbits)
        self._started = False
        self._finished = False

    def decode(self, data: bytes, sink: _Sink) -> None:
        pending = data
        while pending and not self._finished:
            try:
                piece = self._zlib.decompress(pending, sink.room)
            except zlib.error:
                if self._gzip or self._started:
                    raise
                # Some servers send raw deflate without the zlib header.
                self._started = True
                self._wbits = -zlib.MAX_WBITS
                self._zlib = zlib.decompressobj(self._wbits)
                continue
            self._started = True
            sink.add(piece)
            pending = self._zlib.unconsumed_tail
            if self._zlib.eof:
                rest = self._zlib.unused_data
                if self._gzip and rest.startswith(b"\x1f\x8b"):  # another gzip member follows
                    self._zlib = zlib.decompressobj(self._wbits)
                    pending = rest
                else:
                    self._finished = True  # browsers ignore trailing garbage too


class _Sink:
    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.data = bytearray()

    @property
    def room(self) -> int:
        """How much more output to ask for: one byte past the cap, to detect overflow."""
        return self.limit - len(self.data) + 1

    def add(self, piece: bytes) -> None:
        self.data += piece
        if len(self.data) > self.limit:
            raise _Failure(Outcome.TOO_LARGE, _too_large_text(self.limit))


def _decoder_for(content_encoding: str) -> _Decoder | None:
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return _Decoder(encoding)
    raise _Failure(
        Outcome.WRONG_TYPE,
        f"The site sent the file compressed as {encoding!r}, which the app does not unpack.",
    )


def _read_body(
    response: urllib3.BaseHTTPResponse,
    decoder: _Decoder | None,
    policy: FetchPolicy,
    deadline: float,
    site: str,
) -> bytes:
    """Read until the end, the byte cap (after decompression) or the deadline."""
    sink = _Sink(policy.max_bytes)
    sock = getattr(getattr(response, "connection", None), "sock", None)
    try:
        while True:
            remaining = _remaining(deadline, policy)
            if sock is not None:  # a slow drip must not outlast the overall deadline
                sock.settimeout(min(policy.read_timeout, remaining))
            chunk = response.read1(_CHUNK, decode_content=False)
            if not chunk:
                break
            if decoder is None:
                sink.add(chunk)
            else:
                decoder.decode(chunk, sink)
    except zlib.error:
        raise _Failure(Outcome.CONNECTION, "The site sent a damaged compressed file.") from None
    except (HTTPError, OSError) as exc:
        raise _failure_from(exc, site, reading_body=True) from None
    return bytes(sink.data)


def _tls_problem(exc: BaseException) -> str:
    detail = str(exc)
    if "doesn't match" in detail or "Hostname mismatch" in detail:
        return "its certificate belongs to a different site"
    if "CERTIFICATE_VERIFY_FAILED" in detail or "certificate" in detail.lower():
        return "its certificate could not be verified"
    return "the TLS handshake did not complete"
