"""List filters are query parameters: a GET has no body to read them from.

django-ninja reads a list or schema parameter without `Query[...]` from the request
body; on a GET endpoint the filter is then silently ignored (`?flag=…` did nothing).
"""

from anjian.api import api


def test_no_get_operation_reads_a_request_body():
    schema = api.get_openapi_schema()
    reading_a_body = [
        path
        for path, operations in schema["paths"].items()
        for method in ("get", "head", "delete")
        if "requestBody" in operations.get(method, {})
    ]
    assert reading_a_body == []


def test_list_filters_are_documented_as_query_parameters():
    operation = api.get_openapi_schema()["paths"]["/api/v1/enterprises"]["get"]
    where = {p["name"]: p["in"] for p in operation["parameters"]}
    assert where["flag"] == "query"
