"""Fixtures for the intake app tests: the retold sample article (bench/data/intake, written
for this project), a real local HTTP server that serves it, and claims to match against."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

ARTICLES = Path(__file__).resolve().parents[2] / "bench" / "data" / "intake" / "articles.json"


def _retold() -> dict[str, Any]:
    articles = json.loads(ARTICLES.read_text(encoding="utf-8"))["articles"]
    return next(a for a in articles if a["id"] == "iran-syria-retold")


ARTICLE = _retold()
ARTICLE_TEXT: str = ARTICLE["text"]
GHAFFARI = (
    "Iran International, a Persian-language broadcaster critical of the government in Tehran, "
    "reported that senior Revolutionary Guards commander Javad Ghaffari had arrived in "
    "Damascus on Tuesday, citing the state-run Al-Alam channel."
)
HEZBOLLAH = (
    "Hezbollah agreed to a ceasefire with Israel after two months of heavy fighting in which "
    "it may have lost over 3,000 fighters."
)
assert GHAFFARI in ARTICLE_TEXT
assert HEZBOLLAH in ARTICLE_TEXT

ARABIC_TEXT = (
    "قال مسؤولون إن غفاري وصل إلى دمشق يوم الثلاثاء. "
    "وذكرت وكالة الأنباء أن ثلاثة آلاف مقاتل قتلوا في الحرب."
)


def _html(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta property="og:site_name" content="Desk Monitor">'
        f'<meta property="article:published_time" content="2024-12-04T08:00:00+00:00">'
        f"</head><body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


PAGES: dict[str, tuple[int, str, bytes]] = {
    "/article": (
        200,
        "text/html; charset=utf-8",
        _html(
            "Iran's army chief works the phones",
            [p for p in ARTICLE_TEXT.split("\n") if p.strip()][1:],
        ),
    ),
    "/pixel.png": (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
    "/missing": (404, "text/plain", b"not here"),
    "/busy": (503, "text/plain", b"try later"),
}


class _Handler(BaseHTTPRequestHandler):
    server: _Site

    def do_GET(self) -> None:
        self.server.requests.append(self.path)
        status, content_type, body = PAGES.get(self.path, (404, "text/plain", b"no"))
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Site(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []


@pytest.fixture(scope="session")
def _site() -> Iterator[_Site]:
    server = _Site()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def site(_site: _Site, settings: Any) -> str:
    """Base URL of the local site; the fetch guard lets the app reach it (and only it)."""
    host, port = _site.server_address[:2]
    settings.FETCH_ALLOW_LOCAL_TARGETS = [f"{host}:{port}"]
    settings.FETCH_ALLOWED_PORTS = [80, 443, port]
    settings.FETCH_TOTAL_TIMEOUT = 5
    _site.requests.clear()
    return f"http://{host}:{port}"


@pytest.fixture
def served(_site: _Site) -> list[str]:
    return _site.requests


def postgres_extra_queries() -> int:
    """What a duplicate lookup adds on PostgreSQL inside a test's transaction: a savepoint, the
    transaction-local trigram thresholds, and the savepoint's release (in a request, without
    an outer transaction, only the thresholds query remains)."""
    return 3 if connection.vendor == "postgresql" else 0
