"""Real local servers for the fetching tests: an HTTP site with every kind of page the
app meets, an HTTPS twin with a throwaway certificate, and a TCP listener that only
counts connections (to prove that refused URLs are never contacted).

Everything listens on 127.0.0.1; nothing here reaches another address.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import shutil
import socket
import socketserver
import ssl
import struct
import subprocess
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from claims.fetching.guard import FetchPolicy

TEST_MAX_BYTES = 200_000

ARTICLE_TITLE = "Senior IRGC figure Javad Ghaffari reported to have arrived in Damascus"
ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Ghaffari in Damascus? - Levant Monitor</title>
<meta property="og:title" content="Ghaffari reportedly in Damascus">
<meta property="og:site_name" content="LM">
<meta property="og:description" content="Local sources say a senior IRGC commander has reached Damascus.">
<meta property="og:url" content="https://levant-monitor.example/og/ghaffari">
<meta property="article:published_time" content="2024-04-01T08:00:00+00:00">
<meta name="author" content="Someone Else">
<link rel="canonical" href="/news/2024/04/ghaffari-damascus">
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "Organization", "@id": "#org", "name": "Levant Monitor"},
  {"@type": "Person", "@id": "#rana", "name": "Rana Haddad"},
  {"@type": "WebSite", "@id": "#site", "name": "Levant Monitor website"},
  {"@type": "NewsArticle",
   "headline": "Senior IRGC figure Javad Ghaffari reported to have arrived in Damascus",
   "author": [{"@id": "#rana"}, {"@type": "Person", "name": "Omid Karimi"}],
   "publisher": {"@id": "#org"},
   "datePublished": "2024-04-02T09:30:00+03:00",
   "dateModified": "2024-04-02T14:05:00+03:00",
   "description": "Several local outlets report that Javad Ghaffari, a senior IRGC figure, landed in Damascus.",
   "inLanguage": "en-GB"}
]}
</script>
</head>
<body>
<header><nav><a href="/">Home</a> | <a href="/world">World</a></nav></header>
<article>
<h1>Senior IRGC figure Javad Ghaffari reported to have arrived in Damascus</h1>
<p>Several local news outlets reported on Tuesday that Javad Ghaffari, described as a senior
figure in Iran's Islamic Revolutionary Guard Corps, had arrived in the Syrian capital
Damascus. The reports cited unnamed sources close to the Syrian government.</p>
<p>Neither the Guard Corps nor the Syrian foreign ministry confirmed the visit by the time
of publication, and the reports did not say when he travelled or what the purpose of the
trip was.</p>
<p>Ghaffari was previously reported to have commanded Iranian advisers in northern Syria.
Earlier claims about his movements could not be independently verified, and at least one
of them was later withdrawn by the outlet that published it.</p>
<p>Analysts said that a visit, if confirmed, would most likely concern coordination between
Iranian advisers and Syrian army units, but stressed that the available evidence remained
thin.</p>
</article>
<footer>Copyright Levant Monitor</footer>
</body>
</html>
"""

OG_ONLY_HTML = """<!DOCTYPE html>
<html lang="fr">
<head>
<title>Page title from the title tag</title>
<meta property="og:title" content="Open Graph title wins over the title tag">
<meta property="og:site_name" content="Graph Gazette">
<meta property="article:published_time" content="2024-03-30">
<meta property="article:modified_time" content="2024-03-31T10:00:00Z">
<meta property="og:url" content="https://graph-gazette.example/story">
</head>
<body><article><p>A short story with Open Graph tags but no JSON-LD at all, long enough for the
extractor to keep it as the main text of the page without complaining about its size.</p></article></body>
</html>
"""

PLAIN_HTML = """<html><body><div><p>Just a paragraph of text with no metadata of any kind, written so
that the extractor has something to find but nothing to label it with.</p></div></body></html>"""

