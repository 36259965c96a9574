"""claimant_kinds_guess: what the candidate form pre-fills as the claimant's kind."""

from __future__ import annotations

import pytest

from claims.intake_services import claimant_kinds_guess
from claims.models import Claimant
from tests.intake_app.conftest import GHAFFARI

pytestmark = pytest.mark.django_db


def test_kinds_come_from_known_claimants_then_from_the_words_around_the_name() -> None:
    Claimant.objects.create(name="Iran International", kind=Claimant.Kind.MEDIA)
    Claimant.objects.create(name="Okafor", kind=Claimant.Kind.ORGANISATION)
    guesses = claimant_kinds_guess(
        [
            ("Al-Alam", GHAFFARI),  # "... citing the state-run Al-Alam channel."
            ("IRNA", "Bagheri spoke to him, the state news agency IRNA said on Tuesday."),
            ("Iranian state media", "Commanders retreated, Iranian state media reported."),
            ("iran international", "Ghaffari served in Syria, iran international said."),
            ("OKAFOR", "OKAFOR said ballots were thrown away."),
            ("Finance Minister Tomas Reiner", "Finance Minister Tomas Reiner said rates rose."),
            ("she", "The rate rose to 6.25%, she said."),
            ("", "No claimant at all."),
        ]
    )
    assert guesses == {
        "Al-Alam": "media",
        "IRNA": "media",
        "Iranian state media": "media",
        "iran international": "media",
        "OKAFOR": "organisation",
        "Finance Minister Tomas Reiner": "person",
        "she": "person",
    }


def test_no_names_no_query(django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(0):
        assert claimant_kinds_guess([]) == {}
