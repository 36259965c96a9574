"""Logging in and out, and the navigation each role sees."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.web.conftest import text_of


def test_login_page_renders_a_labelled_form_with_csrf():
    client = Client(enforce_csrf_checks=True)
    response = client.get("/login/")
    html = text_of(response)
    assert response.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in html
    assert '<label for="id_username">' in html
    assert '<label for="id_password">' in html


def test_login_redirects_to_the_dashboard(editor):
    response = Client().post(
        "/login/", {"username": "editor", "password": "pw-for-tests-only", "next": "/"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_login_with_a_wrong_password_says_so(editor):
    response = Client().post("/login/", {"username": "editor", "password": "nope"})
    assert response.status_code == 200
    assert "didn't match" in text_of(response)


def test_login_refuses_an_offsite_next(editor):
    response = Client().post(
        "/login/",
        {"username": "editor", "password": "pw-for-tests-only", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_logout_is_a_post(client_for):
    client = client_for("editor")
    assert client.get("/logout/").status_code == 405
    response = client.post("/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    assert client.get("/").status_code == 302


NAV = {
    "editor": {"Dashboard", "Claims", "New claim", "Notifications"},
    "reviewer": {"Dashboard", "Claims", "Queue", "Notifications"},
    "approver": {"Dashboard", "Claims", "Queue", "Notifications"},
    "admin": {"Dashboard", "Claims", "Queue", "New claim", "Notifications", "Back office"},
}
ALL_LINKS = {"Dashboard", "Claims", "Queue", "New claim", "Notifications", "Back office"}


@pytest.mark.parametrize("role", sorted(NAV))
def test_navigation_by_role(role, client_for):
    html = text_of(client_for(role).get("/"))
    nav = html[html.index('<nav class="nav"') : html.index("</nav>")]
    for link in ALL_LINKS:
        assert (f">{link}<" in nav or f">\n              {link}" in nav) == (link in NAV[role]), (
            link
        )


def test_outsider_sees_no_newsroom_navigation(client_for):
    response = client_for("outsider").get("/")
    assert response.status_code == 403
    html = text_of(response)
    assert reverse("claims:list") not in html
    assert "Log out" in html