MALFORMED_HTML = (
    b'<html><head><title>Broken <b>page<meta charset="nonsense-charset">'
    b'<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>'
    b'<script type="application/ld+json">[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[</script>'
    b"<body><div><p>Unclosed <i>italic <table><tr><td>cell</p></div></span></html>"
    b"<<<>>> \x00\x01\x02 \xff\xfe &#xD800; &#0; <p>tail text after the end\x1b[31m red</p>"
    b"<![CDATA[ x ]]> <?php echo 1; ?> <!-- unclosed comment"
)

ARABIC_TEXT = (
    "أفادت مصادر محلية بأن القيادي في الحرس الثوري جواد غفاري وصل إلى دمشق يوم الثلاثاء، "
    "ولم تؤكد أي جهة رسمية هذه الأنباء حتى الآن. وقالت المصادر إن الزيارة تتعلق بالتنسيق "
    "العسكري بين المستشارين الإيرانيين ووحدات الجيش السوري."
)
ARABIC_TITLE = "تقارير عن وصول جواد غفاري إلى دمشق"
PERSIAN_TEXT = (
    "گزارش‌ها حاکی است جواد غفاری، از فرماندهان ارشد سپاه پاسداران، وارد دمشق شده است. "
    "هیچ مقام رسمی تاکنون این خبر را تأیید نکرده و منابع محلی می‌گویند سفر او به هماهنگی "
    "نظامی مربوط است."
)
PERSIAN_TITLE = "گزارش ورود جواد غفاری به دمشق"


def _arabic_page(with_meta: bool) -> bytes:
    meta = '<meta charset="windows-1256">' if with_meta else ""
    html = (
        f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{meta}<title>{ARABIC_TITLE}</title></head>'
        f"<body><article><h1>{ARABIC_TITLE}</h1><p>{ARABIC_TEXT}</p><p>{ARABIC_TEXT}</p>"
        "</article></body></html>"
    )
    return html.encode("cp1256")


PERSIAN_HTML = (
    '<!DOCTYPE html><html lang="fa" dir="rtl"><head><meta charset="utf-8">'
    f"<title>{PERSIAN_TITLE}</title></head><body><article><h1>{PERSIAN_TITLE}</h1>"
    f"<p>{PERSIAN_TEXT}</p><p>{PERSIAN_TEXT}</p></article></body></html>"
).encode()

PDF_TITLE = "Field report on the Damascus visit"
PDF_TEXT = "Ghaffari arrival reported in Damascus"


