"""Demo data: one source article (written for this project from public reporting on Iran and
Syria in late 2024) and claims from it in every workflow state. Used by ``seed_demo``."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from claims import services
from claims.models import Assignment, Claim, Claimant, Evidence, RatingLabel, Source, User
from claims.roles import ADMIN, APPROVER, EDITOR, REVIEWER, roles_setup
from claims.workflow import Action, TransitionInput, transition_apply

DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("editor", EDITOR, "Dana Editor"),
    ("reviewer", REVIEWER, "Rami Reviewer"),
    ("reviewer2", REVIEWER, "Sara Reviewer"),
    ("approver", APPROVER, "Amal Approver"),
    ("admin", ADMIN, "Ada Admin"),
)

# The week the reported events happened; due dates stay relative to today.
CLAIM_DATE = date(2024, 12, 3)
SOURCE_URL = "https://news.example.org/2024/12/iran-axis-under-strain"
SOURCE_TITLE = "Tehran's allies stretched as Syrian front buckles"
SOURCE_TEXT = """\
Tehran's network of allied armed groups is under strain as the Syrian government loses ground.
Iranian state media reported on Tuesday that the chief of staff of Iran's armed forces,
Maj.-Gen. Mohammad Bagheri, told counterparts in Syria and Iraq, and Russia's defence minister
Andrei Belousov, that the rebel advance was part of an American-Israeli plan.
The rebel coalition led by Hayat Tahrir al-Sham took Aleppo last week and pushed toward Hama,
where government reinforcements and heavy air strikes drove it back overnight.
Hezbollah, weakened by two months of war with Israel before a ceasefire, may have lost more than
3,000 fighters, analysts estimate. Iran International reported that the Revolutionary Guards
commander Javad Ghaffari arrived in Damascus on Tuesday, citing Iran's state-run Al-Alam; the
report has not been confirmed. Ghaffari, who led forces in Syria in earlier campaigns, is under
US sanctions.
"""


@dataclass
class Plan:
    statement: str
    claimant: str
    claimant_kind: str
    status: str
    attribution: list[tuple[str, str]] = field(default_factory=list)
    priority: int = Claim.Priority.NORMAL
    due_in_days: int | None = 3
    tags: list[str] = field(default_factory=list)
    verdict: str = ""  # rating slug for proposed/published ones
    explanation: str = ""
    evidence: list[tuple[str, str, str]] = field(default_factory=list)  # kind, stance, value
    reason: str = ""


PLANS: tuple[Plan, ...] = (
    Plan(
        "Hezbollah may have lost more than 3,000 fighters in two months of fighting with Israel.",
        "Jerusalem Post analysis", Claimant.Kind.MEDIA, Claim.Status.AWAITING_APPROVAL,
        priority=Claim.Priority.HIGH, tags=["hezbollah", "casualties"], verdict="unproven",
        explanation="No independent count exists; the figure is an analyst's estimate and "
        "Hezbollah has not published its losses.",
        evidence=[("note", "context", ("Hezbollah has not released a casualty total; Israeli "
                   "military estimates differ from the figure quoted."))],
    ),
    Plan(
        "Senior IRGC commander Javad Ghaffari arrived in Damascus on Tuesday.",
        "Iran International", Claimant.Kind.MEDIA, Claim.Status.IN_VERIFICATION,
        attribution=[("Iran International", "reported"), ("Al-Alam", "sourcing")],
        priority=Claim.Priority.URGENT, due_in_days=-1, tags=["iran", "syria"],
        evidence=[("link", "supports", "https://www.iranintl.com/en/ghaffari-damascus")],
    ),
    Plan(
        "Hayat Tahrir al-Sham captured Aleppo in late November 2024.",
        "Jerusalem Post analysis", Claimant.Kind.MEDIA, Claim.Status.PUBLISHED,
        tags=["syria", "hts"], verdict="true",
        explanation="Multiple independent reports and the Syrian army's own statements confirm "
        "rebel control of most of Aleppo by the end of November 2024.",
        evidence=[("note", "supports", ("Syrian army statement acknowledged a withdrawal from "
                   "Aleppo; wire services reported rebels in the city centre."))],
    ),
    Plan(
        "The rebel offensive in Syria is part of an American-Israeli scheme to weaken the Syrian "
        "government and its allies.",
        "Mohammad Bagheri", Claimant.Kind.PERSON, Claim.Status.PUBLISHED,
        attribution=[("IRNA", "reported")], tags=["iran", "syria"], verdict="unproven",
        explanation="The statement offers no evidence of coordination, and none has been "
        "published; the claim cannot be verified.",
        evidence=[("note", "context", ("IRNA readout of the chief of staff's phone calls "
                   "repeats the accusation without supporting detail."))],
    ),
    Plan(
        "Iranian forces could be deployed to Syria if President Assad requests it.",
        "Iran's foreign minister", Claimant.Kind.PERSON, Claim.Status.DRAFT,
        attribution=[("Iran International", "reported"), ("Al-Alam", "sourcing")],
        tags=["iran"],
    ),
    Plan(
        "An American A-10 warplane was seen over the Euphrates River Valley during clashes "
        "between the SDF and Syrian government forces.",
        "Jerusalem Post analysis", Claimant.Kind.MEDIA, Claim.Status.DRAFT,
        priority=Claim.Priority.LOW, due_in_days=None, tags=["syria", "sdf"],
    ),
    Plan(
        "Government reinforcements pushed the rebels back from the edge of Hama overnight.",
        "Jerusalem Post analysis", Claimant.Kind.MEDIA, Claim.Status.WITHDRAWN,
        tags=["syria"], reason="Superseded: the front line moved again the next day, and the "
        "desk is checking the later claim instead.",
    ),
    Plan(
        "Javad Ghaffari is under United States sanctions.",
        "Iran International", Claimant.Kind.MEDIA, "reopened",
        tags=["iran", "sanctions"], verdict="true",
        explanation="The US Treasury designated Ghaffari; the designation is on the public "
        "sanctions list.",
        evidence=[("note", "supports", "US Treasury sanctions list entry for Javad Ghaffari.")],
        reason="A reader notes the designation date in our explanation is wrong.",
    ),
    Plan(
        "Hezbollah began attacking Israel on October 8, 2023, the day after the Hamas attack.",
        "Jerusalem Post analysis", Claimant.Kind.MEDIA, Claim.Status.PUBLISHED,
        tags=["hezbollah"], verdict="true",
        explanation="Hezbollah claimed rocket and artillery fire on Israeli positions on "
        "October 8, 2023.",
        evidence=[("note", "supports", ("Hezbollah statement of October 8, 2023 claiming the "
                   "strikes on the Shebaa Farms area."))],
    ),
    Plan(
        "Maj.-Gen. Mohammad Bagheri spoke by phone with Russian Defence Minister Andrei Belousov "
        "this week.",
        "IRNA", Claimant.Kind.MEDIA, Claim.Status.IN_VERIFICATION,
        attribution=[("IRNA", "reported")], tags=["iran", "russia"],
        evidence=[("link", "supports", "https://en.irna.ir/news/bagheri-belousov-call")],
    ),
)  # fmt: skip


@dataclass
class SeedReport:
    created_users: dict[str, str] = field(default_factory=dict)  # username -> password
    updated_passwords: list[str] = field(default_factory=list)
    created_claims: int = 0
    existing_claims: int = 0


def _ensure_users(report: SeedReport, password: str | None) -> dict[str, User]:
    users = {}
    for username, role, full_name in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user = User.objects.filter(username=username).first()
        if user is None:
            pw = password or secrets.token_urlsafe(12)
            user = User.objects.create_user(
                username=username,
                password=pw,
                first_name=first,
                last_name=last,
                email=f"{username}@newsroom.example",
                is_staff=True,
                is_superuser=role == ADMIN,
            )
            report.created_users[username] = pw
        elif password and not user.check_password(password):
            user.set_password(password)
            user.save(update_fields=["password"])
            report.updated_passwords.append(username)
        group = Group.objects.get(name=role)
        if not user.groups.filter(pk=group.pk).exists():
            user.groups.add(group)
        users[username] = user
    return users


def seed_demo(*, password: str | None = None) -> SeedReport:
    """Create the demo users, source and claims. Running it again changes nothing."""
    report = SeedReport()
    roles_setup()
    users = _ensure_users(report, password)
    editor, reviewer, approver = users["editor"], users["reviewer"], users["approver"]
    source = services.source_get_or_create(
        by=editor,
        url=SOURCE_URL,
        outlet="News Example",
        title=SOURCE_TITLE,
        text=SOURCE_TEXT,
        language="en",
        published_at=datetime(2024, 12, 4, 9, 0, tzinfo=UTC),
    )
    for plan in PLANS:
        if Claim.objects.filter(statement=plan.statement).exists():
            report.existing_claims += 1
            continue
        with transaction.atomic():
            _seed_claim(plan, source=source, editor=editor, reviewer=reviewer, approver=approver)
        report.created_claims += 1
    return report


def _seed_claim(
    plan: Plan, *, source: Source, editor: User, reviewer: User, approver: User
) -> None:
    today = timezone.localdate()
    claim = services.claim_create(
        by=editor,
        statement=plan.statement,
        claimant_name=plan.claimant,
        claimant_kind=plan.claimant_kind,
        source=source,
        excerpt=plan.statement,
        claim_date=CLAIM_DATE,
        tags=plan.tags,
        priority=plan.priority,
        due_date=today + timedelta(days=plan.due_in_days) if plan.due_in_days is not None else None,
        attribution=plan.attribution,
        internal_notes="Demo claim: the statement paraphrases the source.",
    )
    evidence = [
        services.evidence_add(
            claim=claim,
            by=editor,
            kind=kind,
            stance=stance,
            url=value if kind == Evidence.Kind.LINK else "",
            note=value if kind == Evidence.Kind.NOTE else "",
            is_public=True,
        )
        for kind, stance, value in plan.evidence
    ]
    if plan.status == Claim.Status.DRAFT:
        return
    if plan.status == Claim.Status.WITHDRAWN:
        transition_apply(
            claim=claim, action=Action.WITHDRAW, by=editor, data=TransitionInput(reason=plan.reason)
        )
        return
    claim = transition_apply(claim=claim, action=Action.SUBMIT, by=editor)
    services.assignment_create(
        claim=claim,
        user=reviewer,
        role=Assignment.Role.REVIEWER,
        by=editor,
        due_date=claim.due_date,
    )
    if plan.status == Claim.Status.IN_VERIFICATION:
        return
    rating = RatingLabel.objects.get(slug=plan.verdict)
    claim = transition_apply(
        claim=claim,
        action=Action.PROPOSE,
        by=reviewer,
        data=TransitionInput(rating=rating, reasoning=plan.explanation, evidence=evidence),
    )
    if plan.status == Claim.Status.AWAITING_APPROVAL:
        services.assignment_create(
            claim=claim, user=approver, role=Assignment.Role.APPROVER, by=editor
        )
        return
    claim = transition_apply(claim=claim, action=Action.APPROVE, by=approver)
    if plan.status == "reopened":
        transition_apply(
            claim=claim, action=Action.REOPEN, by=editor, data=TransitionInput(reason=plan.reason)
        )
