"""Fetch pipeline throughput: N evidence links to a local server that answers each after a
fixed delay, fetched by real Celery worker processes at the documented setting (threads
pool, one process per core: two processes of 25 threads for a concurrency of 50; DEBUG
off, as in production: bench/fetch_settings.py). Reports the wall time from enqueue to the
last link in a terminal state, the ideal (N x delay / concurrency), their ratio, the
extraction CPU time per page, how long tasks ran and how long worker threads sat between
tasks (bench/fetch_probe.py, loaded into the workers), where the machine's CPU went during
the run, and how fast the machine was before and after it: on a shared cloud machine the
same code's ratio moves with the neighbours' load, so compare runs by that line too.

Run against PostgreSQL and Redis (the production setup):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/verify_fetch \\
    REDIS_URL=redis://127.0.0.1:6379/6 \\
        .venv/bin/python bench/fetch_throughput.py --links 500 --delay 0.2 --concurrency 50

(--processes 1 runs the same concurrency in one process, for comparison; --stage sleep,
fetch or parse runs only the first steps of each fetch, to show what each step adds:
bench/fetch_probe.py.) The local site is an asyncio server in a process of its own: in
production the sites are other machines, so it is kept as cheap as possible and its CPU
is reported on a line of its own.

Every link is on 127.0.0.1, one host, so the worker runs with FETCH_PER_SITE_CONCURRENCY
raised to twice the concurrency: per-site politeness would otherwise (rightly) hold one
site to 4 fetches at a time. Each page differs by a sentence, so every body and text is stored.
The database is migrated first (and created when missing); the bench adds one claim and
its links each run and deletes nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verify.settings")

PARAGRAPH = (
    "<p>Several local news outlets reported on Tuesday that a senior commander had arrived "
    "in the capital, citing unnamed sources close to the government. Neither the ministry "
    "nor the embassy confirmed the visit by the time of publication, and the reports did "
    "not say when he travelled or what the purpose of the trip was.</p>"
)


STAGE_TEXT = {  # --stage: the steps bench/fetch_probe.py lets each fetch run
    "sleep": "each task waits the site's delay and marks its link fetched (no fetch)",
    "fetch": "each task claims, takes a site slot, fetches, marks its link fetched",
    "parse": "as fetch, and parses the page; no snapshot, blobs or event",
}


def page(number: int) -> bytes:
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Report {number} - Levant Monitor</title>
<meta property="og:title" content="Commander reported in the capital ({number})">
<meta property="og:site_name" content="Levant Monitor">
<meta property="article:published_time" content="2024-04-02T09:30:00+03:00">
<script type="application/ld+json">
{{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Commander reported to have arrived in the capital ({number})",
 "author": {{"@type": "Person", "name": "Rana Haddad"}},
 "datePublished": "2024-04-02T09:30:00+03:00", "inLanguage": "en"}}
</script></head>
<body><header><nav><a href="/">Home</a> | <a href="/world">World</a></nav></header>
<article><h1>Commander reported to have arrived in the capital</h1>
<p>This is report number {number} in the series.</p>
{PARAGRAPH * 5}
</article><footer>Copyright Levant Monitor</footer></body></html>
""".encode()


def _serve(listener: socket.socket, delay: float) -> None:
    """The simulated news sites: answer every GET after `delay` seconds. One asyncio loop
    in a process of its own, so that the sites (in reality, other machines) cost the
    machine as little as they can and do not share a GIL with the bench's enqueueing."""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode("ascii", "replace")
            await asyncio.sleep(delay)
            body = page(int(path.rsplit("/", 1)[-1] or 0))
            writer.write(
                b"HTTP/1.0 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (len(body), body)
            )
            await writer.drain()
        except (OSError, ValueError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def main() -> None:
        server = await asyncio.start_server(answer, sock=listener, backlog=1024)
        await server.serve_forever()

    asyncio.run(main())


def _spin(_: int) -> float:
    """CPU seconds a fixed piece of pure-Python work takes."""
    start = time.process_time()
    total = 0
    for number in range(2_000_000):
        total += number * number % 7
    return time.process_time() - start


def machine_speed() -> tuple[float, float]:
    """Milliseconds the fixed work takes on one core alone, and on each of two cores busy at
    once (best of three). Shared cloud machines differ, and the same machine differs from
    hour to hour with its neighbours' load: these two figures say how fast this one was."""
    alone = min(_spin(0) for _ in range(3))
    with multiprocessing.get_context("fork").Pool(2) as pool:
        together = min(max(pool.map(_spin, [0, 1])) for _ in range(3))
    return alone * 1000, together * 1000


def probe_figures(folder: Path) -> tuple[list[float], list[float]]:
    """From the workers' probe files (bench/fetch_probe.py), sorted in milliseconds: how
    long each task ran, and how long each thread sat between one task and its next
    (acknowledging the first, waiting for the consumer to hand it another)."""
    task_times: list[float] = []
    gaps: list[float] = []
    for probe in folder.glob("[0-9]*.json"):
        by_thread: dict[int, list[tuple[float, float]]] = {}
        for start, seconds, thread in json.loads(probe.read_text()):
            task_times.append(seconds * 1000)
            by_thread.setdefault(thread, []).append((start, seconds))
        for runs in by_thread.values():
            runs.sort()
            gaps += [(b[0] - a[0] - a[1]) * 1000 for a, b in itertools.pairwise(runs)]
    return sorted(task_times), sorted(gaps)


def ensure_database() -> None:
    """Create the PostgreSQL database named in DATABASE_URL if it does not exist."""
    import dj_database_url
    import psycopg

    config = dj_database_url.parse(os.environ["DATABASE_URL"])
    if not config["ENGINE"].endswith("postgresql"):
        return
    params = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{config["NAME"]}"')


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its finished children, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(value) for value in fields[11:15])
    return ticks / os.sysconf("SC_CLK_TCK")


