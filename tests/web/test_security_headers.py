"""The Content-Security-Policy header, and pages that need nothing it forbids: no inline
script, no style attributes or elements, no inline event handlers, nothing from a CDN."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

from claims import services
from tests.web.conftest import text_of

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
HANDLER_ATTRIBUTE = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
EXTERNAL_ASSET = re.compile(r'<(?:script|link|img)[^>]+(?:src|href)="(?:https?:)?//', re.I)


def test_policy_header(client_for):
    response = client_for("editor").get("/")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def _pages(build, editor):
    claim = build.awaiting()
    services.comment_add(claim=claim, by=editor, body="@reviewer note")
    services.evidence_add(claim=claim, by=editor, kind="link", url="https://e.example/")
    code = claim.code
    return [
        "/login/",
        "/",
        "/claims/",
        "/claims/new/",
        f"/claims/{code}/",
        f"/claims/{code}/edit/",
        f"/claims/{code}/evidence/",
        "/queue/",
        "/notifications/",
    ]


@pytest.mark.parametrize("role", ["editor", "approver", "anonymous"])
def test_pages_have_no_inline_code_or_external_assets(role, client_for, build, editor):
    for url in _pages(build, editor):
        response = client_for(role).get(url, follow=True)
        html = text_of(response)
        assert not INLINE_SCRIPT.search(html), url
        assert not STYLE_ATTRIBUTE.search(html), url
        assert not HANDLER_ATTRIBUTE.search(html), url
        assert "<style" not in html, url
        assert not EXTERNAL_ASSET.search(html), url


def test_assets_are_served_by_the_project(client_for):
    html = text_of(client_for("editor").get("/"))
    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    assert '<script src="/static/js/app.js" defer></script>' in html
    assert 'href="/static/css/app.css"' in html
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html
    for path in ("vendor/htmx.min.js", "js/app.js", "css/app.css", "favicon.svg"):
        assert finders.find(path), path


def test_every_form_posting_here_carries_a_csrf_token(client_for, build, editor):
    for url in _pages(build, editor):
        html = text_of(client_for("editor").get(url, follow=True))
        for form in re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", html, re.S | re.I):
            assert "csrfmiddlewaretoken" in form, (url, form[:120])
