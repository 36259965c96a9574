"""Decide whether a URL may be fetched, before any byte leaves the machine.

Every outbound request of the app goes through `check_url`: it parses the URL the way a
browser would, refuses anything ambiguous, resolves the host once and refuses the whole
URL if any resolved address is internal (loopback, private, link-local, cloud metadata,
or one of those wrapped in an IPv6 transition form). The client then connects to the
addresses checked here and never resolves the name again, so DNS rebinding cannot swap
in an internal address between the check and the connection.
"""

from __future__ import annotations

import enum
import ipaddress
import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeAlias
from urllib.parse import quote

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver: TypeAlias = Callable[[str, int, float], list[str]]
"""(host, port, timeout in seconds) -> IP address strings. Raises TimeoutError when the
lookup takes too long and OSError (socket.gaierror) when the name does not resolve."""


class Outcome(enum.StrEnum):
    """How a fetch ended. Stored as text, so the values never change."""

    OK = "ok"
    BLOCKED = "blocked"
    DNS = "dns"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    WRONG_TYPE = "wrong_type"
    HTTP_ERROR = "http_error"
    TLS = "tls"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    CONNECTION = "connection"


class GuardError(Exception):
    """A URL the app will not fetch. `reason` is plain English for an editor."""

    def __init__(self, reason: str, outcome: Outcome = Outcome.BLOCKED) -> None:
        super().__init__(reason)
        self.reason = reason
        self.outcome = outcome


ALLOWED_CONTENT_TYPES = frozenset(
    {
        "text/html",
        "application/xhtml+xml",
        "text/plain",
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/json",
        "application/ld+json",
    }
)

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SUPPORTED_SCHEMES = frozenset(_DEFAULT_PORTS)


