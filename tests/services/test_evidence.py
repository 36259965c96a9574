"""evidence_add: links start pending, files are checked by content not by name, notes need text."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from claims import services
from claims.exceptions import GuardFailed, InvalidInput, NotPermitted
from claims.models import Event, Evidence, User
from tests.builders import ClaimBuilder

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path


def test_link_starts_pending(build: ClaimBuilder) -> None:
    evidence = services.evidence_add(
        claim=build.draft(),
        by=build.editor,
        kind="link",
        stance="refutes",
        url="https://www.iranintl.com/en/ghaffari",
    )
    assert evidence.fetch_state == Evidence.FetchState.PENDING
    assert evidence.fetch_requested_at is not None
    assert Event.objects.filter(action="evidence.added").count() == 1


@pytest.mark.parametrize(
    "url",
    ["", "not a url", "ftp://example.org/file", "javascript:alert(1)", "https://" + "a" * 2100],
)
def test_bad_links_are_refused(build: ClaimBuilder, url: str) -> None:
    claim = build.draft()
    with pytest.raises(InvalidInput) as caught:
        services.evidence_add(claim=claim, by=build.editor, kind="link", url=url)
    assert caught.value.field == "url"
    assert not Evidence.objects.exists()


def test_file_type_comes_from_content(build: ClaimBuilder) -> None:
    upload = SimpleUploadedFile("photo.exe", PNG, content_type="application/x-msdownload")
    evidence = services.evidence_add(claim=build.draft(), by=build.editor, kind="file", file=upload)
    assert evidence.file_content_type == "image/png"
    assert evidence.file.name.endswith(".png")
    assert "photo" not in evidence.file.name  # stored names never come from the user
    assert evidence.file_size == len(PNG)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 100, "not accepted"),
        (b"", "empty"),
    ],
)
def test_bad_files_are_refused(build: ClaimBuilder, content: bytes, message: str) -> None:
    upload = SimpleUploadedFile("report.pdf", content, content_type="application/pdf")
    with pytest.raises(InvalidInput, match=message):
        services.evidence_add(claim=build.draft(), by=build.editor, kind="file", file=upload)
    assert not Evidence.objects.exists()


def test_oversized_file_is_refused(build: ClaimBuilder, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EVIDENCE_MAX_FILE_BYTES = 1024
    upload = SimpleUploadedFile("big.png", PNG + b"\x00" * 2048, content_type="image/png")
    with pytest.raises(InvalidInput, match="too large"):
        services.evidence_add(claim=build.draft(), by=build.editor, kind="file", file=upload)


def test_note_needs_text_and_withdrawn_claims_take_nothing(build: ClaimBuilder) -> None:
    with pytest.raises(InvalidInput):
        services.evidence_add(claim=build.draft(), by=build.editor, kind="note", note="  ")
    with pytest.raises(GuardFailed):
        services.evidence_add(claim=build.withdrawn(), by=build.editor, kind="note", note="x")
    assert not Evidence.objects.exists()


def test_outsider_cannot_add_evidence(build: ClaimBuilder, outsider: User) -> None:
    with pytest.raises(NotPermitted):
        services.evidence_add(claim=build.draft(), by=outsider, kind="note", note="x")
