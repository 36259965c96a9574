"""Benchmark of the public status API under gunicorn with production settings.

    .venv/bin/python bench/public_api.py                      # everything, figures at the end
    .venv/bin/python bench/public_api.py --duration 5 --rounds 5 --claims 200

What it does, in one run:

1. Recreates the PostgreSQL database ``verify_api_bench`` and empties Redis DB 5.
2. Migrates, creates the roles and seeds 1,000 published claims through the services and
   the workflow (as the newsroom would: create, submit, assign, evidence, propose, approve).
3. Counts the queries of an uncached public page at several page sizes (in process).
4. Starts gunicorn (DJANGO_DEBUG=0, production settings, HTTPS redirect off for loopback,
   ``DJANGO_ROOT_URLCONF=bench.urls`` which adds one bare JSON view) and runs wrk at
   concurrency 32 against:
   - the bare view (the baseline: same middleware, same server), and the same returning a
     body as large as the page of 50 (what moving those bytes costs on its own),
   - ``/api/v1/public/claims/?page_size=50`` (served from the server-side cache),
   - the same with ``Accept-Encoding: gzip``,
   - the same with ``If-None-Match`` (the 304 path),
   - the same with the server-side cache off (every request renders: the worst case).
5. Prints req/s, p50 and p99 latency, and the API/bare ratio (goal: at least 0.7).

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust), Redis on 127.0.0.1:6379 and
wrk (``apt-get install -y wrk``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DB_NAME = "verify_api_bench"
REDIS_DB = 5
PORT = 8791
LIST_PATH = "/api/v1/public/claims/?page_size=50"
BARE_PATH = "/bench/bare/"


def bench_env(*, cache_seconds: int = 600) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "verify.settings",
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "bench-only-secret-key-not-for-production-0123456789",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
            "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_ROOT_URLCONF": "bench.urls",
            "VERIFY_VAR_DIR": str(ROOT / "var" / "bench"),
            "DJANGO_LOG_LEVEL": "WARNING",
            # One client IP makes every request: throttling still runs, but must not bite.
            "PUBLIC_API_RATE": "100000000/min",
            "PUBLIC_CACHE_SECONDS": str(cache_seconds),
            "PUBLISHER_URL": "https://verify.example",
        }
    )
    env.pop("FETCH_ALLOW_LOCAL_TARGETS", None)
    return env


def run(cmd: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, env=env, cwd=ROOT, check=True, text=True, **kwargs)


# --------------------------------------------------------------------------------------------
# Setup (runs in this process with the bench environment for --seed and --queries)


def prepare(env: dict[str, str], claims: int) -> None:
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-q",
            "-c",
            f"DROP DATABASE IF EXISTS {DB_NAME}",
        ],
        check=True,
    )
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-q", "-c", f"CREATE DATABASE {DB_NAME}"],
        check=True,
    )
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "flushdb"], check=True, capture_output=True)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v", "0"], env)
    run([PYTHON, "manage.py", "setup_roles"], env, capture_output=True)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"], env)
    started = time.monotonic()
    run([PYTHON, "bench/public_api.py", "--seed", str(claims)], env)
    print(f"seeded {claims} published claims in {time.monotonic() - started:.1f} s")


def seed(count: int) -> None:
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth.models import Group
    from django.db import transaction

    from claims.models import RatingLabel, User
    from claims.roles import APPROVER, EDITOR, REVIEWER

    def user(name: str, role: str) -> Any:
        person, _ = User.objects.get_or_create(username=name)
        person.groups.add(Group.objects.get(name=role))
        return User.objects.get(pk=person.pk)  # fresh permission cache

    editor, reviewer, approver = (
        user("bench-editor", EDITOR),
        user("bench-reviewer", REVIEWER),
        user("bench-approver", APPROVER),
    )
    ratings = list(RatingLabel.objects.order_by("position"))
    for i in range(count):
        with transaction.atomic():  # one commit per claim; after-commit hooks still run
            _seed_one(i, editor, reviewer, approver, ratings)


def _seed_one(i: int, editor: Any, reviewer: Any, approver: Any, ratings: list[Any]) -> None:
    from claims import services
    from claims.models import Evidence
    from claims.workflow import Action, TransitionInput, transition_apply

    source = services.source_get_or_create(
        by=editor,
        url=f"https://news.example.org/2024/story-{i}",
        title=f"Story {i}",
        outlet="Example News",
    )
    claim = services.claim_create(
        by=editor,
        statement=f"Claim number {i}: the reservoir held {i % 97} billion cubic metres "
        "of water at the end of the dry season, a record for the decade.",
        claimant_name=f"Official {i % 40}",
        source=source,
        language="en" if i % 5 else "fr",
        tags=[f"topic-{i % 12}", "water"],
        internal_notes="Never public.",
    )
    transition_apply(claim=claim, action=Action.SUBMIT, by=editor)
    services.assignment_create(claim=claim, user=reviewer, role="reviewer", by=editor)
    evidence = services.evidence_add(
        claim=claim,
        by=editor,
        kind=Evidence.Kind.NOTE,
        note=f"Ministry figures for season {i}.",
        is_public=True,
        stance=Evidence.Stance.REFUTES,
    )
    transition_apply(
        claim=claim,
        action=Action.PROPOSE,
        by=reviewer,
        data=TransitionInput(
            rating=ratings[i % len(ratings)],
            reasoning="The ministry's own figures show otherwise. " * 3,
            evidence=[evidence],
        ),
    )
    transition_apply(claim=claim, action=Action.APPROVE, by=approver)


def query_counts() -> None:
    """Queries of an uncached public page, per page size (printed as JSON)."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    results = {}
    with override_settings(PUBLIC_CACHE_SECONDS=0):
        client = Client(HTTP_HOST="127.0.0.1")
        client.get("/api/v1/public/claims/?page_size=1")
        for size in (1, 10, 50, 100):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(f"/api/v1/public/claims/?page_size={size}", secure=True)
                elapsed = time.perf_counter() - started
            assert response.status_code == 200, response.status_code
            assert len(response.json()["results"]) == size
            results[size] = {"queries": len(ctx.captured_queries), "ms": round(elapsed * 1000, 1)}
    print(json.dumps(results))