def system_resolver(host: str, port: int, timeout: float) -> list[str]:
    """Resolve `host` with the system resolver, giving up after `timeout` seconds.

    The name is looked up as an absolute name (trailing dot) so resolv.conf search
    domains (Kubernetes `ndots:5`, corporate suffixes) cannot turn it into an internal
    name. getaddrinfo cannot be cancelled, so it runs in a daemon thread that is
    abandoned on timeout.
    """
    found: list[list[str]] = []
    failed: list[OSError] = []

    def lookup() -> None:
        try:
            infos = socket.getaddrinfo(
                host if host.endswith(".") else f"{host}.",
                port,
                type=socket.SOCK_STREAM,
                proto=socket.IPPROTO_TCP,
            )
        except OSError as exc:
            failed.append(exc)
            return
        found.append(list(dict.fromkeys(str(info[4][0]) for info in infos)))

    worker = threading.Thread(target=lookup, name=f"resolve {host}", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise TimeoutError(f"looking up {host} took longer than {timeout:g} s")
    if failed:
        raise failed[0]
    return found[0] if found else []


@dataclass(frozen=True)
class FetchPolicy:
    """Limits for one fetch. The defaults are the production limits."""

    allowed_schemes: frozenset[str] = _SUPPORTED_SCHEMES
    allowed_ports: frozenset[int] = frozenset({80, 443})
    max_url_length: int = 2048
    dns_timeout: float = 3.0
    connect_timeout: float = 5.0
    read_timeout: float = 10.0
    total_timeout: float = 30.0
    max_bytes: int = 10 * 1024 * 1024  # decompressed bytes
    max_redirects: int = 5
    allowed_content_types: frozenset[str] = ALLOWED_CONTENT_TYPES
    # Exact "ip:port" ("[ip]:port" for IPv6) reachable although internal. Tests only.
    allow_local_targets: frozenset[str] = frozenset()
    resolver: Resolver = field(default=system_resolver, repr=False)
    # CA bundle for HTTPS; None means the system bundle (or certifi's).
    ca_certs: str | None = None

    def __post_init__(self) -> None:
        if not self.allowed_schemes or not self.allowed_schemes <= _SUPPORTED_SCHEMES:
            raise ValueError("allowed_schemes must be a non-empty subset of {'http', 'https'}")
        if not all(0 < port < 65536 for port in self.allowed_ports):
            raise ValueError("allowed_ports must be TCP ports (1-65535)")
        timeouts = (self.dns_timeout, self.connect_timeout, self.read_timeout, self.total_timeout)
        if min(timeouts) <= 0:
            raise ValueError("timeouts must be positive")
        if self.max_bytes <= 0 or self.max_url_length <= 0 or self.max_redirects < 0:
            raise ValueError("max_bytes and max_url_length must be positive, max_redirects >= 0")
        targets = frozenset(_parse_local_target(target) for target in self.allow_local_targets)
        object.__setattr__(self, "allow_local_targets", targets)
        object.__setattr__(
            self, "allowed_content_types", frozenset(t.lower() for t in self.allowed_content_types)
        )


def _parse_local_target(target: str) -> str:
    """Canonical "ip:port" for an allow_local_targets entry; ValueError if malformed."""
    malformed = ValueError(f"allow_local_targets entry {target!r} is not 'ip:port'")
    address, sep, port = target.rpartition(":")
    if not sep or not _PORT.fullmatch(port) or not 0 < int(port) < 65536:
        raise malformed
    try:
        ip = ipaddress.ip_address(address.removeprefix("[").removesuffix("]"))
    except ValueError:
        raise malformed from None
    return _target_key(ip, int(port))


def _target_key(ip: IPAddress, port: int) -> str:
    return f"[{ip}]:{port}" if ip.version == 6 else f"{ip}:{port}"


def policy_from_settings() -> FetchPolicy:
    """The production policy, with the limits Django settings override.

    Settings (all optional): FETCH_ALLOWED_PORTS, FETCH_MAX_BYTES,
    FETCH_ALLOW_LOCAL_TARGETS (list of "ip:port"), FETCH_CONNECT_TIMEOUT,
    FETCH_READ_TIMEOUT, FETCH_TOTAL_TIMEOUT.
    """
    from django.conf import settings  # imported here: the rest of the module needs no Django

    defaults = FetchPolicy()
    return FetchPolicy(
        allowed_ports=frozenset(
            int(port) for port in getattr(settings, "FETCH_ALLOWED_PORTS", defaults.allowed_ports)
        ),
        max_bytes=int(getattr(settings, "FETCH_MAX_BYTES", defaults.max_bytes)),
        allow_local_targets=frozenset(getattr(settings, "FETCH_ALLOW_LOCAL_TARGETS", ())),
        connect_timeout=float(getattr(settings, "FETCH_CONNECT_TIMEOUT", defaults.connect_timeout)),
        read_timeout=float(getattr(settings, "FETCH_READ_TIMEOUT", defaults.read_timeout)),
        total_timeout=float(getattr(settings, "FETCH_TOTAL_TIMEOUT", defaults.total_timeout)),
    )


@dataclass(frozen=True)
class CheckedTarget:
    """A URL that passed the guard, with the addresses the client may connect to."""

    scheme: str
    host: str  # lowercase ASCII name (punycode), dotted-quad IPv4, or IPv6 without brackets
    port: int
    path: str  # path and query, percent-encoded ASCII, always starting with "/"
    ips: tuple[str, ...]

    @property
    def host_header(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return host if self.port == _DEFAULT_PORTS[self.scheme] else f"{host}:{self.port}"

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host_header}{self.path}"


_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_PORT = re.compile(r"[0-9]{1,5}")
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_\-]{0,61}[a-z0-9_])?")
_DECIMAL = re.compile(r"[0-9]+")
_HEX = re.compile(r"0[xX][0-9A-Fa-f]*")
_OCTAL = re.compile(r"0[0-7]+")
# Characters IDNA 2003 (Python's codec) and browsers' UTS 46 map differently.
_IDNA_DEVIATIONS = frozenset("\u00df\u03c2\u200c\u200d")
_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".home.arpa", ".lan")
_PATH_SAFE = "".join(chr(c) for c in range(0x21, 0x7F))  # keep printable ASCII as is


