"""The template renderer: owner-written templates render in worker processes, within time, memory and length.

Timing rule: no test asserts how fast something is; a runaway is only required to come back at all (a
generous 30 s bound proves it does not hang the caller)."""

import datetime as dt
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from midnight.adapters.template_worker import (
    MAX_RANGE,
    LimitExceeded,
    bounded_range,
    check_power,
    check_product,
)
from midnight.adapters.templates import (
    Rendered,
    TemplateFailed,
    TemplateRenderer,
    TemplateRendererUnavailable,
)

# 10,000 ** 3 turns of a loop that prints nothing: hours of work, in no memory.
RUNAWAY = (
    "{% for a in range(10000) %}{% for b in range(10000) %}{% for c in range(10000) %}{{ '' }}"
    "{% endfor %}{% endfor %}{% endfor %}"
)
PICKUP = {"customer": "陳小姐", "description": "一個包裹", "code": "042917", "store": "Midnight Express"}
PICKUP_NAMES = ("code", "customer", "description", "store")


@pytest.fixture
def renderer() -> Iterator[TemplateRenderer]:
    # A generous timeout: ordinary renders must never fail because the test machine is busy.
    with TemplateRenderer(timeout=10.0) as shared:
        yield shared


@pytest.fixture
def impatient() -> Iterator[TemplateRenderer]:
    with TemplateRenderer(timeout=1.0) as shared:
        yield shared


def failure(call: object) -> TemplateFailed:
    assert callable(call)
    with pytest.raises(TemplateFailed) as caught:
        call()
    return caught.value


# --- ordinary renders ---------------------------------------------------------------------------------


def test_a_template_renders_and_chinese_text_round_trips(renderer: TemplateRenderer) -> None:
    rendered = renderer.render(
        "{{ store }}：有物品等你領取",
        "{{ customer }}你好，{{ description }}等你領取。領取碼：{{ code }}。",
        PICKUP,
    )
    assert rendered == Rendered(
        subject="Midnight Express：有物品等你領取", body="陳小姐你好，一個包裹等你領取。領取碼：042917。"
    )


def test_decimals_dates_and_dict_items_render_as_text(renderer: TemplateRenderer) -> None:
    lot = {
        "quantity": Decimal("2"),
        "unit": "each",
        "product": "Milk",
        "id": 3,
        "location": "fridge",
        "effective_expiry": dt.date(2026, 11, 25),
    }
    context = {
        "today": dt.date(2026, 11, 25),
        "today_lots": [lot],
        "wasted_cost": Decimal("12.50"),
        "none": None,
    }
    rendered = renderer.render(
        "digest for {{ today }}",
        "{% for lot in today_lots %}- {{ lot.quantity }} {{ lot.unit }} {{ lot.product }} (lot {{ lot.id }}, "
        "{{ lot.location }}) by {{ lot.effective_expiry }}{% endfor %}; {{ wasted_cost }} {{ none }}",
        context,
    )
    assert rendered.subject == "digest for 2026-11-25"
    assert rendered.body == "- 2 each Milk (lot 3, fridge) by 2026-11-25; 12.50 None"


def test_jinja_helpers_work_within_their_limits(renderer: TemplateRenderer) -> None:
    rendered = renderer.render(
        "{% for i in range(3) %}{{ loop.index }}{% endfor %}",
        "{% set ns = namespace(total=0) %}{% for i in range(10) %}{% set ns.total = ns.total + i %}{% endfor %}"
        "{{ ns.total }} {{ 2 ** 10 }} {{ '-' * 5 }}",
        {},
    )
    assert rendered == Rendered(subject="123", body="45 1024 -----")


def test_a_context_value_templates_cannot_take_is_a_programming_error(renderer: TemplateRenderer) -> None:
    with pytest.raises(TypeError, match=r"context\.shelf is a object"):
        renderer.render("x", "y", {"shelf": object()})


# --- runaway templates ----------------------------------------------------------------------------------


def test_a_template_that_never_finishes_is_stopped_and_the_worker_replaced(
    impatient: TemplateRenderer,
) -> None:
    started = time.monotonic()
    refused = failure(lambda: impatient.render("hello", RUNAWAY, PICKUP))
    assert time.monotonic() - started < 30  # came back: the caller is not hung
    assert refused.field == "body"
    assert refused.message == "the body template took longer than 1 s to render"
    assert impatient.render("hello {{ customer }}", "{{ code }}", PICKUP) == Rendered(
        "hello 陳小姐", "042917"
    )


