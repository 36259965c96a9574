"""Who may open which newsroom page: anonymous users are sent to log in, signed-in users
without newsroom access get 403 and never a byte of claim content."""

from __future__ import annotations

import pytest
from django.urls import reverse

from claims.models import Claim, Event
from tests.web.conftest import ROLES, text_of

PAGES = {
    # name: roles that get 200 (everyone else in the newsroom gets 403)
    "dashboard": {"editor", "reviewer", "approver", "admin"},
    "list": {"editor", "reviewer", "approver", "admin"},
    "create": {"editor", "admin"},
    "detail": {"editor", "reviewer", "approver", "admin"},
    "edit": {"editor", "admin"},
    "evidence": {"editor", "reviewer", "approver", "admin"},
    "queue": {"editor", "reviewer", "approver", "admin"},
    "notifications": {"editor", "reviewer", "approver", "admin"},
}


def _url(name: str, claim: Claim) -> str:
    if name in ("detail", "edit", "evidence"):
        return reverse(f"claims:{name}", args=[claim.code])
    return reverse(f"claims:{name}")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_page_access(name, role, client_for, build):
    claim = build.draft(statement="A secret statement under check.")
    url = _url(name, claim)
    response = client_for(role).get(url)
    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"/login/?next={url}"
    elif role in PAGES[name]:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
        assert "A secret statement" not in text_of(response)


POSTS = [
    ("transition", {"action": "submit"}, {}),
    ("transition", {"action": "withdraw"}, {"withdraw-reason": "x"}),
    ("evidence_add", {}, {"kind": "note", "stance": "context", "note": "n"}),
    ("comment_add", {}, {"body": "hello"}),
    ("assign", {}, {"role": "reviewer"}),
    ("decline", {}, {"role": "reviewer", "reason": "busy"}),
]


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
@pytest.mark.parametrize(("name", "kwargs", "data"), POSTS)
def test_outsiders_cannot_act(name, kwargs, data, role, client_for, build):
    claim = build.draft()
    events = Event.objects.count()
    url = reverse(f"claims:{name}", kwargs={"code": claim.code, **kwargs})
    response = client_for(role).post(url, data)
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert Event.objects.count() == events
    claim.refresh_from_db()
    assert claim.status == Claim.Status.DRAFT


@pytest.mark.parametrize("role", ["anonymous", "outsider"])
@pytest.mark.parametrize("name", ["take_next", "bulk", "notifications_read_all"])
def test_outsiders_cannot_post_to_lists(name, role, client_for, build):
    build.submitted()
    events = Event.objects.count()
    response = client_for(role).post(reverse(f"claims:{name}"), {"action": "withdraw"})
    assert response.status_code == (302 if role == "anonymous" else 403)
    assert Event.objects.count() == events


def test_get_is_refused_on_actions(client_for, build):
    claim = build.draft()
    url = reverse("claims:transition", args=[claim.code, "submit"])
    assert client_for("editor").get(url).status_code == 405


def test_unknown_claim_is_404(client_for):
    url = "/claims/00000000-0000-0000-0000-000000000000/"
    assert client_for("editor").get(url).status_code == 404


def test_media_is_not_served_publicly(client_for):
    assert client_for("editor").get("/media/evidence/anything.pdf").status_code == 404