def system_seconds(pid: int) -> float:
    """The part of cpu_seconds spent in the kernel (system calls: sockets, waking threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[12]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def context_switches(pid: int) -> tuple[int, int]:
    """Voluntary (a thread blocked: a socket read, a lock) and involuntary (preempted)
    context switches of all threads of a process, from /proc."""
    voluntary = involuntary = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:  # the thread ended
            continue
        for line in lines:
            if line.startswith("voluntary_ctxt_switches:"):
                voluntary += int(line.split()[1])
            elif line.startswith("nonvoluntary_ctxt_switches:"):
                involuntary += int(line.split()[1])
    return voluntary, involuntary


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent busy (not idle or waiting for I/O) since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = values[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def process_seconds(pids: set[int]) -> dict[int, float]:
    """CPU seconds of each of these processes that still runs."""
    seconds = {}
    for pid in pids:
        try:
            seconds[pid] = cpu_seconds(pid)
        except (OSError, ValueError):
            continue
    return seconds


def descendants(pids: set[int]) -> set[int]:
    """Processes started by these (at any depth): the workers' page-parsing processes and
    the fork server that starts them."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found: set[int] = set()
    frontier = set(pids)
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def redis_server_pids() -> set[int]:
    pids = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if "(redis-server)" in stat.read_text():
                pids.add(int(stat.parent.name))
        except OSError:
            continue
    return pids


