"""The internal comment thread: adding comments (with htmx or without) and @mentions."""

from __future__ import annotations

from django.urls import reverse

from claims.models import Comment, Notification
from tests.web.conftest import text_of


def _post(client, claim, body, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("claims:comment_add", args=[claim.code]), {"body": body}, headers=headers
    )


def test_add_a_comment(client_for, build):
    claim = build.draft()
    response = _post(client_for("reviewer"), claim, "Is the Al-Alam piece archived?")
    assert response.status_code == 302
    assert response["Location"].endswith("#comments")
    assert Comment.objects.get().body == "Is the Al-Alam piece archived?"


def test_add_with_htmx_returns_the_thread(client_for, build):
    claim = build.draft()
    response = _post(client_for("reviewer"), claim, "First.\nSecond line.", htmx=True)
    html = text_of(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<section class="card" id="comments"')
    assert "First.<br>Second line." in html


def test_empty_comment_is_a_400_with_the_message(client_for, build):
    claim = build.draft()
    response = _post(client_for("reviewer"), claim, "   ", htmx=True)
    assert response.status_code == 400
    assert "This field is required." in text_of(response)
    assert not Comment.objects.exists()


def test_mentions_are_highlighted_and_notified(
    client_for, build, approver, django_capture_on_commit_callbacks
):
    claim = build.draft()
    with django_capture_on_commit_callbacks(execute=True):
        _post(client_for("reviewer"), claim, "@approver please look. @nobody @outsider")
    html = text_of(client_for("reviewer").get(reverse("claims:detail", args=[claim.code])))
    assert '<span class="mention">@approver</span>' in html
    assert list(Notification.objects.values_list("recipient__username", "kind")) == [
        ("approver", "mentioned")
    ]
