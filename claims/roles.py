"""Roles are groups with permissions. ``roles_setup`` creates or refreshes them."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

EDITOR, REVIEWER, APPROVER, ADMIN = "editor", "reviewer", "approver", "admin"

_VIEW = [
    "view_claim",
    "view_evidence",
    "view_source",
    "view_claimant",
    "view_tag",
    "view_assignment",
    "view_verdictproposal",
    "view_publication",
    "view_event",
    "view_ratinglabel",
    "view_comment",
    "view_attributionlink",
    "view_snapshot",
    "view_claimflag",
    "add_comment",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    EDITOR: [
        *_VIEW,
        "add_claim",
        "change_claim",
        "submit_claim",
        "withdraw_claim",
        "reopen_claim",
        "assign_claim",
        "add_evidence",
        "change_evidence",
        "add_source",
        "change_source",
        "add_claimant",
        "change_claimant",
        "add_tag",
        "change_claimflag",
    ],
    REVIEWER: [*_VIEW, "propose_verdict", "take_claim", "add_evidence", "change_evidence"],
    APPROVER: [*_VIEW, "approve_claim", "reopen_claim", "add_evidence", "change_claimflag"],
    ADMIN: [],  # every permission of the claims app, filled in below
}


def roles_setup() -> dict[str, int]:
    """Create the four groups and give each exactly its permissions. Idempotent."""
    counts = {}
    app_perms = Permission.objects.filter(content_type__app_label="claims")
    by_codename = {p.codename: p for p in app_perms}
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        if role == ADMIN:
            perms = list(app_perms)
        else:
            missing = sorted(set(codenames) - set(by_codename))
            if missing:
                raise LookupError(f"Unknown permissions for {role}: {', '.join(missing)}")
            perms = [by_codename[c] for c in codenames]
        group.permissions.set(perms)
        counts[role] = len(perms)
    return counts
