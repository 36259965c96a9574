"""Builds claims in any workflow state the way the newsroom would: through the services and
the workflow, so every row and event is what production would have."""

from __future__ import annotations

from dataclasses import dataclass

from claims import services
from claims.models import Assignment, Claim, Evidence, RatingLabel, User
from claims.workflow import Action, TransitionInput, transition_apply

STATEMENT = "Senior IRGC commander Javad Ghaffari arrived in Damascus on Tuesday."


@dataclass
class ClaimBuilder:
    editor: User
    reviewer: User
    approver: User

    def draft(self, statement: str = STATEMENT, **kwargs: object) -> Claim:
        return services.claim_create(
            by=self.editor,
            statement=statement,
            claimant_name="Iran International",
            claimant_kind="media",
            attribution=[("Iran International", "reported"), ("Al-Alam", "sourcing")],
            **kwargs,  # type: ignore[arg-type]
        )

    def evidence(self, claim: Claim) -> Evidence:
        return services.evidence_add(
            claim=claim,
            by=self.editor,
            kind=Evidence.Kind.NOTE,
            stance=Evidence.Stance.SUPPORTS,
            note="State broadcaster footage shows him at Damascus airport.",
        )

    def submitted(self, **kwargs: object) -> Claim:
        claim = transition_apply(claim=self.draft(**kwargs), action=Action.SUBMIT, by=self.editor)
        services.assignment_create(
            claim=claim, user=self.reviewer, role=Assignment.Role.REVIEWER, by=self.editor
        )
        return claim

    def proposal_input(self, claim: Claim, rating: str = "true") -> TransitionInput:
        return TransitionInput(
            rating=RatingLabel.objects.get(slug=rating),
            reasoning="Two independent sources place him in Damascus that day.",
            evidence=[self.evidence(claim)],
        )

    def awaiting(self, **kwargs: object) -> Claim:
        claim = self.submitted(**kwargs)
        return transition_apply(
            claim=claim,
            action=Action.PROPOSE,
            by=self.reviewer,
            data=self.proposal_input(claim),
        )

    def published(self, **kwargs: object) -> Claim:
        return transition_apply(
            claim=self.awaiting(**kwargs), action=Action.APPROVE, by=self.approver
        )

    def withdrawn(self, **kwargs: object) -> Claim:
        return transition_apply(
            claim=self.draft(**kwargs),
            action=Action.WITHDRAW,
            by=self.editor,
            data=TransitionInput(reason="Duplicate of an earlier check."),
        )

    def in_state(self, status: str) -> Claim:
        return {
            Claim.Status.DRAFT: self.draft,
            Claim.Status.IN_VERIFICATION: self.submitted,
            Claim.Status.AWAITING_APPROVAL: self.awaiting,
            Claim.Status.PUBLISHED: self.published,
            Claim.Status.WITHDRAWN: self.withdrawn,
        }[Claim.Status(status)]()
