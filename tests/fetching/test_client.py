"""safe_fetch against real local servers: redirects, limits, errors, rebinding, proxies, TLS."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import socket
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pytest

from claims.fetching.client import DEFAULT_USER_AGENT, FetchResult, safe_fetch
from claims.fetching.guard import FetchPolicy, Outcome
from tests.fetching.conftest import ARTICLE_HTML, TEST_MAX_BYTES, TLSSite


class TableResolver:
    """A stub resolver: each name maps to a list of answers, one per lookup (the last
    answer repeats). Counts lookups per name."""

    def __init__(self, table: dict[str, list[list[str]]]) -> None:
        self.table = table
        self.calls: dict[str, int] = {}

    def __call__(self, host: str, port: int, timeout: float) -> list[str]:
        count = self.calls.get(host, 0)
        self.calls[host] = count + 1
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        answers = self.table[host]
        return answers[min(count, len(answers) - 1)]


def fetch(url: str, policy: FetchPolicy, **changes: Any) -> FetchResult:
    """safe_fetch with the test policy, some of its fields changed."""
    return safe_fetch(url, policy=dataclasses.replace(policy, **changes) if changes else policy)


def test_fetches_a_page(base_url: str, policy: FetchPolicy) -> None:
    result = fetch(f"{base_url}/article", policy)

    body = ARTICLE_HTML.encode()
    assert result.outcome == Outcome.OK
    assert result.ok
    assert result.error == ""
    assert result.status == 200
    assert result.body == body
    assert result.byte_count == len(body)
    assert result.sha256 == hashlib.sha256(body).hexdigest()
    assert result.content_type == "text/html; charset=utf-8"
    assert result.media_type == "text/html"
    assert result.headers["content-type"] == "text/html; charset=utf-8"
    assert set(result.headers) <= {
        "content-type", "content-length", "last-modified", "etag", "server",
        "retry-after", "content-language", "location",
    }  # fmt: skip
    assert result.requested_url == result.final_url == f"{base_url}/article"
    assert result.hops == [{"url": f"{base_url}/article", "status": 200, "ip": "127.0.0.1"}]
    assert result.retry_after is None
    assert not result.transient
    assert 0 <= result.duration_ms < 5000


def test_sends_the_checked_host_and_user_agent(
    base_url: str, policy: FetchPolicy, server_port: int
) -> None:
    default = json.loads(fetch(f"{base_url}/echo?q=%D8%AF", policy).body)
    custom = json.loads(safe_fetch(f"{base_url}/echo", policy=policy, user_agent="Desk/2").body)

    assert default == {
        "host": f"127.0.0.1:{server_port}",
        "path": "/echo?q=%D8%AF",
        "ua": DEFAULT_USER_AGENT,
    }
    assert custom["ua"] == "Desk/2"


def test_follows_a_redirect_chain(base_url: str, policy: FetchPolicy) -> None:
    result = fetch(f"{base_url}/redirect/a", policy)

    assert result.outcome == Outcome.OK
    assert result.final_url == f"{base_url}/article"
    assert [hop["status"] for hop in result.hops] == [302, 302, 200]
    assert [hop["url"] for hop in result.hops] == [
        f"{base_url}/redirect/a",
        f"{base_url}/redirect/b",
        f"{base_url}/article",
    ]
    assert result.body == ARTICLE_HTML.encode()


@pytest.mark.parametrize(
    ("path", "final_path"),
    [("/relative/start", "/article?from=relative"), ("/see-other", "/article")],
)
def test_resolves_relative_and_303_redirects(
    path: str, final_path: str, base_url: str, policy: FetchPolicy
) -> None:
    result = fetch(base_url + path, policy)

    assert result.outcome == Outcome.OK
    assert result.final_url == base_url + final_path


def test_follows_up_to_the_redirect_limit(base_url: str, policy: FetchPolicy) -> None:
    five = fetch(f"{base_url}/chain/5", policy)
    six = fetch(f"{base_url}/chain/6", policy)

    assert five.outcome == Outcome.OK
    assert len(five.hops) == 6
    assert six.outcome == Outcome.TOO_MANY_REDIRECTS
    assert len(six.hops) == 6
    assert not six.transient


def test_stops_a_redirect_loop(base_url: str, policy: FetchPolicy, served_paths: list[str]) -> None:
    result = fetch(f"{base_url}/loop/0", policy)

    assert result.outcome == Outcome.TOO_MANY_REDIRECTS
    assert "more than 5 times" in result.error
    assert len(served_paths) == 6


def test_redirect_to_another_local_port_is_blocked(
    base_url: str, policy: FetchPolicy, counter_port: int, connections: Callable[[], int]
) -> None:
    before = connections()

    result = fetch(f"{base_url}/to-other-port", policy)

    assert result.outcome == Outcome.BLOCKED
    assert "127.0.0.1" in result.error
    assert result.final_url == f"http://127.0.0.1:{counter_port}/"
    assert [hop["status"] for hop in result.hops] == [302]
    assert connections() == before
    assert not result.transient


@pytest.mark.parametrize(
    ("path", "words"), [("/to-metadata", "cloud metadata"), ("/to-file", "not file:")]
)
def test_redirect_to_forbidden_targets_is_blocked(
    path: str, words: str, base_url: str, policy: FetchPolicy
) -> None:
    result = fetch(base_url + path, policy)

    assert result.outcome == Outcome.BLOCKED
    assert words in result.error
    assert result.body == b""


def test_redirect_without_location_is_an_http_error(base_url: str, policy: FetchPolicy) -> None:
    result = fetch(f"{base_url}/redirect-nowhere", policy)

    assert result.outcome == Outcome.HTTP_ERROR
    assert result.status == 302


def test_slow_page_times_out(base_url: str, policy: FetchPolicy) -> None:
    started = time.monotonic()

    result = fetch(f"{base_url}/slow", policy)

    assert result.outcome == Outcome.TIMEOUT
    assert result.error == "127.0.0.1 did not answer in time."
    assert result.transient
    assert time.monotonic() - started < 1.4


def test_total_deadline_stops_a_slow_drip(base_url: str, policy: FetchPolicy) -> None:
    started = time.monotonic()

    result = fetch(f"{base_url}/drip", policy, total_timeout=1.0)

    assert result.outcome == Outcome.TIMEOUT
    assert "in total" in result.error
    assert time.monotonic() - started < 1.8
    assert result.body == b""


@pytest.mark.parametrize("path", ["/huge", "/huge-declared"])
def test_oversized_body_is_refused(path: str, base_url: str, policy: FetchPolicy) -> None:
    result = fetch(base_url + path, policy)

    assert result.outcome == Outcome.TOO_LARGE
    assert f"{TEST_MAX_BYTES:,}" in result.error
    assert result.body == b""
    assert result.byte_count == 0
    assert not result.transient


def test_gzip_bomb_is_stopped_at_the_cap_without_inflating_it(
    base_url: str, policy: FetchPolicy
) -> None:
    tracemalloc.start()
    try:
        result = fetch(f"{base_url}/gzip-bomb", policy)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()

    assert result.outcome == Outcome.TOO_LARGE
    assert peak < 4_000_000  # the bomb inflates to 30 MB


def test_body_limit_counts_decompressed_bytes(base_url: str, policy: FetchPolicy) -> None:
    article = ARTICLE_HTML.encode()

    fits = fetch(f"{base_url}/gzip-article", policy)
    too_small = fetch(f"{base_url}/gzip-article", policy, max_bytes=len(article) - 1)

    assert fits.outcome == Outcome.OK
    assert fits.body == article
    assert too_small.outcome == Outcome.TOO_LARGE


def test_deflate_is_decoded(base_url: str, policy: FetchPolicy) -> None:
    result = fetch(f"{base_url}/deflate-article", policy)

    assert result.outcome == Outcome.OK
    assert result.body == ARTICLE_HTML.encode()


def test_unknown_content_encoding_is_refused(base_url: str, policy: FetchPolicy) -> None:
    result = fetch(f"{base_url}/brotli", policy)

    assert result.outcome == Outcome.WRONG_TYPE
    assert "'br'" in result.error


@pytest.mark.parametrize(
    ("path", "status", "transient"),
    [
        ("/busy", 429, True),
        ("/unavailable", 503, True),
        ("/error", 500, False),
        ("/missing", 404, False),
    ],
)
def test_http_errors(
    path: str, status: int, transient: bool, base_url: str, policy: FetchPolicy
) -> None:
    result = fetch(base_url + path, policy)

    assert result.outcome == Outcome.HTTP_ERROR
    assert result.status == status
    assert result.transient is transient
    assert result.body == b""
    assert str(status) in result.error


def test_retry_after_is_parsed(base_url: str, policy: FetchPolicy) -> None:
    busy = fetch(f"{base_url}/busy", policy)
    unavailable = fetch(f"{base_url}/unavailable", policy)

    assert busy.retry_after == 2.0
    assert busy.headers["retry-after"] == "2"
    assert unavailable.retry_after is not None
    assert unavailable.retry_after > 365 * 24 * 3600  # an HTTP-date in 2099


@pytest.mark.parametrize(
    ("path", "shown"), [("/archive.zip", "application/zip"), ("/no-type", "no content type")]
)
def test_disallowed_content_types_are_refused_before_reading(
    path: str, shown: str, base_url: str, policy: FetchPolicy
) -> None:
    result = fetch(base_url + path, policy)

    assert result.outcome == Outcome.WRONG_TYPE
    assert shown in result.error
    assert result.status == 200
    assert result.body == b""
    assert not result.transient


@pytest.mark.parametrize(
    ("path", "media_type", "magic"),
    [
        ("/report.pdf", "application/pdf", b"%PDF"),
        ("/pixel.png", "image/png", b"\x89PNG"),
        ("/data.json", "application/json", b"{"),
    ],
)
def test_allowed_binary_types(
    path: str, media_type: str, magic: bytes, base_url: str, policy: FetchPolicy
) -> None:
    result = fetch(base_url + path, policy)

    assert result.outcome == Outcome.OK
    assert result.media_type == media_type
    assert result.body.startswith(magic)


def test_connection_refused_is_a_transient_connection_error(policy: FetchPolicy) -> None:
    with socket.socket() as probe:  # find a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    result = fetch(
        f"http://127.0.0.1:{port}/", policy, allow_local_targets=frozenset({f"127.0.0.1:{port}"})
    )

    assert result.outcome == Outcome.CONNECTION
    assert result.transient
    assert result.hops == []


def test_dns_failures(policy: FetchPolicy) -> None:
    def slow(host: str, port: int, timeout: float) -> list[str]:
        raise TimeoutError

    missing = fetch("https://no-such-site.example/", policy, resolver=TableResolver({}))
    timed_out = fetch("https://slow-dns.example/", policy, resolver=slow)

    assert (missing.outcome, missing.transient) == (Outcome.DNS, False)
    assert "does not exist" in missing.error
    assert (timed_out.outcome, timed_out.transient) == (Outcome.TIMEOUT, True)


def test_garbage_input_is_refused_not_raised(policy: FetchPolicy) -> None:
    result = fetch("not a url at all", policy)

    assert result.outcome == Outcome.BLOCKED
    assert result.requested_url == "not a url at all"
    assert result.hops == []


def test_connects_to_the_checked_address_not_a_second_lookup(
    base_url: str, policy: FetchPolicy, server_port: int
) -> None:
    """DNS rebinding: the first answer is the allowed address, any later one points
    elsewhere. A client that resolved again would connect to 127.0.0.2 (nothing there)
    or, through the system resolver, fail to find the name at all."""
    resolver = TableResolver({"rebind.example": [["127.0.0.1"], ["127.0.0.2"]]})

    result = fetch(f"http://rebind.example:{server_port}/echo", policy, resolver=resolver)

    assert result.outcome == Outcome.OK
    assert json.loads(result.body)["host"] == f"rebind.example:{server_port}"
    assert result.hops[0]["ip"] == "127.0.0.1"
    assert resolver.calls == {"rebind.example": 1}


def test_ipv6_literal_target(policy: FetchPolicy, ipv6_port: int) -> None:
    allowed = frozenset({f"[::1]:{ipv6_port}"})

    result = fetch(f"http://[::1]:{ipv6_port}/echo", policy, allow_local_targets=allowed)

    assert result.outcome == Outcome.OK, result.error
    assert json.loads(result.body)["host"] == f"[::1]:{ipv6_port}"
    assert result.hops[0]["ip"] == "::1"


def test_each_hop_is_resolved_and_checked_once(policy: FetchPolicy, server_port: int) -> None:
    resolver = TableResolver({"stable.example": [["127.0.0.1"]]})

    result = fetch(f"http://stable.example:{server_port}/redirect/a", policy, resolver=resolver)

    assert result.outcome == Outcome.OK
    assert len(result.hops) == 3
    assert resolver.calls == {"stable.example": 3}


def test_redirect_to_a_name_that_rebinds_to_loopback_is_blocked(
    base_url: str, policy: FetchPolicy, server_port: int
) -> None:
    resolver = TableResolver({"flip.example": [["127.0.0.1"], ["127.0.0.2"]]})

    result = fetch(f"http://flip.example:{server_port}/redirect/a", policy, resolver=resolver)

    assert result.outcome == Outcome.BLOCKED
    assert "127.0.0.2" in result.error
    assert len(result.hops) == 1


def test_proxy_environment_variables_are_ignored(
    base_url: str,
    policy: FetchPolicy,
    counter_port: int,
    connections: Callable[[], int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    proxy = f"http://127.0.0.1:{counter_port}"
    for name in (
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ):
        monkeypatch.setenv(name, proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    before = connections()

    result = fetch(f"{base_url}/article", policy)

    assert result.outcome == Outcome.OK
    assert connections() == before


def test_the_counting_listener_counts(counter_port: int, connections: Callable[[], int]) -> None:
    """Control for the tests below: a real connection does show up."""
    before = connections()
    with socket.create_connection(("127.0.0.1", counter_port), timeout=2):
        pass
    deadline = time.monotonic() + 2
    while connections() == before and time.monotonic() < deadline:
        pass  # connections() waits a little each call

    assert connections() == before + 1


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1:{port}/",
        "http://2130706433:{port}/",
        "http://0x7f.1:{port}/",
        "http://127.1:{port}/",
        "http://0:{port}/",
        "http://0.0.0.0:{port}/",
        "http://[::ffff:127.0.0.1]:{port}/",
        "http://[::1]:{port}/",
        "http://localhost:{port}/",
        "http://loopback.example:{port}/",
        "http://mixed-local.example:{port}/",
    ],
)
def test_refused_urls_are_never_contacted(
    template: str, policy: FetchPolicy, counter_port: int, connections: Callable[[], int]
) -> None:
    resolver = TableResolver(
        {"loopback.example": [["127.0.0.1"]], "mixed-local.example": [["127.0.0.2", "127.0.0.1"]]}
    )
    before = connections()

    result = fetch(template.format(port=counter_port), policy, resolver=resolver)

    assert result.outcome == Outcome.BLOCKED
    assert result.hops == []
    assert connections() == before


def test_tls_to_a_plain_http_server_fails_as_tls(server_port: int, policy: FetchPolicy) -> None:
    result = fetch(f"https://127.0.0.1:{server_port}/article", policy)

    assert result.outcome == Outcome.TLS
    assert "handshake" in result.error
    assert not result.transient


def _tls_policy(policy: FetchPolicy, tls_site: TLSSite, *, trusted: bool) -> FetchPolicy:
    return dataclasses.replace(
        policy,
        allow_local_targets=frozenset({f"127.0.0.1:{tls_site.port}"}),
        resolver=TableResolver({"secure.test": [["127.0.0.1"]], "wrong.test": [["127.0.0.1"]]}),
        ca_certs=tls_site.ca_file if trusted else None,
    )


def test_https_verifies_the_name_while_connecting_to_the_checked_ip(
    tls_site: TLSSite, policy: FetchPolicy
) -> None:
    trusted = _tls_policy(policy, tls_site, trusted=True)

    ok = safe_fetch(f"https://secure.test:{tls_site.port}/article", policy=trusted)
    wrong_name = safe_fetch(f"https://wrong.test:{tls_site.port}/article", policy=trusted)
    untrusted = safe_fetch(
        f"https://secure.test:{tls_site.port}/article",
        policy=_tls_policy(policy, tls_site, trusted=False),
    )

    assert ok.outcome == Outcome.OK, ok.error
    assert ok.body == ARTICLE_HTML.encode()
    assert ok.hops[0]["ip"] == "127.0.0.1"
    assert wrong_name.outcome == Outcome.TLS
    assert "different site" in wrong_name.error
    assert untrusted.outcome == Outcome.TLS
    assert "could not be verified" in untrusted.error
