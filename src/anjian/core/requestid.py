"""The id of the request being served, for log records, the 500 page and the API's 500
body. Kept free of model imports: the logging configuration loads it before the apps."""

from __future__ import annotations

import logging
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("anjian_request_id", default="-")


def current_request_id() -> str:
    """The id the middleware gave the request being served ("-" outside a request)."""
    return _request_id.get()


def set_request_id(value: str):
    return _request_id.set(value)


def reset_request_id(token) -> None:
    _request_id.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts `request_id` on every record, so a report's id finds its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True