def check_url(url: str, policy: FetchPolicy, *, dns_timeout: float | None = None) -> CheckedTarget:
    """Parse, normalise and vet `url`; resolve its host once. Raises GuardError.

    `dns_timeout` overrides policy.dns_timeout (the client passes what is left of its
    overall deadline).
    """
    if not isinstance(url, str):
        raise GuardError("The web address is not text.")
    url = url.strip(" \t\r\n\f")
    if not url:
        raise GuardError("The web address is empty.")
    if len(url) > policy.max_url_length:
        raise GuardError(
            f"The web address is {len(url)} characters long; the app fetches addresses "
            f"of at most {policy.max_url_length} characters."
        )
    if "\\" in url or any(_is_hidden_char(char) for char in url):
        raise GuardError(
            "The web address contains spaces, backslashes or control characters; "
            "copy it again from the browser's address bar."
        )
    match = _SCHEME.match(url)
    if match is None:
        raise GuardError("This is not a web address: it should start with https:// or http://.")
    scheme = match.group(1).lower()
    if scheme not in policy.allowed_schemes:
        allowed = " and ".join(sorted(policy.allowed_schemes))
        raise GuardError(f"The app only fetches {allowed} addresses, not {scheme}: ones.")
    rest = url[match.end() :]
    if not rest.startswith("//") or rest.startswith("///"):
        raise GuardError(f"The web address should start with {scheme}:// followed by a site name.")
    rest = rest[2:]
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    authority, tail = rest[:end], rest[end:].partition("#")[0]
    if "@" in authority:
        raise GuardError(
            "The web address contains a user name or password (user:pass@); "
            "the app does not send credentials."
        )
    raw_host, port = _split_authority(authority, scheme)
    if port not in policy.allowed_ports and not _port_has_local_target(port, policy):
        raise GuardError(
            f"The web address uses port {port}; the app only fetches from ports "
            f"{', '.join(str(p) for p in sorted(policy.allowed_ports))}."
        )
    try:
        path = quote(tail if tail.startswith("/") else f"/{tail}", safe=_PATH_SAFE)
    except UnicodeEncodeError:
        raise GuardError("The web address contains characters that cannot be encoded.") from None

    host, literal = _normalise_host(raw_host)
    if literal is not None:
        ips = [literal]
    else:
        ips = _resolve(
            host, port, policy, policy.dns_timeout if dns_timeout is None else dns_timeout
        )
    for ip in ips:
        if _target_key(ip, port) in policy.allow_local_targets:
            continue
        problem = address_problem(ip)
        if problem is not None:
            subject = (
                f"The address {ip}" if literal is not None else f"{host} points to {ip}, which"
            )
            raise GuardError(f"{subject} is {problem}; the app does not fetch internal addresses.")
        if port not in policy.allowed_ports:
            raise GuardError(
                f"The web address uses port {port}, which the app does not fetch from."
            )
    return CheckedTarget(
        scheme=scheme, host=host, port=port, path=path, ips=tuple(str(ip) for ip in ips)
    )


def _is_hidden_char(char: str) -> bool:
    code = ord(char)
    return code <= 0x20 or 0x7F <= code <= 0x9F or char.isspace() or 0xD800 <= code <= 0xDFFF


def _port_has_local_target(port: int, policy: FetchPolicy) -> bool:
    return any(target.endswith(f":{port}") for target in policy.allow_local_targets)


def _split_authority(authority: str, scheme: str) -> tuple[str, int]:
    if authority.startswith("["):
        close = authority.find("]")
        if close < 0:
            raise GuardError("The web address has an unclosed [ in its host.")
        host, after = authority[: close + 1], authority[close + 1 :]
        if after and not after.startswith(":"):
            raise GuardError("The web address has text after its IPv6 host.")
        port_text = after[1:] if after else None
    else:
        host, sep, port_text = authority.rpartition(":")
        if not sep:
            host, port_text = authority, None
        if ":" in host or "[" in host or "]" in host:
            raise GuardError("The web address has a malformed host (stray : or brackets).")
    if port_text is None or port_text == "":
        return host, _DEFAULT_PORTS[scheme]
    if not _PORT.fullmatch(port_text) or not 0 < int(port_text) < 65536:
        raise GuardError(f"The web address has an invalid port {port_text!r}.")
    return host, int(port_text)


