"""Messages the shop sends: which events, their default wording, what a template may use, and the
life of a message in the outbox (pending -> sending -> sent, or failed, or uncertain)."""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

from midnight.domain.errors import InvalidInput


class Event(enum.StrEnum):
    ITEM_WAITING = "item_waiting"  # to a customer: something is on the shelf for you, with the code
    ITEM_OVERDUE = "item_overdue"  # to a customer: collect it before it goes back
    EXPIRY_DIGEST = "expiry_digest"  # to staff, each morning
    LOW_STOCK = "low_stock"  # to staff
    BIRTHDAY = "birthday"  # to a customer who asked for it
    PURCHASE_ORDER = "purchase_order"  # to a supplier: the order, with it as a CSV file

    @classmethod
    def parse(cls, text: object) -> Event:
        try:
            return cls(str(text).strip())
        except ValueError:
            known = ", ".join(e.value for e in cls)
            raise InvalidInput(
                f"event must be one of {known}, got {str(text)[:40]!r}", field="event"
            ) from None


class MessageState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker, handed to Apprise
    SENT = "sent"
    FAILED = "failed"  # gave up after MAX_ATTEMPTS
    UNCERTAIN = "uncertain"  # a worker stopped mid-send: not sent again; a person checks


MAX_ATTEMPTS = 8
BASE_BACKOFF = dt.timedelta(seconds=30)
MAX_BACKOFF = dt.timedelta(hours=1)


def after_failure(attempts: int) -> tuple[MessageState, dt.timedelta]:
    """A failed send is tried again later, backing off, until it has failed MAX_ATTEMPTS times."""
    backoff = min(BASE_BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF)
    return (MessageState.FAILED if attempts >= MAX_ATTEMPTS else MessageState.PENDING), backoff


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
        "Written off yesterday: {{ wasted_count }} line(s), {{ wasted_cost }} at cost."
        "{% if unsold_lots %}\nWill expire unsold at today's pace ({{ unsold_cost }} at cost):\n"
        "{% for lot in unsold_lots %}- {{ lot.left }} {{ lot.unit }} {{ lot.product }} (lot {{ lot.id }}, "
        "{{ lot.location }}) by {{ lot.expires }}: {{ lot.action }}\n{% endfor %}{% endif %}",
    ),
    ("expiry_digest", "zh-Hant"): (
        "{{ store }}：{{ today }} 到期摘要",
        "今日到期：\n{% for lot in today_lots %}- {{ lot.quantity }} {{ lot.unit }} {{ lot.product }}\n"
        "{% else %}- 無\n{% endfor %}三日內到期：\n{% for lot in soon_lots %}- {{ lot.quantity }} {{ lot.unit }} "
        "{{ lot.product }}（{{ lot.effective_expiry }}）\n{% else %}- 無\n{% endfor %}"
        "昨日報廢：{{ wasted_count }} 項，成本 {{ wasted_cost }}。"
        "{% if unsold_lots %}\n按目前銷量將過期未售（成本 {{ unsold_cost }}）：\n"
        "{% for lot in unsold_lots %}- {{ lot.left }} {{ lot.unit }} {{ lot.product }}（批次 {{ lot.id }}，"
        "{{ lot.location }}）{{ lot.expires }} 前：{{ lot.action }}\n{% endfor %}{% endif %}",
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
    ("purchase_order", "en"): (
        "{{ store }}: purchase order {{ number }} for {{ delivery_date }}",
        "Hello {{ supplier }},\n\nPlease deliver on {{ delivery_date }}:\n"
        "{% for line in lines %}- {{ line.quantity }} {{ line.unit }} {{ line.name }}"
        "{% if line.supplier_code %} (your code {{ line.supplier_code }}){% endif %}"
        " = {{ line.packs }} x {{ line.pack_size }}\n{% endfor %}"
        "Total {{ total }}.{% if note %}\n\n{{ note }}{% endif %}\n\n"
        "The order is attached as {{ number }}.csv. Thank you, {{ store }}",
    ),
    ("purchase_order", "zh-Hant"): (
        "{{ store }}：採購單 {{ number }}（{{ delivery_date }} 送貨）",
        "{{ supplier }}你好：\n\n請於 {{ delivery_date }} 送貨：\n"
        "{% for line in lines %}- {{ line.name }} {{ line.quantity }} {{ line.unit }}"
        "{% if line.supplier_code %}（貴公司編號 {{ line.supplier_code }}）{% endif %}"
        "＝{{ line.packs }} × {{ line.pack_size }}\n{% endfor %}"
        "合共 {{ total }}。{% if note %}\n\n{{ note }}{% endif %}\n\n"
        "附件 {{ number }}.csv 為此採購單。謝謝！{{ store }}",
    ),
    ("birthday", "zh-Hant"): (
        "{{ store }}祝你生日快樂！",
        "{{ customer }}，生日快樂！{{ store }}全體同事敬賀。",
    ),
}


