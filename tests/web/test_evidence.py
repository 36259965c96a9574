"""Evidence on the claim page: adding links, files and notes; the live fetch state; files
served only through the permission-checked download."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from claims.models import Evidence
from tests.web.conftest import text_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _add(client, claim, htmx=False, **data):
    headers = {"HX-Request": "true"} if htmx else {}
    payload = {"kind": "link", "stance": "supports", "url": "", "note": "", "title": ""}
    payload.update(data)
    return client.post(reverse("claims:evidence_add", args=[claim.code]), payload, headers=headers)


def _list(client, claim):
    return client.get(reverse("claims:evidence", args=[claim.code]))


def test_add_a_link_starts_it_pending(client_for, build):
    claim = build.draft()
    response = _add(client_for("editor"), claim, url="https://www.iranintl.com/en/ghaffari")
    assert response.status_code == 302
    evidence = Evidence.objects.get(claim=claim)
    assert evidence.kind == "link"
    assert evidence.fetch_state == Evidence.FetchState.PENDING


def test_add_with_htmx_returns_the_section_and_the_proposal_form(client_for, build):
    claim = build.submitted()
    response = _add(client_for("reviewer"), claim, htmx=True, kind="note", note="Flight log.")
    html = text_of(response)
    assert response.status_code == 200
    assert '<section class="card" id="evidence-section"' in html
    assert "Flight log." in html
    assert 'id="propose-section" hx-swap-oob="true"' in html
    assert "<html" not in html


def test_add_with_htmx_shows_the_service_error_with_400(client_for, build):
    claim = build.draft()
    response = _add(client_for("editor"), claim, htmx=True, url="ftp://example.org/x")
    assert response.status_code == 400
    assert "Enter a full http:// or https:// link." in text_of(response)
    assert not Evidence.objects.exists()


def test_add_a_note_without_text_is_refused(client_for, build):
    claim = build.draft()
    response = _add(client_for("editor"), claim, kind="note", note="  ")
    assert response.status_code == 400
    assert "Write the note." in text_of(response)


def test_add_to_a_withdrawn_claim_is_refused(client_for, build):
    claim = build.withdrawn()
    response = _add(client_for("editor"), claim, kind="note", note="x")
    assert response.status_code == 400
    assert "Evidence cannot be added to a withdrawn claim." in text_of(response)


def test_approver_may_add_but_outsider_may_not(client_for, build):
    claim = build.draft()
    assert _add(client_for("approver"), claim, kind="note", note="ok").status_code == 302
    assert _add(client_for("outsider"), claim, kind="note", note="no").status_code == 403
    assert Evidence.objects.count() == 1


def test_upload_a_pdf_and_download_it_safely(client_for, build):
    claim = build.draft()
    upload = SimpleUploadedFile("report <1>.pdf", PDF, content_type="text/html")
    response = _add(client_for("editor"), claim, kind="file", file=upload)
    assert response.status_code == 302
    evidence = Evidence.objects.get()
    assert evidence.file_content_type == "application/pdf"
    assert not evidence.file.name.endswith("report <1>.pdf")

    html = text_of(client_for("reviewer").get(reverse("claims:detail", args=[claim.code])))
    url = reverse("claims:evidence_file", args=[claim.code, evidence.code])
    assert f'href="{url}"' in html
    assert "/media/" not in html

    download = client_for("reviewer").get(url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["X-Content-Type-Options"] == "nosniff"
    assert b"".join(download.streaming_content) == PDF


@pytest.mark.parametrize("role", ["outsider", "anonymous"])
def test_download_is_refused_to_outsiders(role, client_for, build, editor):
    from claims import services

    claim = build.draft()
    evidence = services.evidence_add(
        claim=claim,
        by=editor,
        kind="file",
        file=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
    )
    url = reverse("claims:evidence_file", args=[claim.code, evidence.code])
    response = client_for(role).get(url)
    assert response.status_code == (302 if role == "anonymous" else 403)


def test_download_of_another_claims_file_is_404(client_for, build, editor):
    from claims import services

    claim, other = build.draft(), build.draft(statement="Other.")
    evidence = services.evidence_add(
        claim=claim,
        by=editor,
        kind="file",
        file=SimpleUploadedFile("a.pdf", PDF, content_type="application/pdf"),
    )
    url = reverse("claims:evidence_file", args=[other.code, evidence.code])
    assert client_for("editor").get(url).status_code == 404


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><script>alert(1)</script></html>\x00\x01", "That file type is not accepted"),
        (b"MZ\x90\x00\x03\x00\x00\x00", "That file type is not accepted"),
    ],
)
def test_upload_of_a_refused_type(content, message, client_for, build):
    claim = build.draft()
    upload = SimpleUploadedFile("x.pdf", content, content_type="application/pdf")
    response = _add(client_for("editor"), claim, kind="file", file=upload)
    assert response.status_code == 400
    assert message in text_of(response)
    assert not Evidence.objects.exists()


def test_upload_over_the_size_limit(client_for, build, settings):
    settings.EVIDENCE_MAX_FILE_BYTES = 1024
    claim = build.draft()
    upload = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = _add(client_for("editor"), claim, kind="file", file=upload)
    assert response.status_code == 400
    assert "That file is too large" in text_of(response)


# --------------------------------------------------------------------------------------------
# The live fetch state


def _link(build, claim, editor, url, **fields):
    from claims import services

    evidence = services.evidence_add(claim=claim, by=editor, kind="link", url=url)
    if fields:
        Evidence.objects.filter(pk=evidence.pk).update(**fields)
    return evidence


def test_list_polls_while_a_link_is_unsettled(client_for, build, editor):
    claim = build.draft()
    _link(build, claim, editor, "https://a.example/", fetch_state="fetching")
    html = text_of(_list(client_for("editor"), claim))
    assert 'hx-trigger="every 2s"' in html
    assert f'hx-get="{reverse("claims:evidence", args=[claim.code])}"' in html
    assert "fetch-fetching" in html
    assert "Fetching the page" in html


@pytest.mark.parametrize("state", ["fetched", "failed", "blocked"])
def test_list_stops_polling_once_every_link_is_settled(state, client_for, build, editor):
    claim = build.draft()
    _link(build, claim, editor, "https://a.example/", fetch_state=state, fetch_error="HTTP 404")
    _link(build, claim, editor, "https://b.example/", fetch_state="fetched")
    html = text_of(_list(client_for("editor"), claim))
    assert "hx-trigger" not in html
    assert f"fetch-{state}" in html
    if state != "fetched":
        assert "HTTP 404" in html


def test_notes_and_files_never_poll(client_for, build, editor):
    claim = build.draft()
    build.evidence(claim)
    assert "hx-trigger" not in text_of(_list(client_for("editor"), claim))


def test_fetched_link_shows_title_site_date_and_excerpt(client_for, build, editor):
    from datetime import UTC, datetime

    claim = build.draft()
    _link(
        build,
        claim,
        editor,
        "https://www.iranintl.com/en/ghaffari",
        fetch_state="fetched",
        page_title="IRGC commander arrives in Damascus",
        page_site_name="Iran International",
        page_published_at=datetime(2024, 12, 3, 9, 0, tzinfo=UTC),
        page_excerpt="Javad Ghaffari arrived in Damascus on Tuesday, Al-Alam reported.",
        archive_url="https://web.archive.org/web/2024/https://www.iranintl.com/en/ghaffari",
    )
    html = text_of(_list(client_for("reviewer"), claim))
    assert "IRGC commander arrives in Damascus" in html
    assert "Iran International" in html
    assert "published 3 Dec 2024" in html
    assert "Al-Alam reported." in html
    assert "Archived copy" in html


def test_a_javascript_archive_url_is_never_a_link(client_for, build, editor):
    claim = build.draft()
    _link(
        build,
        claim,
        editor,
        "https://a.example/",
        fetch_state="fetched",
        archive_url="javascript:alert(1)",
    )
    html = text_of(_list(client_for("reviewer"), claim))
    assert "javascript:" not in html


@pytest.mark.parametrize("rows", [1, 4])
def test_list_query_count_is_constant(rows, client_for, build, editor, django_assert_num_queries):
    claim = build.draft()
    for i in range(rows):
        _link(build, claim, editor, f"https://e.example/{i}")
    client = client_for("reviewer")
    with django_assert_num_queries(6):
        response = _list(client, claim)
    assert text_of(response).count('class="evidence evidence--link"') == rows
