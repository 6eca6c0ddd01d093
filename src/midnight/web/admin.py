"""Admin (owner): products, menu and prices, customers, users and roles, notification targets."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from midnight.commands.catalog import AddProduct, PageQuery
from midnight.commands.counter import AddCustomer, AddTarget, CustomerQuery
from midnight.commands.people import AddUser
from midnight.commands.printing import AddPrinter, AddTill, ChangePrinter, SetTill
from midnight.commands.till import AddMenuItem, MenuQuery, SetActive, SetPrice, SetTenderActive, TenderIn
from midnight.domain.errors import MidnightError
from midnight.domain.printing import TextMode
from midnight.services import catalog, customers, menu, notify, people, printing, tenders, tills
from midnight.services.context import Context
from midnight.web import printing as printing_page
from midnight.web.core import check_csrf, form_command, page_context, redirect, render

router = APIRouter(include_in_schema=False)


def _page(
    request: Request,
    ctx: Context,
    status_code: int = 200,
    errors: Any = None,
    values: Any = None,
    tested: str = "",
) -> HTMLResponse:
    return render(
        request,
        "admin.html",
        ctx,
        status_code=status_code,
        errors=errors or {},
        values=values or {},
        printers=printing.list_printers(ctx),
        tills=tills.list_tills(ctx),
        text_modes=[mode.value for mode in TextMode],
        test_status=printing_page.status_of(ctx, tested),
        products=catalog.list_products(ctx, PageQuery(limit=1000)).items,
        menu=menu.list_menu(ctx, MenuQuery(include_inactive=True, limit=1000)).items,
        customers=customers.search_customers(ctx, CustomerQuery(limit=200)).items,
        users=people.list_users(ctx, PageQuery()).items,
        targets=notify.list_targets(ctx, PageQuery()).items,
        tenders=tenders.list_tenders(ctx, include_inactive=True),
    )


@router.get("/admin", response_class=HTMLResponse)
def admin(request: Request) -> HTMLResponse:
    return _page(request, page_context(request), tested=request.query_params.get("tested", ""))


async def _submit(
    request: Request, section: str, action: Callable[[Context, dict[str, str]], object]
) -> Response:
    ctx = page_context(request)
    form = {k: str(v) for k, v in (await check_csrf(request)).items()}
    try:
        action(ctx, form)
    except MidnightError as exc:
        return _page(
            request, ctx, exc.http_status, {section: {exc.field or "_": exc.message}}, {section: form}
        )
    return redirect("/admin")


@router.post("/admin/products", response_model=None)
async def add_product(request: Request) -> Response:
    return await _submit(
        request,
        "products",
        lambda s, f: catalog.add_product(
            s, form_command(AddProduct, f, ("sku", "name", "barcode", "expiry_kind", "shelf_life_days"))
        ),
    )


@router.post("/admin/menu", response_model=None)
async def add_menu_item(request: Request) -> Response:
    return await _submit(
        request,
        "menu",
        lambda s, f: menu.add_menu_item(
            s, form_command(AddMenuItem, f, ("code", "name", "price", "product", "category"))
        ),
    )


@router.post("/admin/menu/{code}/price", response_model=None)
async def set_price(request: Request, code: str) -> Response:
    return await _submit(
        request, "menu", lambda s, f: menu.set_price(s, code, form_command(SetPrice, f, ("price",)))
    )


@router.post("/admin/menu/{code}/active", response_model=None)
async def set_menu_item_active(request: Request, code: str) -> Response:
    return await _submit(
        request, "menu", lambda s, f: menu.set_active(s, code, form_command(SetActive, f, ("active",)))
    )


@router.post("/admin/customers", response_model=None)
async def add_customer(request: Request) -> Response:
    return await _submit(
        request,
        "customers",
        lambda s, f: customers.add_customer(
            s,
            form_command(
                AddCustomer,
                {**f, "contacts": [f["contact"]] if f.get("contact") else []},
                ("name", "nickname", "contacts"),
            ),
        ),
    )


@router.post("/admin/users", response_model=None)
async def add_user(request: Request) -> Response:
    return await _submit(
        request,
        "users",
        lambda s, f: people.add_user(
            s, form_command(AddUser, f, ("name", "role", "password", "current_password"))
        ),
    )


@router.post("/admin/targets", response_model=None)
async def add_target(request: Request) -> Response:
    return await _submit(
        request, "targets", lambda s, f: notify.add_target(s, form_command(AddTarget, f, ("url", "label")))
    )


@router.post("/admin/tenders", response_model=None)
async def add_tender(request: Request) -> Response:
    return await _submit(
        request, "tenders", lambda ctx, f: tenders.add_tender(ctx, form_command(TenderIn, f, ("name",)))
    )


@router.post("/admin/tenders/{name}/active", response_model=None)
async def tender_active(request: Request, name: str) -> Response:
    return await _submit(
        request,
        "tenders",
        lambda ctx, f: tenders.set_tender_active(ctx, name, form_command(SetTenderActive, f, ("active",))),
    )


@router.post("/admin/printers", response_model=None)
async def add_printer(request: Request) -> Response:
    return await _submit(
        request,
        "printers",
        lambda ctx, f: printing.add_printer(
            ctx, form_command(AddPrinter, f, ("name", "kind", "address", "paper_mm", "text_mode"))
        ),
    )


@router.post("/admin/printers/{name}", response_model=None)
async def change_printer(request: Request, name: str) -> Response:
    return await _submit(
        request,
        "printers",
        lambda ctx, f: printing.change_printer(
            ctx,
            name,
            form_command(ChangePrinter, f, ("kind", "address", "paper_mm", "text_mode", "active")),
        ),
    )


@router.post("/admin/printers/{name}/test", response_model=None)
async def test_printer(request: Request, name: str) -> Response:
    ctx = page_context(request)
    await check_csrf(request)
    try:
        job = printing.test_printer(ctx, name)
    except MidnightError as exc:
        return _page(request, ctx, exc.http_status, {"printers": {"_": exc.message}})
    return redirect(f"/admin?tested={job.id}#printers")


@router.post("/admin/tills", response_model=None)
async def add_till(request: Request) -> Response:
    return await _submit(
        request, "tills", lambda ctx, f: tills.add_till(ctx, form_command(AddTill, f, ("name",)).name)
    )


@router.post("/admin/tills/{name}", response_model=None)
async def set_till(request: Request, name: str) -> Response:
    return await _submit(
        request,
        "tills",
        lambda ctx, f: printing.set_till(
            ctx, name, form_command(SetTill, f, ("printer", "drawer_pin", "auto_print"))
        ),
    )