def _normalise_host(raw: str) -> tuple[str, IPAddress | None]:
    """(normalised host, the IP address if the host is an address literal)."""
    if not raw:
        raise GuardError("The web address has no site name.")
    if "%" in raw:
        raise GuardError(
            "The web address has a percent-encoded host or an IPv6 zone id, "
            "which the app does not accept."
        )
    if raw.startswith("["):
        try:
            ipv6 = ipaddress.IPv6Address(raw[1:-1])
        except ValueError:
            raise GuardError(f"The web address has an invalid IPv6 host {raw}.") from None
        return str(ipv6), ipv6
    host = raw
    if not host.isascii():
        if any(char in _IDNA_DEVIATIONS for char in host):
            raise GuardError(
                "The site name contains characters (ß, ς, or invisible joiners) that "
                "browsers and the app could read differently."
            )
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            raise GuardError("The site name is not a valid international domain name.") from None
    host = host.lower()
    if host.endswith(".") and len(host) > 1:
        host = host[:-1]
    labels = host.split(".")
    if _DECIMAL.fullmatch(labels[-1]) or _HEX.fullmatch(labels[-1]):
        ipv4 = _parse_numeric_ipv4(labels)
        return str(ipv4), ipv4
    if len(host) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise GuardError(f"The site name {host!r} is not a valid host name.")
    if len(labels) < 2:
        raise GuardError(
            f"The site name {host!r} has no dot; the app only fetches public sites "
            "with full domain names."
        )
    if host == "localhost" or host.endswith(_LOCAL_NAMES):
        raise GuardError(
            f"{host} is a local network name; the app does not fetch internal addresses."
        )
    return host, None


def _parse_numeric_ipv4(labels: list[str]) -> ipaddress.IPv4Address:
    """Read a host ending in a number as browsers and inet_aton do (WHATWG URL IPv4 parser):
    1-4 parts, each decimal, octal (leading 0) or hex (0x); 127.1, 0x7f.1, 2130706433 and
    0177.0.0.1 are all 127.0.0.1. Anything that does not parse cleanly is refused."""
    unreadable = GuardError(
        "The web address has a numeric host the app cannot read unambiguously: "
        f"{'.'.join(labels)!r}."
    )
    if len(labels) > 4 or any(len(label) > 34 for label in labels):  # 0x + 32 hex digits at most
        raise unreadable
    numbers: list[int] = []
    for label in labels:
        if _HEX.fullmatch(label):
            numbers.append(int(label[2:] or "0", 16))
        elif len(label) > 1 and label.startswith("0"):
            if not _OCTAL.fullmatch(label):
                raise unreadable
            numbers.append(int(label[1:], 8))
        elif _DECIMAL.fullmatch(label):
            numbers.append(int(label, 10))
        else:
            raise unreadable
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        raise unreadable
    value = last
    for index, number in enumerate(head):
        value += number << (8 * (3 - index))
    return ipaddress.IPv4Address(value)


def _resolve(host: str, port: int, policy: FetchPolicy, timeout: float) -> list[IPAddress]:
    try:
        answers = policy.resolver(host, port, max(timeout, 0.001))
    except TimeoutError:
        raise GuardError(
            f"Looking up {host} took longer than {timeout:.3g} seconds.", Outcome.TIMEOUT
        ) from None
    except socket.gaierror as exc:
        if exc.errno == socket.EAI_AGAIN:
            raise GuardError(
                f"The name server did not answer for {host}; try again later.", Outcome.CONNECTION
            ) from None
        raise GuardError(
            f"The site {host} does not exist (its name does not resolve).", Outcome.DNS
        ) from None
    except OSError:
        raise GuardError(f"The site {host} could not be looked up.", Outcome.DNS) from None
    if not answers:
        raise GuardError(f"The site {host} has no addresses.", Outcome.DNS)
    ips: list[IPAddress] = []
    for answer in answers:
        if "%" in answer:
            raise GuardError(
                f"{host} points to the link-local address {answer}; the app does not fetch "
                "internal addresses."
            )
        try:
            ips.append(ipaddress.ip_address(answer))
        except ValueError:
            raise GuardError(f"{host} resolved to something that is not an address.") from None
    return ips


