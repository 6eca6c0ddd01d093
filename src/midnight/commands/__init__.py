"""One frozen input object per action a person takes, parsed and bounded once.

The CLI, the API and the web pages all build the same command (the API takes it straight from the
request body) and hand it to the same service, so a value is checked by one parser whoever sent it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from midnight.domain.errors import InvalidInput


class Command(BaseModel):
    """Frozen, and strict about unknown fields: a typo in a request is an error, not ignored."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_by_name=True, validate_by_alias=True)


C = TypeVar("C", bound=BaseModel)


class Refused(ValueError):
    """Raised by a command's own checks across fields: what is wrong, and which field to fix."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def build(model: type[C], data: Mapping[str, Any]) -> C:
    """The command from raw values (CLI options, form fields); the first problem as InvalidInput."""
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise invalid_input(exc.errors()) from None


_SOURCES = {"body", "query", "path", "header", "cookie"}


def _where(loc: Sequence[int | str]) -> tuple[str, str]:
    """(field path, a prefix a person can read): ("lines.2.quantity", "line 2: ")."""
    parts = [part for part in loc if part not in _SOURCES]
    path, prefix, previous = [], "", ""
    for part in parts:
        if isinstance(part, int):
            number = part + 1
            noun = previous[:-1] if previous.endswith("s") else previous or "item"
            prefix += f"{noun} {number}: "
            path.append(str(number))
        else:
            path.append(str(part))
            previous = str(part)
    return ".".join(path), prefix


def invalid_input(errors: Sequence[Mapping[str, Any]]) -> InvalidInput:
    """The first validation error, said the way every other error is said."""
    if not errors:
        return InvalidInput("the request is not understood")
    first = errors[0]
    field, prefix = _where(first.get("loc", ()))
    name = field.rsplit(".", 1)[-1] if field else "request"
    kind = first.get("type", "")
    context = first.get("ctx") or {}
    error = context.get("error")
    if kind == "value_error" and isinstance(error, Refused):
        field = ".".join(part for part in (field, error.field) if part)
        message = error.message
    elif kind == "invalid_input":
        message = str(context.get("message", first.get("msg", "")))
    elif kind == "json_invalid":
        field, prefix = "", ""
        message = "the request body is not valid JSON"
    elif kind == "missing":
        message = f"{name} is required"
    elif kind == "extra_forbidden":
        message = f"{name} is not something this request takes"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        message = (
            f"{name} must be an object with named fields" if field else "the request must be a JSON object"
        )
    elif kind == "list_type":
        message = f"{name} must be a list"
    elif kind == "too_short":
        message = f"{name} must have at least {context.get('min_length', 1)} item(s)"
    elif kind == "too_long":
        message = f"{name} may have at most {context.get('max_length')} items"
    else:
        message = f"{name}: {first.get('msg', 'not understood')}"
    return InvalidInput(prefix + message, field=field or None)
