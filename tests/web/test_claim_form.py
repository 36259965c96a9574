"""Logging a claim and editing it: source, claimant, attribution chain."""

from __future__ import annotations

from django.urls import reverse

from claims.models import Claim, Event, Source
from tests.web.conftest import text_of

CREATE = "/claims/new/"


def _form(**overrides):
    data = {
        "statement": "Iranian forces could be deployed to Syria if Assad asks.",
        "language": "en",
        "claimant_name": "Iran's foreign minister",
        "claimant_kind": "person",
        "source_url": "https://news.example.org/2024/12/iran",
        "source_outlet": "News Example",
        "source_title": "Tehran's allies stretched",
        "claim_date": "2024-12-03",
        "excerpt": "",
        "tags": "iran, syria",
        "priority": "2",
        "due_date": "",
        "internal_notes": "Check the Farsi original.",
        "attribution-TOTAL_FORMS": "3",
        "attribution-INITIAL_FORMS": "0",
        "attribution-MIN_NUM_FORMS": "0",
        "attribution-MAX_NUM_FORMS": "10",
        "attribution-0-relation": "reported",
        "attribution-0-name": "Iran International",
        "attribution-1-relation": "sourcing",
        "attribution-1-name": "Al-Alam",
        "attribution-2-relation": "",
        "attribution-2-name": "",
    }
    data.update(overrides)
    return data


def test_create_form_has_labelled_fields(client_for):
    html = text_of(client_for("editor").get(CREATE))
    for name in ("statement", "claimant_name", "source_url", "tags", "due_date"):
        assert f'for="id_{name}"' in html
    assert 'name="statement"' in html
    assert 'dir="auto"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_create_logs_a_draft_with_source_and_attribution(client_for, editor):
    response = client_for("editor").post(CREATE, _form())
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("claims:detail", args=[claim.code])
    assert claim.status == Claim.Status.DRAFT
    assert claim.author == editor
    assert claim.claimant.name == "Iran's foreign minister"
    assert claim.source.outlet == "News Example"
    assert claim.priority == 2
    assert [(a.relation, a.name) for a in claim.attribution.all()] == [
        ("reported", "Iran International"),
        ("sourcing", "Al-Alam"),
    ]
    assert set(claim.tags.values_list("slug", flat=True)) == {"iran", "syria"}
    assert Event.objects.filter(claim=claim, action="claim.created").count() == 1


def test_create_reuses_a_known_source(client_for):
    client = client_for("editor")
    client.post(CREATE, _form())
    client.post(CREATE, _form(statement="A second claim from the same article."))
    assert Source.objects.count() == 1


def test_create_without_a_statement_shows_the_error(client_for):
    response = client_for("editor").post(CREATE, _form(statement="   "))
    assert response.status_code == 400
    assert "This field is required." in text_of(response)
    assert Claim.objects.count() == 0


def test_create_with_a_bad_source_link_writes_nothing(client_for):
    response = client_for("editor").post(CREATE, _form(source_url="javascript:alert(1)"))
    assert response.status_code == 400
    assert Claim.objects.count() == 0
    assert Source.objects.count() == 0


def test_create_in_arabic(client_for):
    client_for("editor").post(CREATE, _form(statement="وصل القائد إلى دمشق", language="ar"))
    claim = Claim.objects.get()
    html = text_of(client_for("editor").get(reverse("claims:detail", args=[claim.code])))
    assert 'dir="rtl" lang="ar">وصل القائد إلى دمشق' in html


def test_edit_shows_the_current_values(client_for, build):
    claim = build.draft(tags=["iran"])
    html = text_of(client_for("editor").get(reverse("claims:edit", args=[claim.code])))
    assert claim.statement in html
    assert 'value="Iran International"' in html
    assert 'value="Al-Alam"' in html
    assert 'value="iran"' in html


def test_edit_changes_fields_and_records_them(client_for, build):
    claim = build.draft()
    url = reverse("claims:edit", args=[claim.code])
    response = client_for("editor").post(
        url,
        _form(
            statement="Edited statement.",
            **{"attribution-0-name": "IRNA", "attribution-1-name": ""},
        ),
    )
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.statement == "Edited statement."
    assert [a.name for a in claim.attribution.all()] == ["IRNA"]
    event = Event.objects.filter(claim=claim, action="claim.updated").get()
    assert "statement" in event.details["fields"]
    assert "attribution" in event.details["fields"]


def test_edit_of_a_withdrawn_claim_is_refused_with_the_reason(client_for, build):
    claim = build.withdrawn()
    response = client_for("editor").post(reverse("claims:edit", args=[claim.code]), _form())
    assert response.status_code == 400
    assert "A withdrawn claim cannot be edited; restore it first." in text_of(response)
    claim.refresh_from_db()
    assert claim.statement != _form()["statement"]


def test_create_shows_likely_duplicates_before_saving(client_for, build):
    existing = build.published()  # "Senior IRGC commander Javad Ghaffari arrived in Damascus ..."
    client = client_for("editor")
    paraphrase = "Javad Ghaffari, a senior IRGC commander, arrived in Damascus on Tuesday."
    page = client.post(CREATE, _form(statement=paraphrase))
    assert page.status_code == 200
    html = text_of(page)
    assert "looks like a claim the desk already has" in html
    assert reverse("claims:detail", args=[existing.code]) in html
    assert 'name="confirm_new"' in html
    assert Claim.objects.count() == 1  # nothing saved yet

    # The editor says it is a different claim: it is logged.
    done = client.post(CREATE, _form(statement=paraphrase, confirm_new="1"))
    assert done.status_code == 302
    assert Claim.objects.count() == 2


def test_create_of_a_different_claim_is_not_held_up(client_for, build):
    build.published()
    response = client_for("editor").post(
        CREATE, _form(statement="Hezbollah may have lost more than 3,000 fighters.")
    )
    assert response.status_code == 302