# --------------------------------------------------------------------------------------------
# Load


def start_gunicorn(env: dict[str, str], workers: int, threads: int) -> subprocess.Popen[bytes]:
    gunicorn = str(Path(PYTHON).with_name("gunicorn"))
    process = subprocess.Popen(
        [
            gunicorn,
            "verify.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{BARE_PATH}", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("gunicorn did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=20)


def fetch_etag(path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=10) as response:
        return str(response.headers["ETag"])


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * _UNITS[unit]


def wrk(path: str, *, duration: int, connections: int, headers: dict[str, str]) -> dict[str, Any]:
    cmd = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{duration}s", "--latency"]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    out = subprocess.run(
        [*cmd, f"http://127.0.0.1:{PORT}{path}"], check=True, text=True, capture_output=True
    ).stdout
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50_ms": _ms(re.search(r"\s50%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "p99_ms": _ms(re.search(r"\s99%\s+(\S+)", out).group(1)),  # type: ignore[union-attr]
        "non_2xx_3xx": int(non2xx.group(1)) if non2xx else 0,
        "transfer": re.search(r"Transfer/sec:\s+(\S+)", out).group(1),  # type: ignore[union-attr]
    }


def _median_run(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """The round with the median req/s (its latencies come with it)."""
    ordered = sorted(rounds, key=lambda r: r["rps"])
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--claims", type=int, default=1000)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per target")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database of the previous run (no seeding)"
    )
    parser.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--queries", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed is not None:
        seed(args.seed)
        return
    if args.queries:
        query_counts()
        return
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")

    env = bench_env()
    if not args.reuse:
        prepare(env, args.claims)
    counts = json.loads(
        run([PYTHON, "bench/public_api.py", "--queries"], env, capture_output=True).stdout
    )

    load = {"duration": args.duration, "connections": args.connections}
    runs: dict[str, list[dict[str, Any]]] = {}
    server = start_gunicorn(env, args.workers, args.threads)
    try:
        for path in (BARE_PATH, LIST_PATH):  # warm every worker and the cache
            wrk(path, duration=2, connections=args.connections, headers={})
        etag = fetch_etag(LIST_PATH)
        targets = {
            "bare view": (BARE_PATH, {}),
            "bare view, 65 KB body": ("/bench/bare-large/", {}),
            "public list (cached)": (LIST_PATH, {}),
            "public list (cached, gzip)": (LIST_PATH, {"Accept-Encoding": "gzip"}),
            "public list (304)": (LIST_PATH, {"If-None-Match": etag}),
        }
        # Interleaved rounds, so that a change in machine load hits every target alike.
        for _ in range(args.rounds):
            for name, (path, headers) in targets.items():
                runs.setdefault(name, []).append(wrk(path, headers=headers, **load))
    finally:
        stop(server)
    server = start_gunicorn(bench_env(cache_seconds=0), args.workers, args.threads)
    try:
        wrk(LIST_PATH, duration=2, connections=args.connections, headers={})
        runs["public list (uncached)"] = [wrk(LIST_PATH, headers={}, **load)]
    finally:
        stop(server)
    results = {name: _median_run(rounds) for name, rounds in runs.items()}

    bare = results["bare view"]["rps"]
    print(
        f"\nwrk -t2 -c{args.connections} -d{args.duration}s --latency, {args.rounds} interleaved "
        "rounds, median round shown; gunicorn "
        f"{args.workers} workers x {args.threads} threads; {args.claims} published claims; "
        f"{os.cpu_count()} CPUs shared by wrk, gunicorn, PostgreSQL and Redis\n"
    )
    print(f"{'endpoint':34} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8}  errors")
    for name, r in results.items():
        print(
            f"{name:34} {r['rps']:9.0f} {r['p50_ms']:8.2f} {r['p99_ms']:8.2f} "
            f"{r['rps'] / bare:8.2f}  {r['non_2xx_3xx']}"
        )
    ratio = results["public list (cached)"]["rps"] / bare
    per_round = [
        round(api["rps"] / base["rps"], 2)
        for api, base in zip(runs["public list (cached)"], runs["bare view"], strict=True)
    ]
    print(f"\nratio public list (page of 50) / bare view: {ratio:.2f} (goal >= 0.70)")
    print(f"ratio in each round: {per_round}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f}")
    print("queries of an uncached page by page size (in process, cache off):")
    for size, figure in counts.items():
        print(f"  page_size={size:>3}: {figure['queries']} queries, {figure['ms']} ms")


if __name__ == "__main__":
    main()