def test_a_runaway_subject_is_blamed_on_the_subject(impatient: TemplateRenderer) -> None:
    refused = failure(lambda: impatient.render(RUNAWAY, "fine", PICKUP))
    assert refused.field == "subject"
    assert "subject template took longer than 1 s" in refused.message


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ('{{ "x" * 10**10 }}', "repeated with * may be at most 8000 long"),
        ("{{ [1] * 10**9 }}", "repeated with * may be at most 8000 long"),
        ("{{ (code|int) ** 1000000 }}", "exponent (the number after **) may be at most 64"),
        (
            "{{ (code|int) ** 64 * (code|int) ** 64 * (code|int) ** 64 * (code|int) ** 64 }}",
            "at most 1000 digits",
        ),
        ("{{ range(10**6)|list|length }}", f"range() may count at most {MAX_RANGE} numbers"),
        ("{{ 1 / 0 }}", "divides by zero"),
        ('{{ "".__class__.__mro__ }}', "not allowed"),
        ("{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}", "calls itself too deeply"),
    ],
)
def test_expensive_or_unsafe_expressions_are_refused_with_a_reason(
    renderer: TemplateRenderer, body: str, reason: str
) -> None:
    refused = failure(lambda: renderer.render("hello", body, PICKUP))
    assert refused.field == "body"
    assert refused.message.startswith("the body template failed: ")
    assert reason in refused.message


def test_a_template_that_needs_too_much_memory_is_refused_and_the_worker_replaced() -> None:
    with TemplateRenderer(timeout=10.0, memory_mb=128) as renderer:
        refused = failure(lambda: renderer.render("hi", '{{ "x"|center(400000000) }}', PICKUP))
        assert refused.field == "body"
        assert "more memory than the 128 MB allowed" in refused.message
        assert renderer.render("hi", "{{ code }}", PICKUP) == Rendered("hi", "042917")


def test_output_over_the_limit_is_refused(renderer: TemplateRenderer) -> None:
    refused = failure(lambda: renderer.render("hi", "{% for i in range(9000) %}x{% endfor %}", PICKUP))
    assert (refused.field, refused.message) == ("body", "the body is longer than 8000 characters")
    refused = failure(lambda: renderer.render("{{ customer }}" * 100, "fine", PICKUP))
    assert (refused.field, refused.message) == ("subject", "the subject is longer than 200 characters")


def test_output_at_the_limit_is_accepted() -> None:
    with TemplateRenderer(timeout=10.0, max_subject=3, max_body=5) as renderer:
        assert renderer.render("abc", "{{ 'x' * 5 }}", {}) == Rendered("abc", "xxxxx")


def test_a_worker_killed_while_idle_is_replaced_without_blaming_the_template(
    renderer: TemplateRenderer,
) -> None:
    renderer.render("a", "b", {})
    for worker in renderer._workers:  # reaching inside: only a test kills a worker behind the renderer's back
        if worker._process is not None:
            worker._process.kill()
            worker._process.wait()
    assert renderer.render("hello", "{{ code }}", PICKUP) == Rendered("hello", "042917")


# --- the save-time check --------------------------------------------------------------------------------


def test_check_returns_the_sample_render(renderer: TemplateRenderer) -> None:
    rendered = renderer.check("{{ store }}", "Hello {{ customer }}, code {{ code }}", PICKUP, PICKUP_NAMES)
    assert rendered == Rendered("Midnight Express", "Hello 陳小姐, code 042917")


def test_check_refuses_a_variable_the_message_does_not_have(renderer: TemplateRenderer) -> None:
    refused = failure(lambda: renderer.check("hi", "Hello {{ nosuchvar }}", PICKUP, PICKUP_NAMES))
    assert refused.field == "body"
    assert refused.message == (
        "the body uses {{ nosuchvar }}, which this message does not have; "
        "it may use: code, customer, description, store"
    )
    refused = failure(lambda: renderer.check("{{ loop.index }}", "fine", PICKUP, PICKUP_NAMES))
    assert refused.field == "subject"
    assert "{{ loop }}" in refused.message


def test_check_refuses_lipsum_and_includes(renderer: TemplateRenderer) -> None:
    refused = failure(lambda: renderer.check("hi", "{{ lipsum() }}", PICKUP, PICKUP_NAMES))
    assert "{{ lipsum }}" in refused.message
    refused = failure(lambda: renderer.check("hi", '{% include "other" %}', PICKUP, PICKUP_NAMES))
    assert refused.message == "the body template may not include, import or extend other templates"


