"""Message templates per event and language (Jinja2, sandboxed: the owner edits them)."""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment
from sqlalchemy import Connection, insert, select, update

from midnight.db import tables as t
from midnight.domain.errors import InvalidInput

EVENTS = ("item_waiting", "item_overdue", "expiry_digest", "low_stock", "birthday")
LANGUAGES = ("en", "zh-Hant")

DEFAULTS: dict[tuple[str, str], tuple[str, str]] = {
    ("item_waiting", "en"): (
        "{{ store }}: something is waiting for you",
        "Hello {{ customer }}, {{ description }} is waiting for you at {{ store }} (shelf {{ shelf_slot }}). "
        "Your pickup code is {{ code }}. We keep it until {{ hold_until }}.",
    ),
    ("item_waiting", "zh-Hant"): (
        "{{ store }}：有物品等你領取",
        "{{ customer }}你好，{{ description }}已放在{{ store }}（架位 {{ shelf_slot }}）等你領取。"
        "領取碼：{{ code }}。我們會保留至 {{ hold_until }}。",
    ),
    ("item_overdue", "en"): (
        "{{ store }}: please collect your item",
        "Hello {{ customer }}, {{ description }} has waited at {{ store }} since {{ since }}; we keep it until "
        "{{ hold_until }}, after which it goes back to the sender.",
    ),
    ("item_overdue", "zh-Hant"): (
        "{{ store }}：請盡快領取物品",
        "{{ customer }}你好，{{ description }}自 {{ since }} 起在{{ store }}等你領取，保留至 {{ hold_until }}，"
        "之後將退回寄件人。",
    ),
    ("expiry_digest", "en"): (
        "{{ store }}: expiry digest for {{ today }}",
        "Expiring today:\n{% for lot in today_lots %}- {{ lot.quantity }} {{ lot.unit }} {{ lot.product }} "
        "(lot {{ lot.id }}, {{ lot.location }})\n{% else %}- nothing\n{% endfor %}"
        "Within 3 days:\n{% for lot in soon_lots %}- {{ lot.quantity }} {{ lot.unit }} {{ lot.product }} "
        "by {{ lot.effective_expiry }}\n{% else %}- nothing\n{% endfor %}"
        "Written off yesterday: {{ wasted_count }} line(s), {{ wasted_cost }} at cost.",
    ),
    ("expiry_digest", "zh-Hant"): (
        "{{ store }}：{{ today }} 到期摘要",
        "今日到期：\n{% for lot in today_lots %}- {{ lot.quantity }} {{ lot.unit }} {{ lot.product }}\n"
        "{% else %}- 無\n{% endfor %}三日內到期：\n{% for lot in soon_lots %}- {{ lot.quantity }} {{ lot.unit }} "
        "{{ lot.product }}（{{ lot.effective_expiry }}）\n{% else %}- 無\n{% endfor %}"
        "昨日報廢：{{ wasted_count }} 項，成本 {{ wasted_cost }}。",
    ),
    ("low_stock", "en"): (
        "{{ store }}: low stock",
        "Below the reorder point:\n{% for p in products %}- {{ p.sku }} {{ p.name }}: {{ p.on_hand }} "
        "(reorder at {{ p.reorder_point }})\n{% endfor %}",
    ),
    ("low_stock", "zh-Hant"): (
        "{{ store }}：存貨不足",
        "低於補貨點：\n{% for p in products %}- {{ p.sku }} {{ p.name }}：{{ p.on_hand }}（補貨點 {{ p.reorder_point }}）\n"
        "{% endfor %}",
    ),
    ("birthday", "en"): (
        "Happy birthday from {{ store }}!",
        "Happy birthday, {{ customer }}! From all of us at {{ store }}.",
    ),
    ("birthday", "zh-Hant"): (
        "{{ store }}祝你生日快樂！",
        "{{ customer }}，生日快樂！{{ store }}全體同事敬賀。",
    ),
}

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)


def check_language(text: str | None) -> str:
    value = (text or "en").strip()
    for language in LANGUAGES:
        if value.lower() == language.lower():
            return language
    raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}, got {text!r}", field="language")


def _check(source: str, field: str) -> str:
    try:
        _env.parse(source)
    except TemplateError as exc:
        raise InvalidInput(f"{field} is not a valid template: {exc}", field=field) from None
    return source


def template(conn: Connection, event: str, language: str) -> tuple[str, str]:
    row = conn.execute(
        select(t.message_templates.c.subject, t.message_templates.c.body).where(
            t.message_templates.c.event == event, t.message_templates.c.language == language
        )
    ).first()
    if row is not None:
        return row.subject, row.body
    return DEFAULTS.get((event, language)) or DEFAULTS[(event, "en")]


def render(conn: Connection, event: str, language: str, context: dict[str, Any]) -> tuple[str, str]:
    subject, body = template(conn, event, language)
    try:
        return _env.from_string(subject).render(context), _env.from_string(body).render(context)
    except TemplateError as exc:
        raise InvalidInput(f"the {event} template ({language}) failed: {exc}", field="template") from None


def save_template(
    conn: Connection, event: str, language: str, subject: str, body: str, actor: str, now: Any
) -> None:
    if event not in EVENTS:
        raise InvalidInput(f"event must be one of {', '.join(EVENTS)}, got {event!r}", field="event")
    lang = check_language(language)
    values = {
        "subject": _check(subject, "subject"),
        "body": _check(body, "body"),
        "updated_at": now,
        "actor": actor,
    }
    found = conn.execute(
        select(t.message_templates.c.id).where(
            t.message_templates.c.event == event, t.message_templates.c.language == lang
        )
    ).first()
    if found:
        conn.execute(update(t.message_templates).where(t.message_templates.c.id == found.id).values(**values))
    else:
        conn.execute(insert(t.message_templates).values(event=event, language=lang, **values))
