"""schemathesis over the whole API, as the bureau and as an enterprise.

Every operation in the OpenAPI document gets generated requests (valid and invalid)
with a fixed budget and a fixed seed, so CI is stable and bounded. No answer may be a
server error, and every error answers the API's JSON error shape. Failures are
collected rather than stopping at the first, so one run reports them all.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error

# Real transactions: on PostgreSQL one refused statement would otherwise abort the
# test-wide transaction and turn every later request into an error of the test itself.
pytestmark = pytest.mark.django_db(transaction=True)

#: Examples per operation, per generation mode and role. The whole test (two roles)
#: stays within a few minutes on two cores; raise it locally for a deeper search.
EXAMPLES = int(os.environ.get("ANJIAN_FUZZ_EXAMPLES", "6"))
MODES = (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE)
#: Run last: they end the session the fuzzer authenticates with.
SESSION_ENDING = ("/auth/tokens/", "/auth/logout", "/auth/password")


def error_shape_problem(response) -> str | None:
    if response.status_code < 400:
        return None
    content_type = (response.headers.get("content-type") or [""])[0]
    if not content_type.startswith("application/json"):
        return f"not JSON: {content_type}"
    try:
        body = response.json()
    except ValueError:
        return "invalid JSON"
    if not (
        isinstance(body, dict)
        and isinstance(body.get("detail"), str)
        and isinstance(body.get("code"), str)
        and isinstance(body.get("errors"), list)
        and all(isinstance(e, dict) and set(e) == {"field", "message"} for e in body["errors"])
    ):
        return f"not the error shape: {str(body)[:200]}"
    return None


def _bound(check, operation):
    def run(case):
        check(operation, case)

    return run


def fuzz(user) -> tuple[Counter, list[str]]:
    from anjian.orgs.services import api_token_create

    _, key = api_token_create(user=user, name="fuzz")
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    operations = [result.ok() for result in schema.get_all_operations()]
    operations.sort(key=lambda op: any(part in op.path for part in SESSION_ENDING))
    counts: Counter = Counter()
    failures: list[str] = []

    def check(operation, case):
        response = case.call(headers=headers)
        counts["requests"] += 1
        counts[f"{response.status_code // 100}xx"] += 1
        counts[response.status_code] += 1
        problem = None
        try:
            case.validate_response(response, checks=[not_a_server_error])
        except (AssertionError, BaseExceptionGroup) as exc:  # how schemathesis reports
            problem = f"server error {response.status_code}: {str(exc)[:300]}"
        if problem is None and response.status_code >= 500:
            problem = f"server error {response.status_code}"
        problem = problem or error_shape_problem(response)
        if problem:
            counts["failures"] += 1
            failures.append(
                f"{operation.method.upper()} {operation.path}: {problem}\n"
                f"    {case.as_curl_command(headers=headers)[:400]}"
            )

    for operation in operations:
        for mode in MODES:
            runner = given(case=operation.as_strategy(generation_mode=mode))(
                _bound(check, operation)
            )
            settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )(runner)()
    counts["operations"] = len(operations)
    return counts, failures


@pytest.mark.parametrize("role", ["bureau", "enterprise_user"])
def test_the_whole_api_answers_without_server_errors(world, role, capsys):
    counts, failures = fuzz(getattr(world, role))
    with capsys.disabled():
        print(f"\nfuzz as {role}: {dict(counts)}")
    unique = sorted(set(failures))
    assert not unique, f"{len(failures)} failures:\n" + "\n".join(unique[:40])
