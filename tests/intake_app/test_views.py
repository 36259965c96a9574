"""The intake pages: who may use them, what they show, CSRF, escaping and query counts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from claims import services
from claims.intake_services import intake_from_text
from claims.models import Claim, IntakeJob, User
from tests.builders import ClaimBuilder
from tests.intake_app.conftest import ARTICLE_TEXT, GHAFFARI, HEZBOLLAH, postgres_extra_queries

pytestmark = pytest.mark.django_db

START = reverse("intake:start")


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _index(job: IntakeJob, text: str) -> int:
    return next(i for i, c in enumerate(job.candidates) if c["text"] == text)


@pytest.fixture
def job(editor: User) -> IntakeJob:
    return intake_from_text(by=editor, text=ARTICLE_TEXT, title="Army chief")


def _urls(job: IntakeJob) -> list[tuple[str, str]]:
    return [
        ("get", START),
        ("post", START),
        ("get", reverse("intake:job", args=[job.code])),
        ("post", reverse("intake:job-claims", args=[job.code])),
    ]


def test_anonymous_users_are_sent_to_log_in(job: IntakeJob) -> None:
    client = _client(None)
    for method, url in _urls(job):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(settings.LOGIN_URL)


@pytest.mark.parametrize("persona", ["reviewer", "approver", "outsider"])
def test_only_editors_may_use_intake(
    personas: dict[str, User], persona: str, job: IntakeJob
) -> None:
    client = _client(personas[persona])
    for method, url in _urls(job):
        assert getattr(client, method)(url, {"text": ARTICLE_TEXT}).status_code == 403, url
    assert IntakeJob.objects.count() == 1
    assert Claim.objects.count() == 0


def test_pasting_text_leads_to_the_candidates(editor: User) -> None:
    client = _client(editor)
    page = client.get(START)
    assert page.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in page.content.decode()
    response = client.post(START, {"text": ARTICLE_TEXT, "title": "Army chief", "language": "auto"})
    job = IntakeJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job.get_absolute_url()
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' not in html  # settled: no refresh
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)  # no inline script
    # best first: the first row is the best-scored candidate
    first = html.index('id="row-1"')
    assert html.index(job.candidates[0]["text"].replace("'", "&#x27;"), first) > first
    assert html.count('name="pick"') == len(job.candidates)
    assert 'value="Iran International &gt; Al-Alam"' in html
    assert "badge-hedged" in html
    assert 'dir="auto"' in html


def test_a_link_shows_progress_until_the_page_is_read(
    editor: User, site: str, django_capture_on_commit_callbacks: Any
) -> None:
    client = _client(editor)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(START, {"url": f"{site}/article", "language": "auto"})
    job = IntakeJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    html = client.get(job.get_absolute_url()).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert "<progress" in html
    with django_capture_on_commit_callbacks(execute=True):
        client.post(START, {"url": f"{site}/article", "language": "auto"})
    ready = IntakeJob.objects.order_by("-id").first()
    assert ready is not None
    assert ready.state == IntakeJob.State.READY
    html = client.get(ready.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' not in html
    assert "Iran International &gt; Al-Alam" in html


def test_a_failed_fetch_says_why(editor: User, django_capture_on_commit_callbacks: Any) -> None:
    client = _client(editor)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(START, {"url": "http://127.0.0.1:9/", "language": "auto"})
    job = IntakeJob.objects.get()
    assert job.state == IntakeJob.State.FAILED
    html = client.get(job.get_absolute_url()).content.decode()
    assert 'http-equiv="refresh"' not in html
    assert job.error.split(":")[0] in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "", "url": ""}, "Paste the text of the article, or give its link."),
        ({"text": "", "url": "not a link"}, "Enter a full http:// or https:// link."),
    ],
)
def test_the_start_form_explains_what_is_missing(
    editor: User, data: dict[str, str], message: str
) -> None:
    response = _client(editor).post(START, {**data, "language": "auto"})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert IntakeJob.objects.count() == 0


def test_ticked_rows_become_claims_in_one_step(editor: User, job: IntakeJob) -> None:
    g, h = _index(job, GHAFFARI), _index(job, HEZBOLLAH)
    other = next(i for i in range(len(job.candidates)) if i not in {g, h})
    response = _client(editor).post(
        reverse("intake:job-claims", args=[job.code]),
        {
            "pick": [str(g), str(h)],
            f"statement-{g}": GHAFFARI,
            f"claimant-{g}": "Al-Alam",
            f"claimant_kind-{g}": "media",
            f"attribution-{g}": "Iran International > Al-Alam",
            f"statement-{h}": "Hezbollah may have lost over 3,000 fighters.",
            f"claimant-{h}": "",
            f"claimant_kind-{h}": "person",
            f"attribution-{h}": "",
            f"hedged-{h}": "on",
            # an unticked row's fields are ignored
            f"statement-{other}": "ignored",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == job.get_absolute_url()
    ghaffari = Claim.objects.get(statement=GHAFFARI)
    hezbollah = Claim.objects.get(statement__startswith="Hezbollah may")
    assert [a.name for a in ghaffari.attribution.all()] == ["Iran International", "Al-Alam"]
    assert list(hezbollah.tags.values_list("slug", flat=True)) == ["hedged"]
    assert Claim.objects.count() == 2
    html = response.content.decode()
    assert f"Logged claim {str(ghaffari.code)[:8]}" in html
    # the rows just logged now show as exact duplicates of themselves
    assert html.count("Looks like claim") >= 2


def test_a_bad_row_creates_nothing_and_keeps_the_editors_input(
    editor: User, job: IntakeJob
) -> None:
    g, h = _index(job, GHAFFARI), _index(job, HEZBOLLAH)
    response = _client(editor).post(
        reverse("intake:job-claims", args=[job.code]),
        {
            "pick": [str(g), str(h)],
            f"statement-{g}": "Ghaffari arrived in Damascus, edited by the desk.",
            f"statement-{h}": "   ",
            f"claimant_kind-{g}": "person",
            f"claimant_kind-{h}": "person",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert f"Row {h + 1}: the claim needs a statement." in html
    assert "Ghaffari arrived in Damascus, edited by the desk." in html
    assert f'value="{g}" id="pick-{g}" checked' in html
    assert Claim.objects.count() == 0


def test_a_candidate_can_be_logged_as_a_duplicate(
    editor: User, job: IntakeJob, build: ClaimBuilder
) -> None:
    existing = build.published(statement=GHAFFARI)
    client = _client(editor)
    html = client.get(job.get_absolute_url()).content.decode()
    assert (
        f'Looks like claim <a href="{existing.get_absolute_url()}">{str(existing.code)[:8]}' in html
    )
    assert "published True on" in html
    g = _index(job, GHAFFARI)
    client.post(
        reverse("intake:job-claims", args=[job.code]),
        {
            "pick": [str(g)],
            f"statement-{g}": GHAFFARI,
            f"claimant_kind-{g}": "media",
            f"link-{g}": f"duplicate:{existing.code}",
        },
    )
    new = Claim.objects.exclude(pk=existing.pk).get()
    assert new.duplicate_of == existing


def test_forms_need_the_csrf_token(editor: User, job: IntakeJob) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(START, {"text": ARTICLE_TEXT}).status_code == 403
    g = str(_index(job, GHAFFARI))
    response = client.post(reverse("intake:job-claims", args=[job.code]), {"pick": [g]})
    assert response.status_code == 403
    assert Claim.objects.count() == 0


def test_article_text_is_escaped(editor: User) -> None:
    job = intake_from_text(
        by=editor,
        text='Officials said <script>alert("x")</script> 3,000 fighters died in Hama on Tuesday.',
        title="<b>bold</b>",
    )
    html = _client(editor).get(job.get_absolute_url()).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html


def test_an_unknown_job_is_404(editor: User) -> None:
    url = reverse("intake:job", args=["00000000-0000-0000-0000-000000000000"])
    assert _client(editor).get(url).status_code == 404


def _job_page_queries(editor: User, job: IntakeJob, django_assert_num_queries: Any) -> None:
    client = _client(editor)
    client.get(START)  # warm the session
    # session, user, user and group permissions, job, candidate pool, matched claims,
    # claimant kinds
    expected = 9 + postgres_extra_queries()  # + the unread-notification count in the navigation
    with django_assert_num_queries(expected):
        response = client.get(job.get_absolute_url())
    assert response.status_code == 200


def test_the_candidate_page_has_a_fixed_query_count(
    editor: User, job: IntakeJob, django_assert_num_queries: Any
) -> None:
    services.claim_create(by=editor, statement=GHAFFARI)
    _job_page_queries(editor, job, django_assert_num_queries)
    for candidate in job.candidates[:10]:  # many more matches, same number of queries
        services.claim_create(by=editor, statement=candidate["text"], claimant_name="Al-Alam")
    _job_page_queries(editor, job, django_assert_num_queries)


def test_the_recent_jobs_list_has_a_fixed_query_count(
    editor: User, django_assert_num_queries: Any
) -> None:
    client = _client(editor)
    intake_from_text(by=editor, text=GHAFFARI, url="https://desk.example/1")
    client.get(START)
    with django_assert_num_queries(6):  # session, user, permissions (2), jobs, unread count
        client.get(START)
    for n in range(2, 6):
        intake_from_text(by=editor, text=HEZBOLLAH, url=f"https://desk.example/{n}")
    with django_assert_num_queries(6):
        html = client.get(START).content.decode()
    assert html.count("/intake/") >= 5
