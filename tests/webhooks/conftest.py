"""A real webhook receiver on 127.0.0.1 (stdlib ThreadingHTTPServer) that records what it
gets and answers with the statuses a test asks for, plus a TCP listener that only counts
connections, to prove refused URLs are never contacted."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from claims.models import WebhookSubscriber


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    port: int
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # answered in order, then 200
    extra_headers: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/verify"


@pytest.fixture
def receiver(settings: Any) -> Iterator[Receiver]:
    state = Receiver(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            state.requests.append(
                Received(self.path, dict(self.headers.items()), self.rfile.read(length))
            )
            status = state.statuses.pop(0) if state.statuses else 200
            body = b'{"received": true}' if status < 300 else b"nope"
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", f"http://127.0.0.1:{state.port}/elsewhere")
            for name, value in state.extra_headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = server.server_address[1]
    settings.FETCH_ALLOW_LOCAL_TARGETS = [f"127.0.0.1:{state.port}"]
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@dataclass
class Listener:
    port: int
    connections: int = 0


@pytest.fixture
def listener() -> Iterator[Listener]:
    """Accepts and counts TCP connections on 127.0.0.1 (not an allowed target)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.settimeout(0.2)
    state = Listener(port=sock.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            state.connections += 1
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield state
    stop.set()
    thread.join(timeout=2)
    sock.close()


@pytest.fixture
def subscriber(receiver: Receiver, db: None) -> WebhookSubscriber:
    return WebhookSubscriber.objects.create(
        name="Partner CMS",
        url=receiver.url,
        secret="test-secret-do-not-use",
        events=list(WebhookSubscriber.EVENTS),
    )


@pytest.fixture
def eager_retries() -> Iterator[None]:
    """Let eager tasks retry in place: with ``task_eager_propagates`` on (the suite's
    default), Celery raises a task's Retry instead of running it again."""
    from verify.celery import app

    before = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = before
