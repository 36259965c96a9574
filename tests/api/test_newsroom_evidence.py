"""/api/v1/claims/<code>/evidence/: add (link, note, file), list with fetch state, update how
it is shown. Query counts are pinned."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from claims.models import Evidence

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _url(claim, rest: str = "") -> str:
    return f"/api/v1/claims/{claim.code}/evidence/{rest}"


def test_add_a_link_starts_its_fetch_state(editor, client_for, build):
    claim = build.draft()

    response = client_for(editor).post(
        _url(claim),
        {"kind": "link", "url": "https://example.org/report", "stance": "refutes"},
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["fetch_state"] == "pending"
    assert body["stance"] == "refutes"
    assert body["added_by"] == "editor"
    assert body["is_public"] is False


def test_add_a_file_with_multipart(editor, client_for, build, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    claim = build.draft()
    upload = SimpleUploadedFile("photo.png", PNG, content_type="image/png")

    response = client_for(editor).post(
        _url(claim), {"kind": "file", "file": upload, "title": "Photo"}, format="multipart"
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["file_content_type"] == "image/png"
    assert body["file_name"] == "photo.png"


def test_a_file_of_the_wrong_type_is_refused_naming_the_field(
    editor, client_for, build, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("x.exe", b"MZ\x90\x00\x03" + b"\x00" * 64)

    response = client_for(editor).post(
        _url(build.draft()), {"kind": "file", "file": upload}, format="multipart"
    )

    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"kind": "link", "url": "ftp://example.org/x"}, "url"),
        ({"kind": "note", "note": ""}, "note"),
        ({"kind": "video"}, "kind"),
        ({"kind": "note", "note": "n", "stance": "maybe"}, "stance"),
    ],
)
def test_invalid_evidence_names_the_field(editor, client_for, build, payload, field):
    response = client_for(editor).post(_url(build.draft()), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_list_shows_fetch_state_in_order(editor, client_for, build):
    claim = build.draft()
    build.evidence(claim)
    Evidence.objects.create(
        claim=claim,
        kind="link",
        url="https://example.org/a",
        fetch_state="failed",
        fetch_error="The site answered 404.",
        added_by=editor,
    )

    body = client_for(editor).get(_url(claim)).json()

    assert [e["kind"] for e in body] == ["note", "link"]
    assert body[1]["fetch_state"] == "failed"
    assert body[1]["fetch_error"] == "The site answered 404."


def test_update_marks_evidence_public(editor, client_for, build):
    claim = build.draft()
    evidence = build.evidence(claim)

    response = client_for(editor).patch(
        _url(claim, f"{evidence.code}/"), {"is_public": True, "title": "Footage"}, format="json"
    )

    assert response.status_code == 200
    evidence.refresh_from_db()
    assert evidence.is_public is True
    assert evidence.title == "Footage"


def test_what_evidence_points_at_cannot_change(editor, client_for, build):
    claim = build.draft()
    evidence = build.evidence(claim)

    response = client_for(editor).patch(
        _url(claim, f"{evidence.code}/"), {"note": "rewritten"}, format="json"
    )

    assert response.status_code == 400
    assert "note" in response.json()["error"]["fields"]


def test_evidence_of_another_claim_is_404(editor, client_for, build):
    evidence = build.evidence(build.draft())

    response = client_for(editor).get(_url(build.draft(), f"{evidence.code}/"))

    assert response.status_code == 404


def test_list_query_count_is_constant(editor, client_for, build):
    client = client_for(editor)
    claim = build.draft()
    build.evidence(claim)
    client.get(_url(claim))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            client.get(_url(claim))
        return len(ctx.captured_queries)

    one = count()
    for _ in range(4):
        build.evidence(claim)
    assert count() == one


def _link(claim, editor, state: str = "failed"):
    from claims import services

    evidence = services.evidence_add(
        claim=claim, by=editor, kind="link", url="https://example.org/report"
    )
    Evidence.objects.filter(pk=evidence.pk).update(fetch_state=state, fetch_error="Timed out.")
    return evidence


def test_refetch_puts_a_link_back_in_the_queue(editor, client_for, build):
    claim = build.draft()
    evidence = _link(claim, editor)

    response = client_for(editor).post(_url(claim, f"{evidence.code}/refetch/"), {}, format="json")

    assert response.status_code == 202, response.content
    assert response.json()["fetch_state"] == "pending"
    assert claim.events.filter(action="evidence.refetch_requested").count() == 1


def test_refetch_of_a_note_names_the_problem(editor, client_for, build):
    claim = build.draft()
    note = build.evidence(claim)

    response = client_for(editor).post(_url(claim, f"{note.code}/refetch/"), {}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "not_a_link"


def test_refetch_needs_change_evidence(approver, client_for, build, editor):
    claim = build.draft()
    evidence = _link(claim, editor)

    response = client_for(approver).post(
        _url(claim, f"{evidence.code}/refetch/"), {}, format="json"
    )

    assert response.status_code == 403
    evidence.refresh_from_db()
    assert evidence.fetch_state == "failed"
