"""The newsroom API: everything the web interface does, for other tools (a CMS, a browser
extension, scripts). Session (with CSRF) or token authentication.

Views check the same Django permissions as the services, then call a service or
``transition_apply``, which check them again. Status only changes through POST actions
(``/claims/{code}/submit/``), never through a PATCH.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError
from rest_framework.generics import get_object_or_404
from rest_framework.pagination import CursorPagination
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer, ValidationError

from claims import services
from claims.api.errors import RequestTooLarge
from claims.api.serializers import (
    ApproveIn,
    AssignmentCreateIn,
    AssignmentSerializer,
    ClaimCreateIn,
    ClaimFilters,
    ClaimSerializer,
    ClaimUpdateIn,
    CommentIn,
    CommentSerializer,
    EmptyIn,
    EventSerializer,
    EvidenceAddIn,
    EvidenceSerializer,
    EvidenceUpdateIn,
    ProposalSerializer,
    ProposeIn,
    RatingSerializer,
    ReasonIn,
    SendBackIn,
    TagsIn,
)
from claims.models import (
    Assignment,
    Claim,
    Claimant,
    ClaimQuerySet,
    Comment,
    Event,
    Evidence,
    RatingLabel,
    User,
    VerdictProposal,
)
from claims.workflow import TRANSITIONS, Action, TransitionInput, transition_apply

# --------------------------------------------------------------------------------------------
# Shared plumbing


class NewsroomPermission(BasePermission):
    """A signed-in newsroom member (``claims.view_claim``), plus the permission the view
    names for the action in ``required_permissions``."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated and user.has_perm("claims.view_claim")):
            return False
        needed = getattr(view, "required_permissions", {}).get(getattr(view, "action", None))
        return needed is None or bool(user.has_perm(needed))


def _body_limit(request: Request) -> int:
    if request.content_type.startswith("multipart/"):
        return int(settings.EVIDENCE_MAX_FILE_BYTES) + int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


