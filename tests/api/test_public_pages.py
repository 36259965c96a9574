"""The public page /checks/<code>/ (with ClaimReview JSON-LD) and the SVG badge."""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from claims.workflow import Action, TransitionInput, transition_apply

pytestmark = pytest.mark.django_db
LD_SCRIPT = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def _page(code: object) -> str:
    return f"/checks/{code}/"


def test_page_shows_the_check_and_embeds_its_claimreview(publish):
    claim = publish()

    response = Client().get(_page(claim.code))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    html = response.content.decode()
    assert claim.statement in html
    assert "Records show one flood." in html
    assert "Rainfall records" in html
    assert "INTERNAL" not in html
    assert "PRIVATE" not in html
    (ld,) = LD_SCRIPT.findall(html)
    review = json.loads(ld)
    assert review["@type"] == "ClaimReview"
    assert review["url"] == f"https://verify.example/checks/{claim.code}/"
    assert "ETag" in response
    assert response["Cache-Control"].startswith("public")


def test_page_has_no_executable_script_and_a_local_stylesheet(publish):
    html = Client().get(_page(publish().code)).content.decode()

    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts == ['<script type="application/ld+json">']
    assert '<link rel="stylesheet" href="/static/css/public.css">' in html
    assert "http://" not in re.sub(r'href="http[^"]*"', "", html.split("</head>")[0])


def test_script_breaking_text_is_escaped_in_json_ld_and_html(publish):
    nasty = 'He said </script><script>alert("x")</script> & left'
    claim = publish(nasty)

    html = Client().get(_page(claim.code)).content.decode()

    assert "<script>alert" not in html
    (ld,) = LD_SCRIPT.findall(html)
    assert "</script>" not in ld
    assert json.loads(ld)["claimReviewed"] == nasty


def test_missing_and_withdrawn_pages(publish, build):
    assert Client().get(_page(uuid.uuid4())).status_code == 404
    assert Client().get(_page(build.awaiting().code)).status_code == 404
    claim = publish()
    transition_apply(
        claim=claim, action=Action.REOPEN, by=build.editor, data=TransitionInput(reason="x")
    )
    transition_apply(
        claim=claim,
        action=Action.WITHDRAW,
        by=build.editor,
        data=TransitionInput(reason="Wrong speaker."),
    )

    response = Client().get(_page(claim.code))

    assert response.status_code == 410
    assert "Wrong speaker." in response.content.decode()


def test_badge_is_an_svg_with_the_verdict(publish):
    claim = publish(rating="mostly-true")

    response = Client().get(f"/checks/{claim.code}/badge.svg")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    root = ET.fromstring(response.content)  # noqa: S314 (our own output, in a test)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["fact check", "Mostly true"]
    assert "#65a30d" in response.content.decode()


def test_badge_of_an_unpublished_claim_is_404(build):
    response = Client().get(f"/checks/{build.awaiting().code}/badge.svg")

    assert response.status_code == 404
    assert b"Mostly" not in response.content


def test_only_safe_methods(publish):
    assert Client().post(_page(publish().code)).status_code == 405
