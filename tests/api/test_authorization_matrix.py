"""Every API endpoint x method x persona: who gets through, who gets 401 or 403.

The expectations are written out by hand from the roles (claims/roles.py) and the workflow
rules, not read from the views, so a wrong permission map fails here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from rest_framework.test import APIClient

from claims import services
from claims.models import Assignment, Claim, User
from tests.builders import ClaimBuilder

PERSONAS = ("editor", "reviewer", "approver", "outsider", "anonymous", "bad_token")
NEWSROOM = frozenset({"editor", "reviewer", "approver"})
EVERYONE = frozenset(PERSONAS)


@dataclass
class Ctx:
    claim: Claim
    evidence: str
    link: str
    assignment: int | None

    @property
    def code(self) -> str:
        return str(self.claim.code)


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: Callable[[Ctx], str]
    allowed: frozenset[str]
    ok: tuple[int, ...] = (200,)
    state: str = "draft"
    body: Callable[[Ctx], dict[str, Any]] = field(default=lambda ctx: {})


def _c(ctx: Ctx, rest: str = "") -> str:
    return f"/api/v1/claims/{ctx.code}/{rest}"


CASES = [
    # The claims collection and one claim
    Case("claims list", "get", lambda ctx: "/api/v1/claims/", NEWSROOM),
    Case(
        "claims create",
        "post",
        lambda ctx: "/api/v1/claims/",
        frozenset({"editor"}),
        ok=(201,),
        body=lambda ctx: {"statement": "A new claim to check."},
    ),
    Case("claim retrieve", "get", lambda ctx: _c(ctx), NEWSROOM),
    Case(
        "claim update",
        "patch",
        lambda ctx: _c(ctx),
        frozenset({"editor"}),
        body=lambda ctx: {"priority": 3},
    ),
    Case("claim delete", "delete", lambda ctx: _c(ctx), frozenset(), ok=(405,)),
    Case("claim put", "put", lambda ctx: _c(ctx), frozenset(), ok=(405,)),
    Case(
        "claim tags",
        "post",
        lambda ctx: _c(ctx, "tags/"),
        frozenset({"editor"}),
        body=lambda ctx: {"names": ["economy"]},
    ),
    # Transitions
    Case("submit", "post", lambda ctx: _c(ctx, "submit/"), frozenset({"editor"})),
    Case(
        "propose",
        "post",
        lambda ctx: _c(ctx, "propose/"),
        frozenset({"reviewer"}),
        state="in_verification",
        body=lambda ctx: {"rating": "true", "reasoning": "Checked.", "evidence": [ctx.evidence]},
    ),
    Case(
        "send back",
        "post",
        lambda ctx: _c(ctx, "send-back/"),
        frozenset({"approver"}),
        state="awaiting_approval",
        body=lambda ctx: {"comment": "Add a second source."},
    ),
    Case(
        "approve",
        "post",
        lambda ctx: _c(ctx, "approve/"),
        frozenset({"approver"}),
        state="awaiting_approval",
    ),
    Case(
        "reopen",
        "post",
        lambda ctx: _c(ctx, "reopen/"),
        frozenset({"editor", "approver"}),
        state="published",
        body=lambda ctx: {"reason": "New data."},
    ),
    Case(
        "withdraw",
        "post",
        lambda ctx: _c(ctx, "withdraw/"),
        frozenset({"editor"}),
        body=lambda ctx: {"reason": "Duplicate."},
    ),
    Case(
        "restore", "post", lambda ctx: _c(ctx, "restore/"), frozenset({"editor"}), state="withdrawn"
    ),
    # Evidence
    Case("evidence list", "get", lambda ctx: _c(ctx, "evidence/"), NEWSROOM),
    Case(
        "evidence add",
        "post",
        lambda ctx: _c(ctx, "evidence/"),
        NEWSROOM,  # editors, reviewers and approvers may all add evidence
        ok=(201,),
        body=lambda ctx: {"kind": "note", "note": "Called the press office."},
    ),
    Case("evidence retrieve", "get", lambda ctx: _c(ctx, f"evidence/{ctx.evidence}/"), NEWSROOM),
    Case(
        "evidence refetch",
        "post",
        lambda ctx: _c(ctx, f"evidence/{ctx.link}/refetch/"),
        frozenset({"editor", "reviewer"}),
        ok=(202,),
    ),
    Case(
        "evidence update",
        "patch",
        lambda ctx: _c(ctx, f"evidence/{ctx.evidence}/"),
        frozenset({"editor", "reviewer"}),
        body=lambda ctx: {"is_public": True},
    ),
    # Assignments and the queue
    Case("assignments list", "get", lambda ctx: _c(ctx, "assignments/"), NEWSROOM),
    Case(
        "assignments create",
        "post",
        lambda ctx: _c(ctx, "assignments/"),
        frozenset({"editor"}),
        ok=(201,),
        state="in_verification",
        body=lambda ctx: {"user": "reviewer2", "role": "reviewer"},
    ),
    Case(
        "assignment decline",
        "post",
        lambda ctx: _c(ctx, f"assignments/{ctx.assignment}/decline/"),
        frozenset({"reviewer"}),  # only the assignee
        state="in_verification",
        body=lambda ctx: {"reason": "Conflict of interest."},
    ),
    Case("queue", "get", lambda ctx: "/api/v1/queue/", NEWSROOM),
    Case(
        "take next",
        "post",
        lambda ctx: "/api/v1/queue/take-next/",
        frozenset({"reviewer"}),
        ok=(201, 204),
        state="in_verification",
    ),
    # Proposals, events, comments, ratings
    Case(
        "proposals", "get", lambda ctx: _c(ctx, "proposals/"), NEWSROOM, state="awaiting_approval"
    ),
    Case("events", "get", lambda ctx: _c(ctx, "events/"), NEWSROOM),
    Case("comments list", "get", lambda ctx: _c(ctx, "comments/"), NEWSROOM),
    Case(
        "comments add",
        "post",
        lambda ctx: _c(ctx, "comments/"),
        NEWSROOM,
        ok=(201,),
        body=lambda ctx: {"body": "Looks right to me."},
    ),
    Case("ratings", "get", lambda ctx: "/api/v1/ratings/", NEWSROOM),
    # Public: anyone, and a bad token is simply ignored
    Case("public list", "get", lambda ctx: "/api/v1/public/claims/", EVERYONE, state="published"),
    Case(
        "public detail",
        "get",
        lambda ctx: f"/api/v1/public/claims/{ctx.code}/",
        EVERYONE,
        state="published",
    ),
    Case(
        "public claimreview",
        "get",
        lambda ctx: f"/api/v1/public/claims/{ctx.code}/claimreview/",
        EVERYONE,
        state="published",
    ),
    Case(
        "public search",
        "get",
        lambda ctx: "/api/v1/public/claims:search?query=damascus",
        EVERYONE,
        state="published",
    ),
    Case(
        "public detail post",
        "post",
        lambda ctx: f"/api/v1/public/claims/{ctx.code}/",
        frozenset(),
        ok=(405,),
        state="published",
    ),
    Case("public page", "get", lambda ctx: f"/checks/{ctx.code}/", EVERYONE, state="published"),
    Case(
        "public badge",
        "get",
        lambda ctx: f"/checks/{ctx.code}/badge.svg",
        EVERYONE,
        state="published",
    ),
    Case("schema", "get", lambda ctx: "/api/v1/schema/", EVERYONE),
    Case("docs", "get", lambda ctx: "/api/v1/docs/", EVERYONE),
]
_ANYONE_ANSWERS = {"public detail post", "public page", "public badge", "schema", "docs"}


def _client(persona: str, users: dict[str, User]) -> APIClient:
    from rest_framework.authtoken.models import Token

    client = APIClient()
    if persona == "bad_token":
        client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    elif persona != "anonymous":
        token, _ = Token.objects.get_or_create(user=users[persona])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def _context(build: ClaimBuilder, state: str) -> Ctx:
    if state == "withdrawn":  # evidence cannot be added once withdrawn
        claim = build.draft()
        evidence = build.evidence(claim)
        claim = _withdraw(build, claim)
    else:
        claim = build.in_state(state)
        evidence = claim.evidence.order_by("id").first() or build.evidence(claim)
    assignment = Assignment.objects.filter(
        claim=claim, user=build.reviewer, state=Assignment.State.OPEN
    ).first()
    link = claim.evidence.filter(kind="link").first()
    if link is None and claim.status != Claim.Status.WITHDRAWN:
        link = services.evidence_add(
            claim=claim, by=build.editor, kind="link", url="https://example.org/source"
        )
    return Ctx(
        claim=claim,
        evidence=str(evidence.code),
        link=str(link.code) if link else "",
        assignment=assignment and assignment.pk,
    )


def _withdraw(build: ClaimBuilder, claim: Claim) -> Claim:
    from claims.workflow import Action, TransitionInput, transition_apply

    return transition_apply(
        claim=claim, action=Action.WITHDRAW, by=build.editor, data=TransitionInput(reason="Dup.")
    )


def _expected(case: Case, persona: str) -> set[int]:
    if persona in case.allowed:
        return set(case.ok)
    if case.name in _ANYONE_ANSWERS or case.name.startswith("public"):
        return set(case.ok)  # no authentication on public endpoints: 405 is 405 for all
    if persona in {"anonymous", "bad_token"}:
        return {401}
    if case.ok == (405,):
        return {405} if persona in NEWSROOM else {403}
    return {403}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_authorization(case: Case, persona: str, build, personas, reviewer2):
    ctx = _context(build, case.state)
    client = _client(persona, personas)

    response = getattr(client, case.method)(case.path(ctx), case.body(ctx), format="json")

    assert response.status_code in _expected(case, persona), response.content[:300]
    if response.status_code in {401, 403}:
        assert response.json()["error"]["code"] in {
            "not_authenticated",
            "authentication_failed",
            "forbidden",
        }
    if response.status_code == 401:
        assert response["WWW-Authenticate"] == "Token"
