"""check_url: what the app refuses to fetch, and what it lets through, without any network.

Names resolve through a stub resolver, so no test here sends a packet anywhere.
"""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from claims.fetching.guard import (
    CheckedTarget,
    FetchPolicy,
    GuardError,
    Outcome,
    check_url,
    policy_from_settings,
)

NAMES: dict[str, list[str]] = {
    "public.example": ["93.184.216.34"],
    "xn--e1afmkfd.example": ["93.184.216.34"],
    "dual.example": ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"],
    "internal.example": ["10.0.0.5"],
    "mixed.example": ["93.184.216.34", "127.0.0.1"],
    "metadata.cloud.example": ["169.254.169.254"],
    "metadata.google.internal": ["169.254.169.254"],
    "v6loop.example": ["::1"],
    "mapped.example": ["::ffff:10.1.2.3"],
    "ula.example": ["fd12:3456::1"],
    "linklocal6.example": ["fe80::1%eth0"],
    "cgnat.example": ["100.64.1.1"],
    "nat64.example": ["64:ff9b::192.168.1.1"],
    "reserved.example": ["240.0.0.1"],
    "garbage.example": ["not-an-address"],
}


class StubResolver:
    """Answers from a fixed table and records every question."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.calls: list[tuple[str, int]] = []

    def __call__(self, host: str, port: int, timeout: float) -> list[str]:
        self.calls.append((host, port))
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.table[host]


@pytest.fixture
def resolver() -> StubResolver:
    return StubResolver(NAMES)


@pytest.fixture
def stub_policy(resolver: StubResolver) -> FetchPolicy:
    return FetchPolicy(resolver=resolver)


HOSTILE_URLS = [
    # numeric spellings of loopback and "this host"
    "http://2130706433/",
    "http://0177.0.0.1/",
    "http://017700000001/",
    "http://0x7f.1/",
    "http://0x7f000001/",
    "http://0x7f.0x0.0x0.0x1/",
    "http://127.1/",
    "http://127.0.1/",
    "http://127.0.0.1./",
    "http://0/",
    "http://0.0.0.0/",
    "http://１２７．０．０．１/",
    "http://%31%32%37.0.0.1/",
    "http://256.0.0.1/",
    "http://1.2.3.4.5/",
    "http://08.0.0.1/",
    "http://" + "9" * 1000 + "/",
    # IPv6 literals and IPv4 wrapped in IPv6 transition forms
    "http://[::]/",
    "http://[::1]/",
    "http://[::ffff:127.0.0.1]/",
    "http://[::ffff:7f00:1]/",
    "http://[0:0:0:0:0:ffff:127.0.0.1]/",
    "http://[::ffff:a9fe:a9fe]/",
    "http://[::127.0.0.1]/",
    "http://[::ffff:0:10.0.0.1]/",
    "http://[64:ff9b::a00:1]/",
    "http://[64:ff9b::127.0.0.1]/",
    "http://[64:ff9b:1::a00:1]/",
    "http://[2002:7f00:1::]/",
    "http://[2002:a9fe:a9fe::1]/",
    "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",
    "http://[fe80::1%25eth0]/",
    "http://[fe80::1]/",
    "http://[fc00::1]/",
    "http://[fd00:ec2::254]/",
    "http://[ff02::1]/",
    # private, shared, metadata and special IPv4 ranges
    "http://169.254.169.254/latest/meta-data/",
    "http://100.100.100.200/latest/meta-data/",
    "http://168.63.129.16/machine?comp=goalstate",
    "http://100.64.0.1/",
    "http://10.0.0.5/",
    "http://172.16.0.1/",
    "http://192.168.1.1/",
    "http://198.18.0.1/",
    "http://224.0.0.1/",
    "http://255.255.255.255/",
    # names that are, or resolve to, internal addresses
    "http://metadata.google.internal/computeMetadata/v1/",
    "http://localhost/",
    "http://LOCALHOST./",
    "http://admin.localhost/",
    "http://printer.local/",
    "http://intranet/",
    "http://internal.example/",
    "http://mixed.example/",
    "http://metadata.cloud.example/",
    "http://v6loop.example/",
    "http://mapped.example/",
    "http://ula.example/",
    "http://linklocal6.example/",
    "http://cgnat.example/",
    "http://nat64.example/",
    "http://reserved.example/",
    "http://garbage.example/",
    # credentials and parser tricks
    "http://user:pass@public.example/",
    "http://user@public.example/",
    "http://public.example@127.0.0.1/",
    "http://public.example\\@127.0.0.1/",
    "http://public.example:80@127.0.0.1/",
    "http://public.example/\r\nHost: 127.0.0.1",
    "http:// public.example/",
    "http:/public.example/",
    "http:///public.example/",
    "//public.example/",
    "public.example/path",
    "",
    # other schemes
    "file:///etc/passwd",
    "gopher://127.0.0.1:6379/_INFO",
    "dict://127.0.0.1:11211/stats",
    "ftp://public.example/",
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    # ports
    "http://public.example:22/",
    "http://public.example:6379/",
    "http://public.example:5432/",
    "https://public.example:0/",
    "http://public.example:99999/",
    "http://public.example:8o/",
    "http://public.example/" + "a" * 2100,
]


@pytest.mark.parametrize("url", HOSTILE_URLS)
def test_hostile_urls_are_refused_with_a_readable_reason(
    url: str, stub_policy: FetchPolicy
) -> None:
    with pytest.raises(GuardError) as caught:
        check_url(url, stub_policy)
    assert caught.value.outcome == Outcome.BLOCKED
    assert caught.value.reason.endswith(".")
    assert str(caught.value) == caught.value.reason


def test_hostile_list_is_long_enough() -> None:
    assert len(set(HOSTILE_URLS)) == len(HOSTILE_URLS) >= 40


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        (
            "http://10.0.0.5/",
            "The address 10.0.0.5 is on a private network; the app does not fetch internal addresses.",
        ),
        (
            "http://internal.example/",
            (
                "internal.example points to 10.0.0.5, which is on a private network; "
                "the app does not fetch internal addresses."
            ),
        ),
        (
            "http://mixed.example/",
            (
                "mixed.example points to 127.0.0.1, which is this machine's own loopback address; "
                "the app does not fetch internal addresses."
            ),
        ),
        (
            "http://[::ffff:127.0.0.1]/",
            (
                "The address ::ffff:7f00:1 is the IPv4-mapped (::ffff:) form of 127.0.0.1, which is this "
                "machine's own loopback address; the app does not fetch internal addresses."
            ),
        ),
        (
            "http://169.254.169.254/latest/meta-data/",
            "The address 169.254.169.254 is a cloud metadata service; the app does not fetch internal addresses.",
        ),
        (
            "http://0x7f.1/",
            "The address 127.0.0.1 is this machine's own loopback address; the app does not fetch internal addresses.",
        ),
        ("ftp://public.example/", "The app only fetches http and https addresses, not ftp: ones."),
        (
            "http://public.example:6379/",
            "The web address uses port 6379; the app only fetches from ports 80, 443.",
        ),
    ],
)
def test_reasons_name_the_problem(url: str, reason: str, stub_policy: FetchPolicy) -> None:
    with pytest.raises(GuardError) as caught:
        check_url(url, stub_policy)
    assert caught.value.reason == reason


def test_public_name_passes_and_is_normalised(
    stub_policy: FetchPolicy, resolver: StubResolver
) -> None:
    target = check_url(
        "  HTTPS://Public.EXAMPLE.:443/news/2024?id=7&lang=ar#comments ", stub_policy
    )

    assert target == CheckedTarget(
        scheme="https",
        host="public.example",
        port=443,
        path="/news/2024?id=7&lang=ar",
        ips=("93.184.216.34",),
    )
    assert target.url == "https://public.example/news/2024?id=7&lang=ar"
    assert target.host_header == "public.example"
    assert resolver.calls == [("public.example", 443)]


@pytest.mark.parametrize(
    ("url", "host", "ips"),
    [
        ("http://93.184.216.34/", "93.184.216.34", ("93.184.216.34",)),
        ("http://0x5d.184.216.34/", "93.184.216.34", ("93.184.216.34",)),
        (
            "http://[2606:2800:220:1:248:1893:25c8:1946]/",
            "2606:2800:220:1:248:1893:25c8:1946",
            None,
        ),
        ("http://[64:ff9b::5db8:d822]/", "64:ff9b::5db8:d822", ("64:ff9b::5db8:d822",)),
        ("http://пример.example/", "xn--e1afmkfd.example", ("93.184.216.34",)),
        (
            "http://dual.example/",
            "dual.example",
            ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"),
        ),
    ],
)
def test_public_addresses_pass(
    url: str, host: str, ips: tuple[str, ...] | None, stub_policy: FetchPolicy
) -> None:
    target = check_url(url, stub_policy)

    assert target.host == host
    assert target.ips == (ips or (host,))


def test_address_literals_are_not_looked_up(
    stub_policy: FetchPolicy, resolver: StubResolver
) -> None:
    check_url("http://93.184.216.34/", stub_policy)
    with pytest.raises(GuardError):
        check_url("http://2130706433/", stub_policy)

    assert resolver.calls == []


def test_non_ascii_path_is_percent_encoded(stub_policy: FetchPolicy) -> None:
    target = check_url("https://public.example/wiki/دمشق?q=غفاري", stub_policy)

    assert target.path == "/wiki/%D8%AF%D9%85%D8%B4%D9%82?q=%D8%BA%D9%81%D8%A7%D8%B1%D9%8A"
    assert target.url.isascii()


def test_ipv6_target_keeps_brackets_in_host_header(stub_policy: FetchPolicy) -> None:
    target = check_url("http://[2606:2800:220:1:248:1893:25c8:1946]:443/x", stub_policy)

    assert target.host_header == "[2606:2800:220:1:248:1893:25c8:1946]:443"
    assert target.url == "http://[2606:2800:220:1:248:1893:25c8:1946]:443/x"


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), Outcome.DNS),
        (
            socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"),
            Outcome.CONNECTION,
        ),
        (TimeoutError("too slow"), Outcome.TIMEOUT),
    ],
)
def test_lookup_failures_have_their_own_outcomes(error: OSError, outcome: Outcome) -> None:
    def failing(host: str, port: int, timeout: float) -> list[str]:
        raise error

    with pytest.raises(GuardError) as caught:
        check_url("https://public.example/", FetchPolicy(resolver=failing))

    assert caught.value.outcome == outcome


def test_a_name_without_addresses_is_a_dns_failure() -> None:
    with pytest.raises(GuardError) as caught:
        check_url("https://public.example/", FetchPolicy(resolver=lambda host, port, timeout: []))

    assert caught.value.outcome == Outcome.DNS


def test_dns_timeout_is_passed_to_the_resolver() -> None:
    seen: list[float] = []

    def recording(host: str, port: int, timeout: float) -> list[str]:
        seen.append(timeout)
        return ["93.184.216.34"]

    check_url("https://public.example/", FetchPolicy(resolver=recording, dns_timeout=2.5))
    check_url("https://public.example/", FetchPolicy(resolver=recording), dns_timeout=0.25)

    assert seen == [2.5, 0.25]


def test_allow_local_targets_opens_exactly_one_address_and_port() -> None:
    policy = FetchPolicy(
        allowed_ports=frozenset({80, 8081}), allow_local_targets=frozenset({"127.0.0.1:8080"})
    )

    assert check_url("http://127.0.0.1:8080/x", policy).ips == ("127.0.0.1",)
    with pytest.raises(GuardError, match="loopback"):
        check_url("http://127.0.0.1:8081/x", policy)
    with pytest.raises(GuardError, match="loopback"):
        check_url("http://127.0.0.2:8080/x", policy)
    with pytest.raises(GuardError, match="port 8082"):
        check_url("http://127.0.0.1:8082/x", policy)


def test_allow_local_targets_are_validated_and_normalised() -> None:
    policy = FetchPolicy(allow_local_targets=frozenset({"[0:0::1]:8080", "127.0.0.1:9"}))

    assert policy.allow_local_targets == frozenset({"[::1]:8080", "127.0.0.1:9"})
    with pytest.raises(ValueError, match="ip:port"):
        FetchPolicy(allow_local_targets=frozenset({"localhost:80"}))
    with pytest.raises(ValueError, match="ip:port"):
        FetchPolicy(allow_local_targets=frozenset({"127.0.0.1"}))


def test_policy_refuses_nonsense_limits() -> None:
    with pytest.raises(ValueError, match="schemes"):
        FetchPolicy(allowed_schemes=frozenset({"ftp"}))
    with pytest.raises(ValueError, match="timeouts"):
        FetchPolicy(read_timeout=0)


def test_policy_defaults_match_the_production_limits() -> None:
    policy = FetchPolicy()

    assert policy.allowed_schemes == {"http", "https"}
    assert policy.allowed_ports == {80, 443}
    assert (policy.max_url_length, policy.max_bytes, policy.max_redirects) == (
        2048,
        10 * 1024 * 1024,
        5,
    )
    assert (
        policy.dns_timeout,
        policy.connect_timeout,
        policy.read_timeout,
        policy.total_timeout,
    ) == (3, 5, 10, 30)
    assert "application/pdf" in policy.allowed_content_types
    assert "application/zip" not in policy.allowed_content_types
    assert policy.allow_local_targets == frozenset()


def test_policy_from_settings_reads_django_settings() -> None:
    from django.conf import settings  # only this test needs Django
    from django.test import override_settings

    if not settings.configured and "DJANGO_SETTINGS_MODULE" not in os.environ:
        settings.configure()
    with override_settings(
        FETCH_ALLOWED_PORTS=[443, 8443],
        FETCH_MAX_BYTES=1234,
        FETCH_ALLOW_LOCAL_TARGETS=["127.0.0.1:8000"],
        FETCH_CONNECT_TIMEOUT=1,
        FETCH_READ_TIMEOUT=2,
        FETCH_TOTAL_TIMEOUT=3,
    ):
        policy = policy_from_settings()

    assert policy.allowed_ports == {443, 8443}
    assert policy.max_bytes == 1234
    assert policy.allow_local_targets == {"127.0.0.1:8000"}
    assert (policy.connect_timeout, policy.read_timeout, policy.total_timeout) == (1, 2, 3)
    assert policy.max_redirects == 5


def _decision(url: str, policy: FetchPolicy) -> str | None:
    try:
        check_url(url, policy)
    except GuardError as exc:
        return exc.reason.split(" is ", 1)[1]
    return None


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_every_spelling_of_an_ipv4_address_gets_the_same_decision(value: int) -> None:
    policy = FetchPolicy(resolver=StubResolver({}))
    dotted = str(ipaddress.IPv4Address(value))
    octets = dotted.split(".")
    spellings = [
        f"http://{value}/",
        f"http://{hex(value)}/",
        "http://" + ".".join(f"0{int(o):o}" for o in octets) + "/",
        "http://" + ".".join(hex(int(o)) for o in octets) + "/",
        f"http://{octets[0]}.{int(octets[1]) * 65536 + int(octets[2]) * 256 + int(octets[3])}/",
        f"http://[::ffff:{dotted}]/",
    ]
    expected = _decision(f"http://{dotted}/", policy)
    for spelling in spellings[:-1]:
        assert _decision(spelling, policy) == expected, spelling
    if expected is not None:  # the mapped form is never fetched, and names the same problem
        assert expected in str(_decision(spellings[-1], policy))