def make_pdf(text: str, title: str) -> bytes:
    """A minimal valid one-page PDF with one line of Helvetica text and an Info title."""
    content = f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>"
        ),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Title ({title}) /Author (Verification Desk) /CreationDate (D:20240402093000Z) >>".encode(
            "latin-1"
        ),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def make_png() -> bytes:
    """A valid 1x1 red PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


@dataclass
class Page:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0  # seconds before the status line
    drip: float = 0.0  # seconds between single bytes of the body


GZIP_BOMB = gzip.compress(b"\0" * 30_000_000, compresslevel=9)
HUGE_BODY = b"a" * (TEST_MAX_BYTES * 5)


def build_pages(counter_port: int) -> dict[str, Page]:
    html = {"Content-Type": "text/html; charset=utf-8"}
    text = {"Content-Type": "text/plain; charset=utf-8"}
    pages = {
        "/article": Page(headers=html, body=ARTICLE_HTML.encode()),
        "/og-only": Page(headers=html, body=OG_ONLY_HTML.encode()),
        "/plain-page": Page(headers={"Content-Type": "text/html"}, body=PLAIN_HTML.encode()),
        "/malformed": Page(headers={"Content-Type": "text/html"}, body=MALFORMED_HTML),
        "/empty": Page(headers={"Content-Type": "text/html"}, body=b""),
        "/arabic-meta": Page(
            headers={"Content-Type": "text/html"}, body=_arabic_page(with_meta=True)
        ),
        "/arabic-header": Page(
            headers={"Content-Type": "text/html; charset=windows-1256"},
            body=_arabic_page(with_meta=False),
        ),
        "/arabic-undeclared": Page(
            headers={"Content-Type": "text/html"}, body=_arabic_page(with_meta=False)
        ),
        "/persian": Page(headers={"Content-Type": "text/html; charset=UTF-8"}, body=PERSIAN_HTML),
        "/report.pdf": Page(
            headers={"Content-Type": "application/pdf"}, body=make_pdf(PDF_TEXT, PDF_TITLE)
        ),
        "/broken.pdf": Page(
            headers={"Content-Type": "application/pdf"}, body=b"%PDF-1.4\n1 0 obj << /Type"
        ),
        "/pixel.png": Page(headers={"Content-Type": "image/png"}, body=make_png()),
        "/data.json": Page(
            headers={"Content-Type": "application/json"},
            body=json.dumps({"claim": "دمشق"}).encode(),
        ),
        "/archive.zip": Page(
            headers={"Content-Type": "application/zip"}, body=b"PK\x03\x04" + b"\0" * 26
        ),
        "/no-type": Page(headers={}, body=b"what am I?"),
        "/redirect/a": Page(status=302, headers={"Location": "/redirect/b"}),
        "/redirect/b": Page(status=302, headers={"Location": "/article"}),
        "/relative/start": Page(status=301, headers={"Location": "../article?from=relative"}),
        "/see-other": Page(status=303, headers={"Location": "/article"}),
        "/to-other-port": Page(
            status=302, headers={"Location": f"http://127.0.0.1:{counter_port}/"}
        ),
        "/to-metadata": Page(
            status=302, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
        ),
        "/to-file": Page(status=302, headers={"Location": "file:///etc/passwd"}),
        "/redirect-nowhere": Page(status=302),
        "/slow": Page(headers=text, body=b"finally", delay=1.5),
        "/drip": Page(headers=text, body=b"." * 60, drip=0.05),
        "/huge": Page(headers=text, body=HUGE_BODY),
        "/huge-declared": Page(
            headers={**text, "Content-Length": str(TEST_MAX_BYTES * 50)}, body=b"only the start"
        ),
        "/gzip-bomb": Page(headers={**html, "Content-Encoding": "gzip"}, body=GZIP_BOMB),
        "/gzip-article": Page(
            headers={**html, "Content-Encoding": "gzip"}, body=gzip.compress(ARTICLE_HTML.encode())
        ),
        "/deflate-article": Page(
            headers={**html, "Content-Encoding": "deflate"},
            body=zlib.compress(ARTICLE_HTML.encode()),
        ),
        "/brotli": Page(headers={**html, "Content-Encoding": "br"}, body=b"\x0b\x02\x80hello\x03"),
        "/busy": Page(status=429, headers={**text, "Retry-After": "2"}, body=b"slow down"),
        "/unavailable": Page(
            status=503,
            headers={**text, "Retry-After": "Wed, 21 Oct 2099 07:28:00 GMT"},
            body=b"later",
        ),
        "/error": Page(status=500, headers=text, body=b"boom"),
        "/missing": Page(status=404, headers=text, body=b"not here"),
    }
    for n in range(8):  # /chain/n redirects n times before a 200
        target = f"/chain/{n - 1}" if n else None
        pages[f"/chain/{n}"] = (
            Page(status=302, headers={"Location": target})
            if target
            else Page(headers=text, body=b"end of chain")
        )
    for n in range(6):  # a six-page redirect loop
        pages[f"/loop/{n}"] = Page(status=307, headers={"Location": f"/loop/{(n + 1) % 6}"})
    return pages


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def do_GET(self) -> None:
        path = self.path.partition("?")[0]
        if path == "/echo":
            self._send(Page(headers={"Content-Type": "text/plain"}, body=self._echo()))
            return
        self._send(
            self.server.pages.get(path, Page(status=404, headers={"Content-Type": "text/plain"}))
        )

    def _echo(self) -> bytes:
        seen = {
            "host": self.headers.get("Host"),
            "path": self.path,
            "ua": self.headers.get("User-Agent"),
        }
        return json.dumps(seen).encode()

    def _send(self, page: Page) -> None:
        self.server.requests.append(self.path)
        time.sleep(page.delay)
        self.send_response(page.status)
        for name, value in page.headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            if page.drip:
                for index in range(len(page.body)):
                    self.wfile.write(page.body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(page.drip)
            else:
                self.wfile.write(page.body)
        except OSError:
            pass  # the client stopped reading on purpose (size cap, timeout)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(
        self, pages: dict[str, Page], tls: ssl.SSLContext | None = None, host: str = "127.0.0.1"
    ) -> None:
        if ":" in host:
            self.address_family = socket.AF_INET6
        super().__init__((host, 0), _Handler)
        self.pages = pages
        self.requests: list[str] = []
        self.tls = tls

    def get_request(self) -> tuple[socket.socket, object]:
        sock, address = super().get_request()
        if self.tls is not None:
            sock.settimeout(2)
            sock = self.tls.wrap_socket(sock, server_side=True)
        return sock, address

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients hang up mid-response in these tests on purpose


@contextlib.contextmanager
def _serve(server: socketserver.BaseServer) -> Iterator[None]:
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class _CountingHandler(socketserver.BaseRequestHandler):
    server: _CountingServer

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1


class _CountingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _CountingHandler)
        self.connections = 0
        self.lock = threading.Lock()


@pytest.fixture(scope="session")
def _counter() -> Iterator[_CountingServer]:
    server = _CountingServer()
    with _serve(server):
        yield server


@pytest.fixture(scope="session")
def counter_port(_counter: _CountingServer) -> int:
    """Port of a TCP listener on 127.0.0.1 that only counts connections."""
    return int(_counter.server_address[1])


@pytest.fixture
def connections(_counter: _CountingServer) -> Callable[[], int]:
    """How many connections the counting listener has accepted so far."""

    def count() -> int:
        time.sleep(0.05)  # let an in-flight accept land before reading
        with _counter.lock:
            return _counter.connections

    return count


@pytest.fixture(scope="session")
def ipv6_port(counter_port: int) -> Iterator[int]:
    """Port of the test site on [::1], where the machine has IPv6 loopback."""
    try:
        server = _Site(build_pages(counter_port), host="::1")
    except OSError:
        pytest.skip("no IPv6 loopback on this machine")
    with _serve(server):
        yield int(server.server_address[1])


@pytest.fixture(scope="session")
def _site(counter_port: int) -> Iterator[_Site]:
    server = _Site(build_pages(counter_port))
    with _serve(server):
        yield server


@pytest.fixture(scope="session")
def server_port(_site: _Site) -> int:
    return int(_site.server_address[1])


@pytest.fixture(scope="session")
def base_url(server_port: int) -> str:
    """http://127.0.0.1:<port> of the local test site."""
    return f"http://127.0.0.1:{server_port}"