_CLOUD_METADATA = frozenset(
    ipaddress.ip_address(a)
    for a in (
        "169.254.169.254",  # AWS, GCP, Azure, OpenStack, DigitalOcean, Oracle
        "169.254.169.253",  # AWS DNS
        "169.254.169.123",  # AWS time sync
        "169.254.170.2",  # AWS ECS task metadata
        "169.254.170.23",  # AWS EKS pod identity
        "100.100.100.200",  # Alibaba Cloud
        "168.63.129.16",  # Azure wire server (a public-range address)
        "192.0.0.192",  # Oracle Cloud (legacy)
        "fd00:ec2::254",  # AWS IPv6 metadata
        "fd00:ec2::253",  # AWS IPv6 DNS
        "fd00:ec2::123",  # AWS IPv6 time sync
        "fd00:ec2::23",  # AWS IPv6 EKS pod identity
    )
)
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_SHARED = ipaddress.ip_network("100.64.0.0/10")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")


def address_problem(ip: IPAddress) -> str | None:
    """Why the app must not connect to `ip` ("on a private network"), or None if public."""
    if ip in _CLOUD_METADATA:
        return "a cloud metadata service"
    if isinstance(ip, ipaddress.IPv4Address):
        return _ipv4_problem(ip)
    if ip.is_unspecified:
        return "the unspecified address (this machine)"
    if ip.is_loopback:
        return "this machine's own loopback address"
    wrapped = _wrapped_ipv4(ip)
    if wrapped is not None:
        kind, inner = wrapped
        inner_problem = _ipv4_problem(inner)
        if inner_problem is not None:
            return f"the {kind} form of {inner}, which is {inner_problem}"
        if ip not in _NAT64:  # DNS64 networks answer 64:ff9b::/96 for every IPv4 site
            return f"the {kind} form of {inner}; the app only connects to plain addresses"
        return None
    if ip in _NAT64_LOCAL:
        return "a local-use NAT64 address"
    if ip.is_link_local:
        return "a link-local address"
    if ip.is_site_local or ip.is_private:
        return "on a private network"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address, not on the public internet"
    return None


def _ipv4_problem(ip: ipaddress.IPv4Address) -> str | None:
    if ip in _CLOUD_METADATA:
        return "a cloud metadata service"
    if ip.is_unspecified or ip in _THIS_NETWORK:
        return "not a real destination (0.0.0.0/8 means this machine)"
    if ip.is_loopback:
        return "this machine's own loopback address"
    if ip.is_link_local:
        return "a link-local address"
    if ip in _SHARED:
        return "in the shared carrier-grade NAT range (100.64.0.0/10)"
    if ip.is_private:
        return "on a private network"
    if ip.is_multicast:
        return "a multicast address"
    if ip.is_reserved or not ip.is_global:
        return "a reserved address, not on the public internet"
    return None


def _wrapped_ipv4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address inside an IPv6 transition form, with the form's name."""
    last32 = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped (::ffff:)", ip.ipv4_mapped
    if ip in _IPV4_COMPATIBLE:
        return "IPv4-compatible (::a.b.c.d)", last32
    if ip in _IPV4_TRANSLATED:
        return "IPv4-translated (::ffff:0:a.b.c.d)", last32
    if ip in _NAT64:
        return "NAT64 (64:ff9b::)", last32
    if ip.sixtofour is not None:
        return "6to4 (2002::)", ip.sixtofour
    if ip.teredo is not None:
        server, client = ip.teredo
        return "Teredo (2001::)", client if _ipv4_problem(client) else server
    return None
