"""Path parameters shared by the routers; request bodies are the commands themselves."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field

from midnight.commands.fields import Day
from midnight.domain.errors import MAX_ID

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="A positive id.")]
DayPath = Annotated[Day, Path(description="A date, YYYY-MM-DD.")]


class ErrorDetail(BaseModel):
    code: str = Field(examples=["insufficient_stock"])
    message: str = Field(examples=["not enough sellable stock of MILK-1L: wanted 3, available 2"])
    field: str | None = Field(default=None, examples=["quantity"])


class ErrorBody(BaseModel):
    error: ErrorDetail


__all__ = ["DayPath", "ErrorBody", "ErrorDetail", "Id"]
