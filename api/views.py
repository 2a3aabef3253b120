"""The REST API's endpoints (/api/v1/). Each applies the web app's rules from
healthscore/permissions.py: any Healthscore role reads accounts (the account team reads its
own), managers and admins read the dashboard, the account's TAM or an admin writes its
sentiment, admins import. Meeting notes are never served."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import history as account_history
from accounts import selectors as account_selectors
from accounts import services as account_services
from accounts.models import Account
from accounts.scoring import inputs, rules
from api import errors, selectors
from api import serializers as s
from dashboard import selectors as dashboard_selectors
from healthscore import clock, importing, permissions
from imports.document import ImportErrors, document_apply, document_parse
from quality import permissions as quality_permissions
from quality import selectors as quality_selectors
from quality import services as quality_services
from triage.models import Cta, TriageRecord


def _responses(ok, *codes: int) -> dict:
    """The documented responses: the success and the refusals this endpoint can give."""
    refusals = {
        400: OpenApiResponse(s.ErrorsSerializer, description="Bad input: every problem with its path."),
        401: OpenApiResponse(s.DetailSerializer, description="No valid token or session."),
        403: OpenApiResponse(s.DetailSerializer, description="Not allowed for this user."),
        404: OpenApiResponse(s.DetailSerializer, description="No such account (or page)."),
        429: OpenApiResponse(s.DetailSerializer, description="Too many requests for this token."),
    }
    return {**ok, **{code: refusals[code] for code in (401, 403, 429, *codes)}}


def _require(allowed: bool, message: str = permissions.NO_ROLE) -> None:
    if not allowed:
        raise PermissionDenied(message)


def _account(external_id: str) -> Account:
    """The account by CRM id: 404 for an unknown id or one no account can have."""
    if not importing.EXTERNAL_ID.fullmatch(external_id):
        raise NotFound("No account has this id.")
    return get_object_or_404(Account.objects.select_related("tam"), external_id=external_id)


def _account_for_read(request, external_id: str) -> Account:
    account = _account(external_id)
    _require(permissions.can_read_account(request.user, account))
    return account


@dataclass(frozen=True)
class Scorecard:
    """An account's scorecard as the API shows it: the pure rules' result and its reasons."""

    account_id: str
    result: rules.Result

    def __getattr__(self, name):
        return getattr(self.result, name)

    @property
    def missing(self) -> list[str]:
        return rules.explain_missing(self.result)


def _scorecard(account: Account) -> Scorecard:
    return Scorecard(account.external_id, inputs.account_scorecard(account, clock.today()))


class AccountCursor(CursorPagination):
    """Stable pages over a changing list: ordered by the CRM id, which is unique."""

    ordering = "external_id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # A crafted cursor must not carry a NUL into a query (PostgreSQL refuses it: a 500).
        if cursor and cursor.position and "\x00" in cursor.position:
            raise NotFound(self.invalid_cursor_message)
        return cursor


class AccountList(APIView):
    @extend_schema(
        summary="Accounts, filtered, in pages",
        parameters=[s.AccountFilterSerializer],
        responses=_responses({200: s.AccountPageSerializer}, 400, 404),
    )
    def get(self, request):
        _require(permissions.can_read_accounts(request.user))
        filters = s.AccountFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        today = clock.today()
        wanted = {k: v for k, v in filters.validated_data.items() if k not in ("cursor", "page_size")}
        accounts = selectors.accounts_filtered(today=today, **wanted)
        paginator = AccountCursor()
        page = paginator.paginate_queryset(accounts, request, view=self)
        return paginator.get_paginated_response(s.AccountSerializer(page, many=True, context={"today": today}).data)


class AccountDetail(APIView):
    @extend_schema(
        summary="One account", operation_id="v1_account_retrieve", responses=_responses({200: s.AccountSerializer}, 404)
    )
    def get(self, request, external_id: str):
        account = _account_for_read(request, external_id)
        return Response(s.AccountSerializer(account, context={"today": clock.today()}).data)


class AccountScorecard(APIView):
    @extend_schema(
        summary="The account's scorecard today: every measure's color, weight, effective weight and reason",
        responses=_responses({200: s.ScorecardSerializer}, 404),
    )
    def get(self, request, external_id: str):
        account = _account_for_read(request, external_id)
        return Response(s.ScorecardSerializer(_scorecard(account)).data)


class AccountHistory(APIView):
    @extend_schema(
        summary="Changes in the account's health: who, when, from -> to, why (newest first)",
        responses=_responses({200: s.HistoryItemSerializer(many=True)}, 404),
    )
    def get(self, request, external_id: str):
        account = _account_for_read(request, external_id)
        snapshots = account_selectors.account_snapshots(account=account, today=clock.today())
        items = account_history.account_history(account=account, snapshots=snapshots)
        return Response(s.HistoryItemSerializer(items, many=True).data)


class AccountTriage(APIView):
    @extend_schema(
        summary="The account's triage records, newest first",
        responses=_responses({200: s.TriageRecordSerializer(many=True)}, 404),
    )
    def get(self, request, external_id: str):
        account = _account_for_read(request, external_id)
        records = TriageRecord.objects.filter(account=account).select_related("owner")
        return Response(s.TriageRecordSerializer(records, many=True).data)


class AccountCtas(APIView):
    @extend_schema(
        summary="The account's calls to action, oldest first",
        responses=_responses({200: s.CtaSerializer(many=True)}, 404),
    )
    def get(self, request, external_id: str):
        account = _account_for_read(request, external_id)
        return Response(s.CtaSerializer(Cta.objects.filter(account=account), many=True).data)


class AccountSentiment(APIView):
    @extend_schema(
        summary="Set the TAM sentiment; the account is rescored in the same request",
        request=s.SentimentInSerializer,
        responses=_responses({201: s.SentimentOutSerializer}, 400, 404),
    )
    def post(self, request, external_id: str):
        _require(permissions.can_read_accounts(request.user))
        account = _account(external_id)
        _require(permissions.can_edit_account(request.user, account), permissions.EDIT_DENIED)
        data = s.SentimentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        account_services.sentiment_update(account=account, by=request.user, **data.validated_data)
        account.refresh_from_db()
        body = {"account": account, "scorecard": _scorecard(account)}
        return Response(s.SentimentOutSerializer(body, context={"today": clock.today()}).data, status.HTTP_201_CREATED)


class AccountRenewalOutcomes(APIView):
    @extend_schema(
        summary="An account's renewal outcomes, newest first",
        responses=_responses({200: s.RenewalOutcomeSerializer(many=True)}, 404),
    )
    def get(self, request, external_id: str):
        account = _account_for_read(request, external_id)
        return Response(s.RenewalOutcomeSerializer(quality_selectors.outcomes_of(account), many=True).data)

    @extend_schema(
        summary="Record (or correct) the outcome of a renewal: the account's TAM, managers and admins",
        description=(
            "One outcome per account and renewal date: posting the same date again corrects it (200); a new "
            "date is created (201). A churned account's ARR is 0; any other outcome keeps some ARR. The Scorecard "
            "quality page tests the scorecard against these outcomes."
        ),
        request=s.RenewalOutcomeSerializer,
        examples=[
            OpenApiExample(
                "A downsell", value={"date": "2026-10-31", "outcome": "downsell", "arr": 80000}, request_only=True
            )
        ],
        responses=_responses({201: s.RenewalOutcomeSerializer, 200: s.RenewalOutcomeSerializer}, 400, 404),
    )
    def post(self, request, external_id: str):
        account = _account_for_read(request, external_id)
        _require(quality_permissions.can_record_outcome(request.user, account), quality_permissions.OUTCOME_DENIED)
        data = s.RenewalOutcomeSerializer(data=request.data, context={"today": clock.today()})
        data.is_valid(raise_exception=True)
        existed = quality_selectors.outcomes_of(account).filter(date=data.validated_data["date"]).exists()
        record = quality_services.outcome_record(account=account, by=request.user, **data.validated_data)
        code = status.HTTP_200_OK if existed else status.HTTP_201_CREATED
        return Response(s.RenewalOutcomeSerializer(record).data, code)


class Dashboard(APIView):
    @extend_schema(
        summary="The risk dashboard's totals and breakdowns (managers and admins)",
        responses=_responses({200: s.DashboardSerializer}),
    )
    def get(self, request):
        _require(permissions.is_manager(request.user), "The risk dashboard is for managers and admins.")
        today = clock.today()
        summary = dashboard_selectors.dashboard_summary(dashboard_selectors.DashboardFilters(), today)
        return Response(s.DashboardSerializer(summary).data)


_ROWS = {"type": "array", "items": {"type": "object", "additionalProperties": True}}
# The sections of import_data's document (their fields: README, Import format; cross-row rules
# such as "this account id is in the payload or in the database" are checked by the server).
BULK_REQUEST = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        name: {**_ROWS, "description": f"{name} rows (README, Import format)."}
        for name in (
            "accounts",
            "meetings",
            "tickets",
            "success_plans",
            "sentiments",
            "feature_requests",
            "champion_changes",
            "renewal_outcomes",
        )
    },
}

BULK_EXAMPLE = {
    "accounts": [
        {"id": "0015f00000ABC", "name": "Acme Corp", "segment": "enterprise", "arr": 120000, "region": "EMEA"}
    ],
    "meetings": [{"id": "M-1", "account": "0015f00000ABC", "date": "2026-11-02", "status": "held"}],
    "tickets": [{"id": "ZD-1001", "account": "0015f00000ABC", "opened": "2026-11-10"}],
    "success_plans": [{"account": "0015f00000ABC", "status": "active"}],
}


class BulkUpsert(APIView):
    @extend_schema(
        summary="Create or update accounts, meetings, tickets and success plans by external id (admins)",
        description=(
            "The document of `import_data` (README, Import format). Validated whole first: one bad row gives a "
            "400 listing every problem with its path and writes nothing. The same document twice changes "
            "nothing. The accounts whose score inputs changed are rescored before the answer."
        ),
        request={"application/json": BULK_REQUEST},
        examples=[OpenApiExample("Two accounts' data", value=BULK_EXAMPLE, request_only=True)],
        responses=_responses({200: s.BulkResultSerializer}, 400),
    )
    def post(self, request):
        _require(permissions.is_admin(request.user), "Bulk imports are for admins.")
        try:
            parsed = document_parse(request.data)
        except ImportErrors as exc:
            return errors.bad_request([_problem(p) for p in exc.problems])
        try:
            with transaction.atomic():
                created = document_apply(parsed)
        except IntegrityError as exc:
            # A rule only the database knows (a ValidationError from a model is a 400 already):
            # the whole payload is rolled back and refused in one line, as by import_data.
            return errors.bad_request([{"path": errors.TOP, "message": str(exc).splitlines()[0]}])
        return Response({"rows": parsed.total(), "created": created})


def _problem(line: str) -> dict:
    """'accounts[3].arr: must be a number >= 0' as a path and a message."""
    path, _, message = line.partition(": ")
    return {"path": path, "message": message} if message else {"path": errors.TOP, "message": line}
