"""Named domain errors. Each maps once to an HTTP status and a CLI exit code."""

from __future__ import annotations


class MidnightError(Exception):
    """Base of every error a person can cause and be told about."""

    code = "error"
    http_status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(MidnightError):
    """The input itself is wrong: malformed, out of range, impossible."""

    code = "invalid_input"
    http_status = 422


class NotFound(MidnightError):
    """The thing named does not exist."""

    code = "not_found"
    http_status = 404


class Conflict(MidnightError):
    """The input is well formed but the current state refuses it."""

    code = "conflict"
    http_status = 409


class InsufficientStock(Conflict):
    """Not enough sellable stock; nothing was written."""

    code = "insufficient_stock"

    def __init__(self, sku: str, wanted: str, available: str) -> None:
        super().__init__(
            f"not enough sellable stock of {sku}: wanted {wanted}, available {available}",
            field="quantity",
        )
        self.sku = sku
        self.wanted = wanted
        self.available = available


class Forbidden(MidnightError):
    """The person may not do this."""

    code = "forbidden"
    http_status = 403