# What each event's template may use, with the values a template is tried on when it is saved.
_LOT = {
    "id": 12,
    "quantity": Decimal("2"),
    "unit": "each",
    "product": "Fresh milk 1 L 鮮奶",
    "sku": "MILK-1L",
    "location": "fridge",
    "effective_expiry": dt.date(2026, 11, 27),
}
SAMPLES: dict[Event, dict[str, object]] = {
    Event.ITEM_WAITING: {
        "customer": "Mr Chan 陳先生",
        "description": "envelope with keys",
        "code": "042917",
        "shelf_slot": "B2",
        "hold_until": "2026-12-25",
        "store": "Midnight Express",
    },
    Event.ITEM_OVERDUE: {
        "customer": "Mr Chan 陳先生",
        "description": "envelope with keys",
        "since": "2026-11-01",
        "hold_until": "2026-12-01",
        "store": "Midnight Express",
    },
    Event.EXPIRY_DIGEST: {
        "store": "Midnight Express",
        "today": "2026-11-25",
        "today_lots": [_LOT],
        "soon_lots": [_LOT],
        "wasted_count": 2,
        "wasted_cost": "HK$36.00",
        "unsold_lots": [
            {
                "id": 12,
                "sku": "MILK-1L",
                "product": "Fresh milk 1 L 鮮奶",
                "left": Decimal("4"),
                "unit": "each",
                "location": "fridge",
                "expires": dt.date(2026, 11, 27),
                "cost": "HK$58.00",
                "action": "reduce Fresh milk 30% from 2026-11-26 to clear (set its markdown on the menu)",
            }
        ],
        "unsold_cost": "HK$58.00",
    },
    Event.LOW_STOCK: {
        "store": "Midnight Express",
        "products": [
            {
                "sku": "PINE-567",
                "name": "Tinned pineapple 罐頭菠蘿",
                "on_hand": Decimal("3"),
                "reorder_point": Decimal("6"),
            }
        ],
    },
    Event.BIRTHDAY: {"store": "Midnight Express", "customer": "Mr Chan 陳先生"},
    Event.PURCHASE_ORDER: {
        "store": "Midnight Express",
        "supplier": "Kowloon Dairy 九龍奶品",
        "number": "PO-00012",
        "delivery_date": "2026-12-07",
        "lines": [
            {
                "sku": "MILK-1L",
                "name": "Fresh milk 1 L 鮮奶",
                "supplier_code": "KD-1L",
                "quantity": Decimal("24"),
                "unit": "each",
                "packs": 2,
                "pack_size": Decimal("12"),
                "unit_cost": "HK$14.00",
                "cost": "HK$336.00",
            }
        ],
        "total": "HK$336.00",
        "note": "Back door, before 9",
    },
}


def default_template(event: Event, language: str) -> tuple[str, str]:
    return DEFAULTS.get((event.value, language)) or DEFAULTS[(event.value, "en")]
