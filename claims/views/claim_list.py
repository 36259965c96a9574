"""The claims list: filters, search, sorting, pagination and bulk actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, QuerySet, Window
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from claims import services
from claims.exceptions import DomainError
from claims.forms import BulkForm, ClaimFilterForm
from claims.models import Assignment, Claim, User
from claims.views.common import error_status, newsroom_required, permission_check

PAGE_SIZE = 25

BULK_PERMISSIONS = {
    "assign": "claims.assign_claim",
    "tag": "claims.change_claim",
    "withdraw": "claims.withdraw_claim",
}


def _bulk_actions(user: User) -> list[tuple[str, str]]:
    return [(key, label) for key, label in BulkForm.ACTIONS if user.has_perm(BULK_PERMISSIONS[key])]


def claims_for_list() -> QuerySet[Claim]:
    open_assignments = Assignment.objects.filter(state=Assignment.State.OPEN).select_related("user")
    return Claim.objects.select_related("claimant", "verdict", "source").prefetch_related(
        "tags", Prefetch("assignments", queryset=open_assignments, to_attr="open_assignments")
    )


def _page_of_ids(
    matching: QuerySet[Claim], number: str | None, *, searching: bool
) -> tuple[Page, list[int]]:
    """The requested page of matching claim ids. A search is run once for both the page and
    the total (COUNT(*) OVER ()); without one, a separate COUNT and an index-ordered LIMIT
    are cheaper than counting every row in a window."""
    paginator = Paginator(matching.values_list("pk", flat=True), PAGE_SIZE)
    if searching:
        try:
            wanted = max(int(number or 1), 1)
        except ValueError:
            wanted = 1
        start = (wanted - 1) * PAGE_SIZE
        window = matching.annotate(total=Window(Count("*"))).values_list("pk", "total")
        rows = list(window[start : start + PAGE_SIZE])
        if rows:
            paginator.count = rows[0][1]  # a cached_property: preset, so it is not counted again
            return paginator.page(wanted), [pk for pk, _ in rows]
    page = paginator.get_page(number)
    return page, list(page.object_list)


def _render_list(
    request: HttpRequest, bulk_form: BulkForm | None = None, status: int = 200
) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    filters = ClaimFilterForm(request.GET or None)
    # Filter, sort and page on the claim table alone, then load the page's 25 rows with
    # their relations: joining first would join every match before the sort.
    matching = filters.apply(Claim.objects.all())
    page, ids = _page_of_ids(matching, request.GET.get("page"), searching=filters.searching())
    rows = claims_for_list().in_bulk(ids)
    bulk_actions = _bulk_actions(user)
    context = {
        "filters": filters,
        "page": page,
        "claims": [rows[pk] for pk in ids],
        "bulk_actions": bulk_actions,
        "bulk_form": bulk_form or (BulkForm() if bulk_actions else None),
        "filtered": any(v for k, v in request.GET.items() if k not in ("page", "sort")),
    }
    return render(request, "claims/claim_list.html", context, status=status)


@require_GET
@newsroom_required
def claim_list(request: HttpRequest) -> HttpResponse:
    return _render_list(request)


@require_POST
@newsroom_required
def claim_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected claims, all or nothing. The form posts to this URL
    with the list's query string, so the list comes back as it was."""
    user: User = request.user  # type: ignore[assignment]
    form = BulkForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Nothing was changed: check the bulk action below.")
        return _render_list(request, form, status=400)
    action = form.cleaned_data["action"]
    permission_check(user, BULK_PERMISSIONS[action])
    claims = list(form.cleaned_data["claims"].order_by("id"))
    try:
        if action == "assign":
            count = services.claims_assign(claims=claims, user=form.cleaned_data["user"], by=user)
            done = f"Assigned {form.cleaned_data['user']} on {count} of {len(claims)} claims."
        elif action == "tag":
            services.claims_tag(claims=claims, names=form.tag_names(), by=user)
            done = f"Tagged {len(claims)} claims."
        else:
            services.claims_withdraw(claims=claims, reason=form.cleaned_data["reason"], by=user)
            done = f"Withdrew {len(claims)} claims."
    except DomainError as exc:
        status = error_status(exc)
        form.add_error(None, exc.message)
        return _render_list(request, form, status=status)
    messages.success(request, done)
    query = request.GET.urlencode()
    return redirect(reverse("claims:list") + (f"?{query}" if query else ""))