def test_check_refuses_a_syntax_error_naming_the_field_and_line(renderer: TemplateRenderer) -> None:
    refused = failure(lambda: renderer.check("hi", "line one\n{{ code }\n", PICKUP, PICKUP_NAMES))
    assert refused.field == "body"
    assert refused.message.startswith("the body template has a mistake on line 2: ")
    refused = failure(lambda: renderer.check("{% if %}", "fine", PICKUP, PICKUP_NAMES))
    assert refused.field == "subject"


def test_check_refuses_empty_and_overlong_sources(renderer: TemplateRenderer) -> None:
    refused = failure(lambda: renderer.check("  \n", "fine", PICKUP, PICKUP_NAMES))
    assert (refused.field, refused.message) == ("subject", "the subject is empty")
    refused = failure(lambda: renderer.check("hi", "", PICKUP, PICKUP_NAMES))
    assert (refused.field, refused.message) == ("body", "the body is empty")
    refused = failure(lambda: renderer.check("hi", "x" * 20001, PICKUP, PICKUP_NAMES))
    assert refused.field == "body"
    assert "may be at most 20000" in refused.message


def test_check_renders_under_a_tighter_limit_than_a_render(impatient: TemplateRenderer) -> None:
    # A template being saved gets half the time a real render does, so the saved one has room to spare.
    assert impatient.check_timeout == 0.5 and impatient.timeout == 1.0
    refused = failure(lambda: impatient.check("hi", RUNAWAY, PICKUP, PICKUP_NAMES))
    assert refused.field == "body"
    assert "took longer than 0.5 s" in refused.message


def test_failures_are_template_failed_with_http_422() -> None:
    assert TemplateFailed.code == "template_failed"
    assert TemplateFailed.http_status == 422


# --- many threads ---------------------------------------------------------------------------------------


def test_many_threads_rendering_at_once_each_get_their_own_result() -> None:
    with TemplateRenderer(timeout=10.0, workers=2) as shared:

        def render_many(thread: int) -> list[Rendered]:
            context = {"t": thread, **PICKUP}
            return [
                shared.render("{{ t }}-{{ n }}", "{{ customer }} {{ t * 100 + n }}", {"n": n, **context})
                for n in range(20)
            ]

        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(render_many, range(8)))
    for thread, rendered in enumerate(results):
        assert rendered == [Rendered(f"{thread}-{n}", f"陳小姐 {thread * 100 + n}") for n in range(20)]


def test_a_runaway_template_does_not_hold_up_a_render_on_the_other_worker() -> None:
    with TemplateRenderer(timeout=8.0, workers=2) as renderer:
        outcome: list[BaseException] = []
        running = threading.Event()

        def runaway() -> None:
            running.set()
            try:
                renderer.render("hi", RUNAWAY, PICKUP)
            except TemplateFailed as exc:
                outcome.append(exc)

        thread = threading.Thread(target=runaway)
        thread.start()
        running.wait()
        time.sleep(0.2)  # let it take a worker first; the outcome below holds either way
        for n in range(3):
            assert renderer.render("{{ n }}", "{{ code }}", {"n": n, **PICKUP}) == Rendered(str(n), "042917")
        # The ordinary renders came back while the runaway was still being waited for.
        assert thread.is_alive()
        thread.join()
    assert len(outcome) == 1
    assert "took longer than 8 s" in str(outcome[0])


def test_a_closed_renderer_says_so() -> None:
    renderer = TemplateRenderer()
    renderer.close()
    with pytest.raises(TemplateRendererUnavailable, match="closed"):
        renderer.render("a", "b", {})


# --- the worker's limits, in this process ---------------------------------------------------------------


def test_range_is_bounded() -> None:
    assert len(bounded_range(MAX_RANGE)) == MAX_RANGE
    with pytest.raises(LimitExceeded):
        bounded_range(MAX_RANGE + 1)
    with pytest.raises(LimitExceeded):
        bounded_range(-(10**30), 10**30)


def test_power_is_bounded() -> None:
    check_power(2, 64)
    check_power(Decimal("1.5"), -64)
    check_power("text", 10**9)  # not arithmetic: left for Python to refuse
    with pytest.raises(LimitExceeded):
        check_power(2, 65)
    with pytest.raises(LimitExceeded):
        check_power(2.0, 1e6)
    with pytest.raises(LimitExceeded):
        check_power(10**900, 2)


def test_products_are_bounded() -> None:
    check_product("ab", 4, 8)
    check_product(4, [1, 2], 8)
    check_product(Decimal("2.5"), 10**30, 8)
    with pytest.raises(LimitExceeded):
        check_product("ab", 5, 8)
    with pytest.raises(LimitExceeded):
        check_product(10**600, 10**600, 8)