@pytest.fixture
def served_paths(_site: _Site) -> list[str]:
    """Request paths the test site has answered, in order (cleared for each test)."""
    _site.requests.clear()
    return _site.requests


@pytest.fixture(scope="session")
def policy(server_port: int, counter_port: int) -> FetchPolicy:
    """The production policy with small limits, allowed to reach the test site only.

    The counting listener's port is an allowed port, so URLs pointing at it are refused
    for their address, not their port.
    """
    return FetchPolicy(
        allowed_ports=frozenset({80, 443, counter_port}),
        allow_local_targets=frozenset({f"127.0.0.1:{server_port}"}),
        dns_timeout=1.0,
        connect_timeout=1.0,
        read_timeout=0.5,
        total_timeout=5.0,
        max_bytes=TEST_MAX_BYTES,
    )


@dataclass(frozen=True)
class TLSSite:
    port: int
    ca_file: str
    hostname: str


@pytest.fixture(scope="session")
def tls_site(tmp_path_factory: pytest.TempPathFactory, counter_port: int) -> Iterator[TLSSite]:
    """The same pages over HTTPS with a self-signed certificate for `secure.test`."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder: Path = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(cert), "-days", "2", "-subj", "/CN=secure.test",
         "-addext", "subjectAltName=DNS:secure.test"],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    server = _Site(build_pages(counter_port), tls=context)
    with _serve(server):
        yield TLSSite(port=int(server.server_address[1]), ca_file=str(cert), hostname="secure.test")


# --------------------------------------------------------------------------------------------
# The fetch pipeline's tests: a site whose pages tests can script, and settings that let the
# pipeline (which reads Django settings, not a test policy) reach it.

SLEEPY_SECONDS = 3.0  # long enough to kill a worker in the middle of the fetch


class ScriptedPages(dict[str, Page | list[Page]]):
    """Pages by path. A list is served in order, its last page repeating: [429, 200]."""

    def __init__(self, pages: dict[str, Page]) -> None:
        super().__init__(pages)
        self.lock = threading.Lock()

    def get(self, key: str, default: Any = None) -> Any:
        with self.lock:
            value = super().get(key, default)
            if isinstance(value, list):
                return value.pop(0) if len(value) > 1 else value[0]
            return value


@dataclass
class PipelineSite:
    """The local site the pipeline fetches from, with pages a test can replace."""

    server: _Site
    pages: ScriptedPages

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def script(self, path: str, *pages: Page) -> str:
        """Serve these pages at `path`, one per request (the last repeats); its URL."""
        with self.pages.lock:
            self.pages[path] = list(pages)
        return self.url(path)

    def copy(self, source: str, path: str) -> str:
        """Serve the page at `source` under `path` too (a path of the test's own, whose
        requests it can count); its URL."""
        with self.pages.lock:
            self.pages[path] = dict.__getitem__(self.pages, source)
        return self.url(path)

    def hits(self, path: str) -> int:
        return sum(1 for seen in list(self.server.requests) if seen.partition("?")[0] == path)


@pytest.fixture(scope="session")
def pipeline_site(counter_port: int) -> Iterator[PipelineSite]:
    html = {"Content-Type": "text/html; charset=utf-8"}
    pages = build_pages(counter_port)
    pages["/sleepy"] = Page(headers=html, body=ARTICLE_HTML.encode(), delay=SLEEPY_SECONDS)
    pages["/slowish"] = Page(headers=html, body=ARTICLE_HTML.encode(), delay=0.3)
    scripted = ScriptedPages(pages)
    server = _Site(scripted)  # type: ignore[arg-type]
    with _serve(server):
        yield PipelineSite(server=server, pages=scripted)


@pytest.fixture
def fetch_settings(
    settings: Any, tmp_path: Path, pipeline_site: PipelineSite, counter_port: int
) -> Any:
    """Settings under which the pipeline reaches the local site quickly and stores blobs
    in a fresh folder. Retries are immediate here: Celery runs eagerly in tests.

    The counting listener's port is an allowed port, so URLs pointing at it are refused
    for their address, not their port."""
    settings.FETCH_ALLOW_LOCAL_TARGETS = [pipeline_site.target]
    settings.FETCH_ALLOWED_PORTS = [80, 443, counter_port]
    settings.FETCH_MAX_BYTES = TEST_MAX_BYTES
    settings.FETCH_CONNECT_TIMEOUT = 1.0
    settings.FETCH_READ_TIMEOUT = 0.5
    settings.FETCH_TOTAL_TIMEOUT = 5.0
    settings.FETCH_MAX_ATTEMPTS = 3
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.ARCHIVE_SPN_ENDPOINT = ""
    _free_site_slots(settings)
    return settings


def _free_site_slots(settings: Any) -> None:
    """Forget slots a killed worker left behind in Redis for the local site."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        for key in client.scan_iter(match="*:fetch-site:127.0.0.1"):
            client.delete(key)
        client.close()
