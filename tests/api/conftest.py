"""API test helpers: a clean public cache and throttle for each test, API clients per persona,
and published claims built through the services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from claims import services
from claims.api import public
from claims.models import Claim, Evidence, RatingLabel, User
from claims.workflow import Action, TransitionInput, transition_apply
from tests.builders import ClaimBuilder


@pytest.fixture(autouse=True)
def _clean_public_cache(settings: Any) -> Any:
    settings.PUBLIC_API_RATE = "100000/min"
    settings.PUBLISHER_URL = "https://verify.example"
    settings.PUBLISHER_NAME = "Verify Desk"
    # Strict: read the generation on every request (one test process plays every server).
    settings.PUBLIC_GENERATION_CHECK_SECONDS = 0
    cache.clear()
    public.forget_local_state()
    yield
    cache.clear()
    public.forget_local_state()


@pytest.fixture
def anon() -> APIClient:
    return APIClient()


@pytest.fixture
def client_for() -> Callable[[User], APIClient]:
    def make(user: User) -> APIClient:
        client = APIClient()
        token, _ = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def publish(build: ClaimBuilder, editor: User) -> Callable[..., Claim]:
    """A published claim with a source, tags and one public and one private evidence item."""

    def make(
        statement: str = "The river flooded the capital twice this year.",
        *,
        rating: str = "false",
        language: str = "en",
        tags: tuple[str, ...] = ("floods",),
        claimant: str = "Minister of Water",
        claim_date: Any = None,
    ) -> Claim:
        source = services.source_get_or_create(
            by=editor,
            url=f"https://news.example.org/{abs(hash(statement))}",
            title="Minister speaks",
            outlet="Example News",
        )
        claim = services.claim_create(
            by=editor,
            statement=statement,
            claimant_name=claimant,
            claimant_kind="person",
            source=source,
            language=language,
            tags=list(tags),
            claim_date=claim_date,
            internal_notes="INTERNAL: call the ministry back",
        )
        transition_apply(claim=claim, action=Action.SUBMIT, by=editor)
        services.assignment_create(claim=claim, user=build.reviewer, role="reviewer", by=editor)
        public = services.evidence_add(
            claim=claim,
            by=editor,
            kind=Evidence.Kind.LINK,
            url="https://data.example.org/rainfall",
            title="Rainfall records",
            is_public=True,
            stance=Evidence.Stance.REFUTES,
        )
        services.evidence_add(
            claim=claim,
            by=editor,
            kind=Evidence.Kind.NOTE,
            note="PRIVATE: source inside the ministry",
        )
        transition_apply(
            claim=claim,
            action=Action.PROPOSE,
            by=build.reviewer,
            data=TransitionInput(
                rating=RatingLabel.objects.get(slug=rating),
                reasoning="Records show one flood.",
                evidence=[public],
            ),
        )
        return transition_apply(claim=claim, action=Action.APPROVE, by=build.approver)

    return make


@pytest.fixture
def reopen(build: ClaimBuilder) -> Callable[..., Claim]:
    """Reopen a published claim for correction and propose a new verdict, not yet approved."""

    def make(claim: Claim, *, rating: str = "true", reasoning: str = "PENDING reasoning") -> Claim:
        transition_apply(
            claim=claim,
            action=Action.REOPEN,
            by=build.editor,
            data=TransitionInput(reason="New rainfall data came in."),
        )
        services.assignment_create(
            claim=claim, user=build.reviewer, role="reviewer", by=build.editor
        )
        evidence = claim.evidence.order_by("id").first()
        assert evidence is not None
        return transition_apply(
            claim=claim,
            action=Action.PROPOSE,
            by=build.reviewer,
            data=TransitionInput(
                rating=RatingLabel.objects.get(slug=rating),
                reasoning=reasoning,
                evidence=[evidence],
            ),
        )

    return make
