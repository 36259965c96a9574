"""Server time of the newsroom pages with 100,000 claims and 300,000 evidence rows.

    /work/main/.venv/bin/python bench/newsroom_pages.py              # build once, then time
    /work/main/.venv/bin/python bench/newsroom_pages.py --rebuild    # drop and rebuild the data
    /work/main/.venv/bin/python bench/newsroom_pages.py --check      # exit 1 if a goal is missed

Uses its own PostgreSQL database (``BENCH_DATABASE_URL``, default
postgres://postgres@127.0.0.1:5432/verify_bench), which it creates and migrates. Rows are
written with bulk_create in batches (not through the services: this is about reads). Pages
are requested in-process with Django's test Client, so the figures are server time:
URL routing, middleware, queries, templates. Reports p50 and p95 per page; the goal is a
p95 under 150 ms for the claims list (filtered, with search), the claim page and the queue.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/verify_bench"
GOAL_P95_MS = 150.0
BATCH = 5_000

PLACES = [
    "Damascus",
    "Aleppo",
    "Hama",
    "Homs",
    "Idlib",
    "Latakia",
    "Tehran",
    "Beirut",
    "Baghdad",
    "Gaza",
    "Tyre",
    "Raqqa",
]
PEOPLE = [
    "the IRGC commander",
    "Hezbollah's leader",
    "the Syrian army",
    "Russian forces",
    "the SDF",
    "Hayat Tahrir al-Sham",
    "the defence minister",
    "Iran's foreign minister",
    "an American A-10",
    "Israeli aircraft",
]
ACTIONS = [
    "arrived in",
    "withdrew from",
    "captured",
    "struck targets near",
    "lost more than 3,000 fighters around",
    "sent reinforcements to",
    "negotiated a ceasefire in",
    "was seen over",
    "shelled the outskirts of",
    "opened a corridor to",
]
WHEN = ["on Tuesday", "last week", "overnight", "this month", "in late November", "on Friday"]


def _setup_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.pop("REDIS_URL", None)  # in-process only: no broker, no shared cache
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verify.settings")
    _database_create(database_url)
    import django

    django.setup()


def _database_create(database_url: str) -> None:
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')  # name from our own default/env


def _batches(items: Iterator[Any], size: int = BATCH) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _statement(rng: random.Random) -> str:
    return (
        f"{rng.choice(PEOPLE).capitalize()} {rng.choice(ACTIONS)} "
        f"{rng.choice(PLACES)} {rng.choice(WHEN)}."
    )


def build(*, claims: int, evidence_per_claim: int, seed: int = 7) -> None:
    """Write the data set: users, claimants, sources, tags, claims in every state with
    publications, evidence, events, assignments and comments."""
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.utils import timezone

    from claims import models as m
    from claims.roles import APPROVER, EDITOR, REVIEWER, roles_setup

    rng = random.Random(seed)
    now = timezone.now()
    roles_setup()
    t0 = time.perf_counter()

    def user(username: str, role: str) -> m.User:
        u, _ = m.User.objects.get_or_create(
            username=username, defaults={"email": f"{username}@bench.example"}
        )
        u.groups.add(Group.objects.get(name=role))
        return u

    editor, approver = user("bench-editor", EDITOR), user("bench-approver", APPROVER)
    reviewers = [user("bench-reviewer", REVIEWER)] + [
        user(f"bench-reviewer{i:02}", REVIEWER) for i in range(19)
    ]
    claimants = m.Claimant.objects.bulk_create(
        [m.Claimant(name=f"Outlet {i}", kind="media") for i in range(1_500)]
        + [m.Claimant(name=f"Official {i}", kind="person") for i in range(1_500)]
    )
    sources = m.Source.objects.bulk_create(
        [
            m.Source(url=f"https://news{i % 300}.example/{i}", outlet=f"News {i % 300}")
            for i in range(5_000)
        ]
    )
    tags = m.Tag.objects.bulk_create(
        [m.Tag(name=f"topic {i}", slug=f"topic-{i}") for i in range(60)]
    )
    ratings = list(m.RatingLabel.objects.filter(is_active=True))
    statuses = ["draft", "in_verification", "awaiting_approval", "published", "withdrawn"]
    weights = [10, 25, 5, 55, 5]

    wanted = rng.choices(statuses, weights, k=claims)

    def claim_rows() -> Iterator[m.Claim]:
        for i, status in enumerate(wanted):
            created = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 730))
            yield m.Claim(
                statement=_statement(rng) + f" (#{i})",
                claimant=rng.choice(claimants),
                source=rng.choice(sources) if rng.random() < 0.7 else None,
                language="en" if rng.random() < 0.9 else rng.choice(["ar", "fa"]),
                priority=rng.choices([0, 1, 2, 3], [20, 60, 15, 5])[0],
                due_date=(created + timedelta(days=rng.randrange(1, 10))).date(),
                # Published ones start in verification and are published below, once their
                # publication rows exist.
                status="in_verification" if status == "published" else status,
                withdrawn_reason="Duplicate." if status == "withdrawn" else "",
                author=editor,
                created_at=created,
                updated_at=created,
            )

    published_ids: list[int] = []
    for n, batch in enumerate(_batches(claim_rows()), start=1):
        made = m.Claim.objects.bulk_create(batch)
        offset = (n - 1) * BATCH
        published_ids += [c.pk for k, c in enumerate(made) if wanted[offset + k] == "published"]
        print(f"  claims {n * BATCH:>7,}", end="\r", flush=True)
    print(f"  claims {claims:,} in {time.perf_counter() - t0:.0f}s")

    for batch in _batches(iter(published_ids)):
        m.Publication.objects.bulk_create(
            [
                m.Publication(
                    claim_id=pk,
                    number=1,
                    statement="(bench)",
                    verdict=rng.choice(ratings),
                    explanation="Bench explanation.",
                    approved_by=approver,
                )
                for pk in batch
            ]
        )
    with connection.cursor() as cursor:
        cursor.execute(
            """UPDATE claims_claim c SET status = 'published', verdict_id = p.verdict_id,
                      current_publication_id = p.id
               FROM claims_publication p WHERE p.claim_id = c.id"""
        )

    ids = list(m.Claim.objects.values_list("pk", "status"))
    states = ["pending", "fetching", "fetched", "fetched", "fetched", "failed", "blocked"]

    def evidence_rows() -> Iterator[m.Evidence]:
        for pk, _status in ids:
            for j in range(evidence_per_claim):
                if j < 2:
                    state = rng.choice(states)
                    yield m.Evidence(
                        claim_id=pk,
                        kind="link",
                        stance=rng.choice(["supports", "refutes", "context"]),
                        url=f"https://site{rng.randrange(500)}.example/article/{pk}-{j}",
                        fetch_state=state,
                        page_title=f"Report on claim {pk}" if state == "fetched" else "",
                        page_site_name="Site Example" if state == "fetched" else "",
                        page_excerpt=("Excerpt of the fetched article. " * 8)
                        if state == "fetched"
                        else "",
                        fetch_error="HTTP 404" if state == "failed" else "",
                        added_by=editor,
                    )
                else:
                    yield m.Evidence(
                        claim_id=pk, kind="note", note="A desk note on the claim.", added_by=editor
                    )

    for n, batch in enumerate(_batches(evidence_rows(), 10_000), start=1):
        m.Evidence.objects.bulk_create(batch)
        print(f"  evidence {n * 10_000:>7,}", end="\r", flush=True)
    print(f"  evidence {len(ids) * evidence_per_claim:,} in {time.perf_counter() - t0:.0f}s")

    through = m.Claim.tags.through
    for batch in _batches(
        (
            through(claim_id=pk, tag_id=tag.pk)
            for pk, _ in ids
            for tag in rng.sample(tags, rng.randrange(0, 3))
        ),
        10_000,
    ):
        through.objects.bulk_create(batch)

    def event_rows() -> Iterator[m.Event]:
        for pk, status in ids:
            yield m.Event(claim_id=pk, actor=editor, action="claim.created", to_status="draft")
            if status != "draft":
                yield m.Event(
                    claim_id=pk,
                    actor=editor,
                    action="claim.submitted",
                    from_status="draft",
                    to_status="in_verification",
                )

    for batch in _batches(event_rows(), 10_000):
        m.Event.objects.bulk_create(batch)

    # Open reviewer assignments: most claims in verification, spread over 20 reviewers; the
    # benchmarked reviewer has a realistic queue of about 40.
    in_verification = [pk for pk, status in ids if status == "in_verification"]
    rng.shuffle(in_verification)
    assignments = [
        m.Assignment(
            claim_id=pk,
            user=reviewers[0] if i < 40 else rng.choice(reviewers[1:]),
            role="reviewer",
            assigned_by=editor,
        )
        for i, pk in enumerate(in_verification[: int(len(in_verification) * 0.8)])
    ]
    for batch in _batches(iter(assignments)):
        m.Assignment.objects.bulk_create(batch)
    m.Comment.objects.bulk_create(
        [m.Comment(claim_id=pk, author=editor, body="Checked the archive.") for pk, _ in ids[::10]]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"  built in {time.perf_counter() - t0:.0f}s")


def _drop(database_url: str) -> None:
    import psycopg

    base, name = database_url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(requests: int) -> list[tuple[str, float, float, float, bool]]:
    from django.conf import settings
    from django.test import Client

    from claims.models import Claim, User

    settings.DEBUG = False  # no query log, no template debug data: as in production
    rng = random.Random(11)
    reviewer = User.objects.get(username="bench-reviewer")
    client = Client()
    client.force_login(reviewer)
    codes = list(Claim.objects.order_by("?").values_list("code", flat=True)[:requests])
    queries = [
        {"q": "damascus", "status": "in_verification"},
        {"q": "captured aleppo", "sort": "-priority"},
        {"q": "hezbollah", "overdue": "on"},
        {"q": "ceasefire", "status": "published", "priority": "2"},
        {"q": "Outlet 12"},
        {"q": "tehran", "tag": "topic-3"},
    ]
    pages: list[tuple[str, Callable[[int], tuple[str, dict[str, str]]], bool]] = [
        ("claims list, search + filter", lambda i: ("/claims/", queries[i % len(queries)]), True),
        ("claim page", lambda i: (f"/claims/{codes[i % len(codes)]}/", {}), True),
        ("queue", lambda i: ("/queue/", {}), True),
        ("claims list, no filter", lambda i: ("/claims/", {}), False),
        ("claims list, page 200", lambda i: ("/claims/", {"page": "200"}), False),
        (
            "evidence partial (poll)",
            lambda i: (f"/claims/{codes[i % len(codes)]}/evidence/", {}),
            False,
        ),
        ("dashboard", lambda i: ("/", {}), False),
    ]
    results = []
    for name, target, goal in pages:
        for i in range(5):  # warm-up: connections, template loading
            url, params = target(i)
            client.get(url, params)
        times = []
        for _ in range(requests):
            url, params = target(rng.randrange(10_000))
            start = time.perf_counter()
            response = client.get(url, params)
            times.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        results.append((name, statistics.median(times), _percentile(times, 0.95), max(times), goal))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--evidence-per-claim", type=int, default=3)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--rebuild", action="store_true", help="drop and rebuild the data set")
    parser.add_argument("--check", action="store_true", help="exit 1 if a goal is missed")
    args = parser.parse_args()

    database_url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.rebuild:
        _drop(database_url)
    _setup_django(database_url)
    from django.core.management import call_command

    from claims.models import Claim, Evidence

    call_command("migrate", verbosity=0)
    if Claim.objects.count() < args.claims:
        print(f"Building {args.claims:,} claims in {database_url} ...")
        if Claim.objects.exists():
            print("  a partial data set is there: run with --rebuild")
            return 2
        build(claims=args.claims, evidence_per_claim=args.evidence_per_claim)
    print(
        f"Data: {Claim.objects.count():,} claims, {Evidence.objects.count():,} evidence rows; "
        f"{args.requests} timed requests per page (in-process test Client, server time)\n"
    )
    results = measure(args.requests)
    print(f"{'page':<32}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  goal p95 < {GOAL_P95_MS:.0f}")
    missed = False
    for name, p50, p95, worst, goal in results:
        verdict = ("ok" if p95 < GOAL_P95_MS else "MISSED") if goal else "(info)"
        missed |= goal and p95 >= GOAL_P95_MS
        print(f"{name:<32}{p50:>9.1f}{p95:>9.1f}{worst:>9.1f}  {verdict}")
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
