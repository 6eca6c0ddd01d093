"""Business days: what a sale, a refund, a void or a write-off counts on."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from midnight.db import orders as orders_db


def current_business_date(conn: Connection, store_id: int, today: dt.date) -> dt.date:
    """Today, unless today is already closed: then the next day that is not."""
    closed = orders_db.closed_days_from(conn, store_id, today)
    day = today
    while day in closed:
        day += dt.timedelta(days=1)
    return day
