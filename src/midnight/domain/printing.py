"""Printing receipts and kitchen tickets, and opening the cash drawer (ESC/POS printers)."""

from __future__ import annotations

import enum


class JobKind(enum.StrEnum):
    RECEIPT = "receipt"
    KITCHEN = "kitchen"
    DRAWER = "drawer"  # open the drawer only (no sale: change for the float)
    TEST = "test"


class JobState(enum.StrEnum):
    PENDING = "pending"
    PRINTING = "printing"
    DONE = "done"
    FAILED = "failed"