def database_backend_pids() -> set[int]:
    """The PostgreSQL backends serving the bench's database (not other databases')."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return {int(row[0]) for row in cursor.fetchall()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--links", type=int, default=500)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds the server waits")
    parser.add_argument("--concurrency", type=int, default=50, help="threads in all")
    parser.add_argument(
        "--processes",
        type=int,
        default=min(2, os.cpu_count() or 1),
        help="worker processes sharing the concurrency (default: one per core, at most 2)",
    )
    parser.add_argument("--timeout", type=float, default=300)
    parser.add_argument(
        "--stage",
        choices=(*STAGE_TEXT, "full"),
        default="full",
        help="how much of each fetch the workers run (bench/fetch_probe.py): sleep (the "
        "site's delay only: Celery and Redis), fetch (claim, site slot, guarded fetch), "
        "parse (and the page's parsing), full (the real fetch; the default)",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL: the bench measures production.")

    speed = machine_speed()
    listener = socket.create_server(("127.0.0.1", 0), backlog=1024)
    port = int(listener.getsockname()[1])
    site = multiprocessing.get_context("fork").Process(
        target=_serve, args=(listener, args.delay), daemon=True
    )
    site.start()
    media = tempfile.mkdtemp(prefix="verify-bench-media-")
    probes = tempfile.mkdtemp(prefix="verify-bench-probe-")
    os.environ["FETCH_ALLOW_LOCAL_TARGETS"] = f"127.0.0.1:{port}"
    os.environ["DJANGO_MEDIA_ROOT"] = media

    ensure_database()
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import transaction

    from claims import services
    from claims.fetching.extract import extract
    from claims.models import Evidence, RatingLabel, User
    from claims.rating_scale import rating_scale_ensure
    from claims.roles import EDITOR, roles_setup
    from verify.celery import app

    call_command("migrate", verbosity=0)
    rating_scale_ensure(RatingLabel)
    roles_setup()
    editor, _ = User.objects.get_or_create(username="bench-editor")
    editor.groups.add(Group.objects.get(name=EDITOR))
    editor = User.objects.get(pk=editor.pk)  # fresh permission cache

    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")

    # Politeness must not throttle a bench whose every link is on one host: twice the
    # concurrency, and no slot left over by a worker killed in an earlier run. The workers
    # run with DEBUG off, as in production (bench/fetch_settings.py says why it is needed).
    env = {
        **os.environ,
        "FETCH_PER_SITE_CONCURRENCY": str(2 * args.concurrency),
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "bench.fetch_settings",
        "BENCH_PROBE_DIR": probes,
        "BENCH_STAGE": args.stage,
        "BENCH_DELAY": str(args.delay),
    }
    import redis

    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    for key in client.scan_iter(match="*:fetch-site:127.0.0.1"):
        client.delete(key)
    names = [f"bench{n}@{os.uname().nodename}" for n in range(args.processes)]
    threads = str(args.concurrency // args.processes)
    commands = [
        [sys.executable, "-m", "celery", "-A", "verify", "worker", "--pool", "threads",
         "--concurrency", threads, "--queues", "celery", "--without-mingle", "--without-gossip",
         "--without-heartbeat", "--hostname", name, "--loglevel", "WARNING",
         "--include", "bench.fetch_probe"]
        for name in names
    ]  # fmt: skip
    workers = [
        subprocess.Popen(command, cwd=BASE_DIR, env=env, start_new_session=True)
        for command in commands
    ]
    try:
        deadline = time.monotonic() + 60
        while len(app.control.ping(destination=names, timeout=0.5)) < len(names):
            if any(w.poll() is not None for w in workers) or time.monotonic() > deadline:
                sys.exit("the workers did not start")

        # A newsroom cites a few links per claim: 10 links on each of N / 10 claims.
        run = f"Bench run at {time.ctime()}"
        claims = [
            services.claim_create(by=editor, statement=f"{run}, claim {n}.")
            for n in range(max(1, args.links // 10))
        ]
        started: list[float] = []
        service_pids = database_backend_pids() | redis_server_pids()
        parser_pids = descendants({worker.pid for worker in workers})
        before: dict[str, Any] = {}

        def start_clocks() -> None:
            """The window opens when the links are committed, as their sends begin: CPU
            spent adding the links is not counted, as their wall time is not."""
            before.update(
                workers=sum(cpu_seconds(worker.pid) for worker in workers),
                workers_system=sum(system_seconds(worker.pid) for worker in workers),
                switches=[context_switches(worker.pid) for worker in workers],
                site=cpu_seconds(site.pid),
                machine=machine_busy_seconds(),
                services=process_seconds(service_pids),
                parsers=process_seconds(parser_pids),
                self=time.process_time(),
            )
            started.append(time.perf_counter())

        # The links are sent together when the batch ends, as the link monitor sends its.
        with services.evidence_fetch_batch(), transaction.atomic():
            # Runs first on commit, just before the 500 enqueues registered below.
            transaction.on_commit(start_clocks)
            for number in range(args.links):
                services.evidence_add(
                    claim=claims[number % len(claims)],
                    by=editor,
                    kind="link",
                    url=f"http://127.0.0.1:{port}/article/{number}",
                )
        enqueued = time.perf_counter()
        links = Evidence.objects.filter(claim__in=claims)
        # Polled every 50 ms: through the fetch-state index, so the poll costs PostgreSQL
        # next to nothing once most links are done.
        pending = Evidence.objects.filter(
            fetch_state__in=("pending", "fetching"), claim__in=claims
        ).exists
        while pending():
            if time.perf_counter() - started[0] > args.timeout:
                sys.exit("timed out")
            time.sleep(0.05)
        finished = time.perf_counter()
        worker_cpu = sum(cpu_seconds(worker.pid) for worker in workers) - before["workers"]
        worker_system = (
            sum(system_seconds(worker.pid) for worker in workers) - before["workers_system"]
        )
        switches = [
            (after[0] - start[0], after[1] - start[1])
            for after, start in zip(
                (context_switches(worker.pid) for worker in workers),
                before["switches"],
                strict=True,
            )
        ]
        machine_cpu = machine_busy_seconds() - before["machine"]
        self_cpu = time.process_time() - before["self"]
        site_cpu = cpu_seconds(site.pid) - before["site"]
        # Backends opened during the run count from zero.
        services_after = process_seconds(database_backend_pids() | redis_server_pids())
        services_cpu = sum(
            seconds - before["services"].get(pid, 0.0) for pid, seconds in services_after.items()
        )
        # A parsing process stopped during the run is replaced: the new one counts from zero.
        parsers_after = process_seconds(descendants({worker.pid for worker in workers}))
        parsers_cpu = sum(
            seconds - before["parsers"].get(pid, 0.0) for pid, seconds in parsers_after.items()
        )
    finally:
        for worker in workers:
            os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
        site.terminate()

    speed_after = machine_speed()
    states = Counter(links.values_list("fetch_state", flat=True))
    body = page(1)
    for _ in range(5):
        extract(body, "text/html; charset=utf-8", "http://127.0.0.1/article/1")
    rounds = 200
    cpu = time.process_time()
    for _ in range(rounds):
        extract(body, "text/html; charset=utf-8", "http://127.0.0.1/article/1")
    extraction_ms = (time.process_time() - cpu) * 1000 / rounds

    wall = finished - started[0]
    task_times, gaps = probe_figures(Path(probes))
    ideal = args.links * args.delay / args.concurrency
    print(
        f"machine speed       fixed work: {speed[0]:.0f} ms on one core, {speed[1]:.0f} ms "
        f"on each of two at once; after the run {speed_after[0]:.0f} and {speed_after[1]:.0f}"
    )
    print(f"links               {args.links} ({dict(states)})")
    if args.stage != "full":
        print(f"stage               {args.stage}: {STAGE_TEXT[args.stage]}")
    print(f"server delay        {args.delay * 1000:.0f} ms per page, {len(body):,} bytes")
    print(
        f"workers             threads pool, {args.processes} process(es) x "
        f"{args.concurrency // args.processes} threads"
    )
    print(f"enqueue             {(enqueued - started[0]) * 1000:.0f} ms for {args.links} sends")
    print(f"wall time           {wall:.2f} s (enqueue to all terminal)")
    print(f"ideal               {ideal:.2f} s ({args.links} x {args.delay} s / {args.concurrency})")
    print(f"ratio               {wall / ideal:.2f}")
    print(f"extraction CPU      {extraction_ms:.2f} ms per page")
    if task_times:
        # The time a task runs (the site's delay included) against the time the worker
        # threads had: what is left is threads waiting for their next message.
        print(
            f"task time           p50 {task_times[len(task_times) // 2]:.0f} ms, "
            f"p90 {task_times[len(task_times) * 9 // 10]:.0f} ms, "
            f"mean {sum(task_times) / len(task_times):.0f} ms "
            f"({len(task_times)} tasks; the site's delay is {args.delay * 1000:.0f} ms)"
        )
        print(
            f"threads busy        {sum(task_times) / 1000 / (args.concurrency * wall):.0%} "
            f"of {args.concurrency} threads x {wall:.2f} s"
        )
    if gaps:
        print(
            f"between tasks       p50 {gaps[len(gaps) // 2]:.0f} ms, "
            f"p90 {gaps[len(gaps) * 9 // 10]:.0f} ms, mean {sum(gaps) / len(gaps):.0f} ms "
            "(a thread from one task to its next)"
        )
    print(
        f"worker CPU          {worker_cpu:.2f} s in all, {worker_cpu * 1000 / args.links:.1f} ms per link"
    )
    print(
        f"context switches    {sum(v for v, _ in switches) / args.links:.1f} voluntary, "
        f"{sum(i for _, i in switches) / args.links:.1f} involuntary per link (worker threads)"
    )
    per_link = 1000 / args.links
    other = machine_cpu - worker_cpu - parsers_cpu - services_cpu - self_cpu - site_cpu
    print(
        f"machine CPU         {machine_cpu:.2f} s busy of {wall * (os.cpu_count() or 1):.2f} s "
        f"({os.cpu_count()} CPUs), per link in ms:"
    )
    print(
        f"  workers           {worker_cpu * per_link:.1f} "
        f"({worker_system * per_link:.1f} of it in the kernel)"
    )
    print(f"  page parsing      {parsers_cpu * per_link:.1f} (the workers' extraction processes)")
    print(f"  PostgreSQL, Redis {services_cpu * per_link:.1f} (this database's backends; Redis)")
    print(f"  the sites         {site_cpu * per_link:.1f} (the local HTTP server's process)")
    print(f"  bench process     {self_cpu * per_link:.1f} (sending the tasks, polling)")
    print(f"  everything else   {other * per_link:.1f} (kernel, other processes on the machine)")


if __name__ == "__main__":
    main()
