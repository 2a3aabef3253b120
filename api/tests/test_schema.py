"""The OpenAPI schema: it validates, real responses match it, and a bounded fuzz run of every
endpoint from the schema (schemathesis) finds no 500 and no response outside the schema."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from openapi_spec_validator import validate
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.models import Color
from api import services
from triage.tests.factories import CtaFactory, TriageRecordFactory

APP = get_wsgi_application()
SCHEMA = schemathesis.openapi.from_wsgi("/api/schema/?format=json", APP)


def test_the_schema_is_valid_openapi():
    spec = SchemaGenerator().get_schema(request=None, public=True)
    validate(spec)
    assert set(spec["paths"]) == {
        "/api/v1/accounts/",
        "/api/v1/accounts/{external_id}/",
        "/api/v1/accounts/{external_id}/scorecard/",
        "/api/v1/accounts/{external_id}/history/",
        "/api/v1/accounts/{external_id}/triage/",
        "/api/v1/accounts/{external_id}/ctas/",
        "/api/v1/accounts/{external_id}/sentiment/",
        "/api/v1/accounts/{external_id}/renewal-outcomes/",
        "/api/v1/dashboard/",
        "/api/v1/bulk/",
    }
    assert not any("note" in path for path in spec["paths"])


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Schemathesis calls the WSGI app directly; like Django's test client, keep the request
    signals from closing the connection that holds the test's transaction (PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def data(account_in, admin_user):
    account = account_in(Color.YELLOW, external_id="ACC-1", tam=admin_user)
    account_in(Color.RED, external_id="ACC-2")
    TriageRecordFactory(account=account)
    CtaFactory(account=account)
    return {"Authorization": f"Bearer {services.token_create(user=admin_user, name='schema')[1]}"}


READS = [
    "/api/v1/accounts/",
    "/api/v1/accounts/ACC-1/",
    "/api/v1/accounts/ACC-1/scorecard/",
    "/api/v1/accounts/ACC-1/history/",
    "/api/v1/accounts/ACC-1/triage/",
    "/api/v1/accounts/ACC-1/ctas/",
    "/api/v1/dashboard/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("path", READS)
def test_real_responses_match_the_schema(data, path):
    template = path.replace("ACC-1", "{external_id}")
    operation = SCHEMA[template]["GET"]
    params = {"external_id": "ACC-1"} if "{" in template else {}
    response = operation.Case(path_parameters=params).call(headers=data)
    assert response.status_code == 200
    operation.validate_response(response)  # raises when the body is not what the schema says


@pytest.mark.django_db
def test_written_responses_match_the_schema(data):
    sentiment = SCHEMA["/api/v1/accounts/{external_id}/sentiment/"]["POST"]
    case = sentiment.Case(path_parameters={"external_id": "ACC-1"}, body={"color": "red", "reason": "Churn risk"})
    response = case.call(headers=data)
    assert response.status_code == 201
    sentiment.validate_response(response)
    bulk = SCHEMA["/api/v1/bulk/"]["POST"]
    for body in (
        {"accounts": [{"id": "N-1", "name": "N", "segment": "enterprise", "arr": 1, "region": "EMEA"}]},
        {"accounts": [{"id": "N-2"}]},
    ):
        response = bulk.Case(body=body).call(headers=data)
        assert response.status_code in (200, 400)
        bulk.validate_response(response)


@pytest.mark.django_db
@SCHEMA.parametrize()
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    database=None,  # nothing written to .hypothesis/: the run is the same every time
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_fuzzing_every_endpoint_finds_no_error(case, data):
    # Writes have rules no schema can say (a reason when the color changes, rows that refer to
    # each other): a schema-valid write may be refused with a 400; it may never be a 500.
    excluded = [positive_data_acceptance] if case.method == "POST" else []
    case.call_and_validate(headers=data, excluded_checks=excluded)