class SafeJSONParser(JSONParser):
    """DRF's JSON parser, plus: absurdly deep nesting is a malformed body (400), not a
    RecursionError (500)."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - the body is nested too deeply.") from None


class NewsroomViewSet(viewsets.GenericViewSet):
    permission_classes = (NewsroomPermission,)
    parser_classes = (SafeJSONParser, MultiPartParser)
    required_permissions: dict[str, str] = {}

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # DRF's JSON parser reads the stream itself, past Django's DATA_UPLOAD_MAX_MEMORY_SIZE
        # check: refuse an oversized body before anything reads it.
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > _body_limit(request):
            raise RequestTooLarge()

    @property
    def user(self) -> User:
        return self.request.user  # type: ignore[return-value]

    def valid(self, serializer_class: type[Serializer], **kwargs: Any) -> dict[str, Any]:
        serializer = serializer_class(data=self.request.data, **kwargs)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def claim(self) -> Claim:
        return get_object_or_404(Claim.objects.all(), code=self.kwargs["code"])


class NewestFirst(CursorPagination):
    ordering = ("-created_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class OldestFirst(CursorPagination):
    ordering = ("created_at", "id")
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


def _perm(action_: Action) -> str:
    return TRANSITIONS[action_].permission


def _claims() -> ClaimQuerySet:
    return (
        Claim.objects.with_list_relations()
        .select_related("current_publication")
        .prefetch_related("attribution")
    )


# --------------------------------------------------------------------------------------------
# Claims and their transitions


@extend_schema_view(
    list=extend_schema(parameters=[ClaimFilters], responses=ClaimSerializer(many=True)),
    retrieve=extend_schema(responses=ClaimSerializer),
    create=extend_schema(request=ClaimCreateIn, responses={201: ClaimSerializer}),
    partial_update=extend_schema(request=ClaimUpdateIn, responses=ClaimSerializer),
)
class ClaimViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, NewsroomViewSet
):  # create and update are written out below: they call services
    serializer_class = ClaimSerializer
    lookup_field = "code"
    pagination_class = NewestFirst
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_permissions = {
        "create": "claims.add_claim",
        "partial_update": "claims.change_claim",
        "tags": "claims.change_claim",
        "submit": _perm(Action.SUBMIT),
        "propose": _perm(Action.PROPOSE),
        "send_back": _perm(Action.SEND_BACK),
        "approve": _perm(Action.APPROVE),
        "reopen": _perm(Action.REOPEN),
        "withdraw": _perm(Action.WITHDRAW),
        "restore": _perm(Action.RESTORE),
    }

    def get_queryset(self) -> QuerySet[Claim]:
        queryset = _claims()
        if self.action != "list":
            return queryset
        filters = ClaimFilters(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        return _filter_claims(queryset, filters.validated_data)

    def _out(self, claim: Claim, status_code: int = status.HTTP_200_OK) -> Response:
        fresh = _claims().get(pk=claim.pk)
        return Response(self.get_serializer(fresh).data, status=status_code)

    def create(self, request: Request) -> Response:
        data = self.valid(ClaimCreateIn)
        with transaction.atomic():
            source = _source_from(data, by=self.user)
            claim = services.claim_create(
                by=self.user,
                statement=data["statement"],
                claimant_name=data.get("claimant_name", ""),
                claimant_kind=data.get("claimant_kind", Claimant.Kind.PERSON),
                source=source,
                excerpt=data.get("excerpt", ""),
                excerpt_start=data.get("excerpt_start"),
                excerpt_end=data.get("excerpt_end"),
                claim_date=data.get("claim_date"),
                language=data.get("language", "en"),
                tags=data.get("tags", ()),
                priority=data.get("priority", Claim.Priority.NORMAL),
                due_date=data.get("due_date"),
                internal_notes=data.get("internal_notes", ""),
                attribution=[
                    (a["name"], a.get("relation", "")) for a in data.get("attribution", ())
                ],
            )
        return self._out(claim, status.HTTP_201_CREATED)

    def partial_update(self, request: Request, code: str) -> Response:
        claim = self.get_object()
        data = self.valid(ClaimUpdateIn, partial=True)
        fields = {name: data[name] for name in services.CLAIM_EDITABLE_FIELDS if name in data}
        claimant = None
        if "claimant_name" in data or "claimant_kind" in data:
            current = claim.claimant
            claimant = (
                data.get("claimant_name", current.name if current else ""),
                data.get("claimant_kind", current.kind if current else Claimant.Kind.PERSON),
            )
        attribution = None
        if "attribution" in data:
            attribution = [(a["name"], a.get("relation", "")) for a in data["attribution"]]
        with transaction.atomic():
            if {"source_url", "source_title", "source_outlet"} & set(data):
                fields["source"] = _source_from(data, by=self.user)
            services.claim_update(
                claim=claim,
                by=self.user,
                fields=fields,
                tags=data.get("tags"),
                attribution=attribution,
                claimant=claimant,
            )
        return self._out(claim)

    @extend_schema(request=TagsIn, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def tags(self, request: Request, code: str) -> Response:
        data = self.valid(TagsIn)
        claim = services.claim_tags_add(claim=self.get_object(), by=self.user, names=data["names"])
        return self._out(claim)

    # Transitions: one POST action each --------------------------------------------------

    def _transition(self, action_: Action, make: Callable[[Claim], TransitionInput]) -> Response:
        claim = self.get_object()
        transition_apply(claim=claim, action=action_, by=self.user, data=make(claim))
        return self._out(claim)

    @extend_schema(request=EmptyIn, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request: Request, code: str) -> Response:
        self.valid(EmptyIn)
        return self._transition(Action.SUBMIT, lambda claim: TransitionInput())

    @extend_schema(request=ProposeIn, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def propose(self, request: Request, code: str) -> Response:
        data = self.valid(ProposeIn)

        def make(claim: Claim) -> TransitionInput:
            codes = set(data["evidence"])
            items = list(claim.evidence.filter(code__in=codes).order_by("created_at", "id"))
            if len(items) != len(codes):
                raise ValidationError({"evidence": ["Cite evidence items of this claim."]})
            return TransitionInput(
                rating=data["rating"], reasoning=data["reasoning"], evidence=items
            )

        return self._transition(Action.PROPOSE, make)

    @extend_schema(request=SendBackIn, responses=ClaimSerializer)
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request: Request, code: str) -> Response:
        data = self.valid(SendBackIn)
        return self._transition(
            Action.SEND_BACK, lambda claim: TransitionInput(comment=data["comment"])
        )

    @extend_schema(request=ApproveIn, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, code: str) -> Response:
        data = self.valid(ApproveIn)
        return self._transition(
            Action.APPROVE, lambda claim: TransitionInput(explanation=data["explanation"])
        )

    @extend_schema(request=ReasonIn, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, code: str) -> Response:
        data = self.valid(ReasonIn)
        return self._transition(Action.REOPEN, lambda claim: TransitionInput(reason=data["reason"]))

    @extend_schema(request=ReasonIn, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def withdraw(self, request: Request, code: str) -> Response:
        data = self.valid(ReasonIn)
        return self._transition(
            Action.WITHDRAW, lambda claim: TransitionInput(reason=data["reason"])
        )

    @extend_schema(request=EmptyIn, responses=ClaimSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request: Request, code: str) -> Response:
        self.valid(EmptyIn)
        return self._transition(Action.RESTORE, lambda claim: TransitionInput())


def _source_from(data: dict[str, Any], *, by: User) -> Any:
    url = data.get("source_url", "")
    title = data.get("source_title", "")
    outlet = data.get("source_outlet", "")
    if not (url or title or outlet):
        return None
    return services.source_get_or_create(by=by, url=url, title=title, outlet=outlet)


def _filter_claims(queryset: ClaimQuerySet, wanted: dict[str, Any]) -> ClaimQuerySet:
    if "status" in wanted:
        queryset = queryset.filter(status=wanted["status"])
    if "verdict" in wanted:
        queryset = queryset.filter(verdict__slug=wanted["verdict"])
    if "normalized" in wanted:
        queryset = queryset.filter(verdict__normalized=wanted["normalized"])
    if "language" in wanted:
        primary = wanted["language"].split("-")[0].lower()
        queryset = queryset.filter(
            Q(language__iexact=primary) | Q(language__istartswith=primary + "-")
        )
    if "claimant" in wanted:
        queryset = queryset.filter(claimant__name__iexact=wanted["claimant"].strip())
    if "tag" in wanted:
        queryset = queryset.filter(tags__slug=wanted["tag"])
    if "updated_since" in wanted:
        queryset = queryset.filter(updated_at__gte=wanted["updated_since"])
    if "assignee" in wanted:
        queryset = queryset.filter(
            pk__in=Assignment.objects.filter(
                user__username=wanted["assignee"], state=Assignment.State.OPEN
            ).values("claim_id")
        )
    if wanted.get("overdue") is True:
        queryset = queryset.overdue()
    if "q" in wanted:
        queryset = queryset.filter(statement__icontains=wanted["q"])
    return queryset


# --------------------------------------------------------------------------------------------
# Evidence


@extend_schema_view(
    list=extend_schema(responses=EvidenceSerializer(many=True)),
    retrieve=extend_schema(responses=EvidenceSerializer),
    create=extend_schema(
        request={"application/json": EvidenceAddIn, "multipart/form-data": EvidenceAddIn},
        responses={201: EvidenceSerializer},
    ),
    partial_update=extend_schema(request=EvidenceUpdateIn, responses=EvidenceSerializer),
)
class EvidenceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, NewsroomViewSet):
    serializer_class = EvidenceSerializer
    lookup_field = "code"
    lookup_url_kwarg = "evidence_code"
    http_method_names = ["get", "post", "patch", "head", "options"]
    required_permissions = {
        "list": "claims.view_evidence",
        "retrieve": "claims.view_evidence",
        "create": "claims.add_evidence",
        "partial_update": "claims.change_evidence",
        "refetch": "claims.change_evidence",
    }

    def get_queryset(self) -> QuerySet[Evidence]:
        return (
            Evidence.objects.filter(claim__code=self.kwargs["code"])
            .select_related("added_by")
            .order_by("created_at", "id")
        )

    def list(self, request: Request, code: str) -> Response:
        self.claim()  # 404 for an unknown claim, not an empty list
        return super().list(request)

    def create(self, request: Request, code: str) -> Response:
        data = self.valid(EvidenceAddIn)
        evidence = services.evidence_add(
            claim=self.claim(),
            by=self.user,
            kind=data["kind"],
            stance=data.get("stance", Evidence.Stance.CONTEXT),
            url=data["url"],
            file=data.get("file"),
            note=data["note"],
            title=data["title"],
            is_public=data["is_public"],
        )
        fresh = self.get_queryset().get(pk=evidence.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, code: str, evidence_code: str) -> Response:
        evidence = self.get_object()
        data = self.valid(EvidenceUpdateIn)
        services.evidence_update(evidence=evidence, by=self.user, **data)
        fresh = self.get_queryset().get(pk=evidence.pk)
        return Response(self.get_serializer(fresh).data)

    @extend_schema(
        request=EmptyIn,
        responses={202: EvidenceSerializer},
        description="Fetch a link again (a new snapshot; the old ones stay). The fetch runs "
        "in the background: poll the evidence for its fetch state.",
    )
    @action(detail=True, methods=["post"])
    def refetch(self, request: Request, code: str, evidence_code: str) -> Response:
        self.valid(EmptyIn)
        evidence = services.evidence_refetch(evidence=self.get_object(), by=self.user)
        fresh = self.get_queryset().get(pk=evidence.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_202_ACCEPTED)


# --------------------------------------------------------------------------------------------
# Assignments and the reviewer queue


@extend_schema_view(
    list=extend_schema(responses=AssignmentSerializer(many=True)),
    create=extend_schema(request=AssignmentCreateIn, responses={201: AssignmentSerializer}),
)
class AssignmentViewSet(mixins.ListModelMixin, NewsroomViewSet):
    serializer_class = AssignmentSerializer
    lookup_url_kwarg = "assignment_id"
    required_permissions = {
        "list": "claims.view_assignment",
        "create": "claims.assign_claim",
    }

    def get_queryset(self) -> QuerySet[Assignment]:
        return (
            Assignment.objects.filter(claim__code=self.kwargs["code"])
            .select_related("user", "assigned_by")
            .order_by("created_at", "id")
        )

    def list(self, request: Request, code: str) -> Response:
        self.claim()
        return super().list(request)

    def create(self, request: Request, code: str) -> Response:
        data = self.valid(AssignmentCreateIn)
        assignment = services.assignment_create(
            claim=self.claim(),
            user=data["user"],
            role=data["role"],
            by=self.user,
            due_date=data.get("due_date"),
        )
        fresh = self.get_queryset().get(pk=assignment.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=ReasonIn, responses=AssignmentSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request: Request, code: str, assignment_id: str) -> Response:
        data = self.valid(ReasonIn)
        assignment = services.assignment_decline(
            assignment=self.get_object(), by=self.user, reason=data["reason"]
        )
        fresh = self.get_queryset().get(pk=assignment.pk)
        return Response(self.get_serializer(fresh).data)


class QueueViewSet(NewsroomViewSet):
    serializer_class = ClaimSerializer
    required_permissions = {"take_next": "claims.take_claim"}

    @extend_schema(
        responses=ClaimSerializer(many=True),
        description="Claims with an open reviewer assignment for you, most urgent first.",
    )
    def list(self, request: Request) -> Response:
        claims = (
            _claims()
            .filter(
                pk__in=Assignment.objects.filter(
                    user=self.user,
                    role=Assignment.Role.REVIEWER,
                    state=Assignment.State.OPEN,
                ).values("claim_id")
            )
            .order_by("-priority", F("due_date").asc(nulls_last=True), "created_at", "id")
        )
        return Response(self.get_serializer(claims, many=True).data)

    @extend_schema(
        request=EmptyIn,
        responses={
            201: ClaimSerializer,
            204: OpenApiResponse(description="Nothing in the queue."),
        },
        description="Take the most urgent unassigned claim in verification.",
    )
    @action(detail=False, methods=["post"], url_path="take-next")
    def take_next(self, request: Request) -> Response:
        self.valid(EmptyIn)
        claim = services.claim_take_next(by=self.user)
        if claim is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        fresh = _claims().get(pk=claim.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------------------------------------
# Proposals, events, comments, the rating scale


class ProposalViewSet(mixins.ListModelMixin, NewsroomViewSet):
    serializer_class = ProposalSerializer
    required_permissions = {"list": "claims.view_verdictproposal"}

    def get_queryset(self) -> QuerySet[VerdictProposal]:
        return (
            VerdictProposal.objects.filter(claim__code=self.kwargs["code"])
            .select_related("reviewer", "rating")
            .prefetch_related("evidence")
            .order_by("-created_at", "-id")
        )

    def list(self, request: Request, code: str) -> Response:
        self.claim()
        return super().list(request)


class EventViewSet(mixins.ListModelMixin, NewsroomViewSet):
    serializer_class = EventSerializer
    pagination_class = OldestFirst
    required_permissions = {"list": "claims.view_event"}

    def get_queryset(self) -> QuerySet[Event]:
        return (
            Event.objects.filter(claim__code=self.kwargs["code"])
            .select_related("actor")
            .order_by("created_at", "id")
        )

    def list(self, request: Request, code: str) -> Response:
        self.claim()
        return super().list(request)


@extend_schema_view(
    list=extend_schema(responses=CommentSerializer(many=True)),
    create=extend_schema(request=CommentIn, responses={201: CommentSerializer}),
)
class CommentViewSet(mixins.ListModelMixin, NewsroomViewSet):
    serializer_class = CommentSerializer
    pagination_class = OldestFirst
    required_permissions = {"list": "claims.view_comment", "create": "claims.add_comment"}

    def get_queryset(self) -> QuerySet[Comment]:
        return (
            Comment.objects.filter(claim__code=self.kwargs["code"])
            .select_related("author")
            .prefetch_related("mentions")
            .order_by("created_at", "id")
        )

    def list(self, request: Request, code: str) -> Response:
        self.claim()
        return super().list(request)

    def create(self, request: Request, code: str) -> Response:
        data = self.valid(CommentIn)
        comment = services.comment_add(claim=self.claim(), by=self.user, body=data["body"])
        fresh = self.get_queryset().get(pk=comment.pk)
        return Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)


class RatingViewSet(mixins.ListModelMixin, NewsroomViewSet):
    """The active rating scale, in order: what a verdict proposal may choose from."""

    serializer_class = RatingSerializer
    required_permissions = {"list": "claims.view_ratinglabel"}

    def get_queryset(self) -> QuerySet[RatingLabel]:
        return RatingLabel.objects.filter(is_active=True).order_by("position", "id")
