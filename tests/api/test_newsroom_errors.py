"""Bad requests get a 4xx in the one error shape, never a 5xx: malformed or oversized
bodies, wrong content types, unknown routes."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(editor, client_for):
    return client_for(editor)


def _error(response) -> dict:
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return response.json()["error"]


@pytest.mark.parametrize(
    "body",
    [
        b'{"statement": ',
        b"\xff\xfe not utf-8",
        b'{"statement": NaN}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"priority": 1' + b"0" * 5000 + b"}",
    ],
    ids=["truncated", "not-utf8", "nan", "deeply-nested", "huge-number"],
)
def test_malformed_json_is_400_malformed(api, body):
    response = api.post("/api/v1/claims/", body, content_type="application/json")

    assert response.status_code == 400
    assert _error(response)["code"] == "malformed"


@pytest.mark.parametrize("body", [b"[]", b"null", b'"text"', b"42"])
def test_json_that_is_not_an_object_is_400(api, body):
    response = api.post("/api/v1/claims/", body, content_type="application/json")

    assert response.status_code == 400
    assert _error(response)["code"] == "invalid"


def test_oversized_json_body_is_413(api, settings):
    body = b'{"statement": "' + b"x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + b'"}'

    response = api.post("/api/v1/claims/", body, content_type="application/json")

    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"


def test_oversized_multipart_field_is_413(api, build, settings):
    claim = build.draft()
    settings.EVIDENCE_MAX_FILE_BYTES = 1024  # lets the whole body through the length check
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024

    response = api.post(
        f"/api/v1/claims/{claim.code}/evidence/",
        {"kind": "note", "note": "x" * 2500},
        format="multipart",
    )

    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"


def test_too_many_multipart_fields_is_413(api, build, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"f{i}": "x" for i in range(20)} | {"kind": "note", "note": "n"}

    response = api.post(f"/api/v1/claims/{build.draft().code}/evidence/", data, format="multipart")

    assert response.status_code == 413


def test_broken_multipart_is_400(api, build):
    response = api.post(
        f"/api/v1/claims/{build.draft().code}/evidence/",
        b"--nothing\r\nbroken",
        content_type="multipart/form-data; boundary=",
    )

    assert response.status_code == 400
    assert _error(response)["code"] == "malformed"


def test_unsupported_content_type_is_415(api):
    response = api.post("/api/v1/claims/", b"statement=x", content_type="text/plain")

    assert response.status_code == 415
    assert _error(response)["code"] == "unsupported_media_type"


def test_unknown_api_route_is_a_json_404(api):
    for path in ("/api/v1/nothing/", "/api/v1/claims/not-a-uuid/", "/api/v2/"):
        response = api.get(path)
        assert response.status_code == 404
        assert _error(response)["code"] == "not_found"


def test_non_api_404_stays_html():
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")
