"""schemathesis over /openapi.json: generated requests never get a 5xx and responses match the schema.

Driven through Hypothesis directly (schemathesis's pytest plugin does not yet run on pytest 9).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

from tests.e2e.conftest import Api
from tests.e2e.test_api import stock_shop

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
]
EXAMPLES = 12


def operations() -> list[str]:
    from midnight.api import create_app

    spec = create_app().openapi()
    return [f"{method.upper()} {path}" for path, item in spec["paths"].items() for method in item]


@pytest.mark.parametrize("operation", operations())
def test_generated_requests_never_break_the_api(api: Api, operation: str) -> None:
    stock_shop(api)  # something to find, so not every request ends in 404
    schema = schemathesis.openapi.from_asgi("/openapi.json", api.client.app)
    method, path = operation.split(" ", 1)
    op = schema[path][method]

    @given(case=op.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def check(case) -> None:  # type: ignore[no-untyped-def]
        case.call_and_validate(headers=api.owner, checks=CHECKS)

    check()
