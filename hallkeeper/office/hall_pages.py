"""The hall model's pages: windows (A/B posts, services in calling order), services
(documents, limits, quota, hours), staff and home units. The office reads them; the admin's
forms call the admin API (`hallkeeper.api`), whose checks and audit apply unchanged."""

from __future__ import annotations

from typing import Annotated, get_args

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlmodel import col, select

from attendance.models import Device
from hallbase.auth import Principal
from hallbase.deps import ReadSessionDep
from hallbase.hallconfig import Category, Role, ServiceKind, WindowKind
from hallbase.models import Schedule, Service, Staff, Unit, Window
from hallkeeper.api.routes.windows import window_public
from hallkeeper.office.common import OFFICE_PAGE, ROOT, frame, render, staff_options
from hallkeeper.office.forms import Input, choices, table_form

router = APIRouter(include_in_schema=False)
Office = Annotated[Principal, OFFICE_PAGE]
INDEX = ROOT
API = "/api/v1"


@router.get(INDEX, response_class=HTMLResponse)
def office_index(
    request: Request, session: ReadSessionDep, who: Office, lang: str | None = None
) -> HTMLResponse:
    """The office's index: every page the caller may open, with how many rows each holds."""
    page = frame(request, session, who, lang, "index")
    counts = {
        "windows": len(session.exec(select(Window.id)).all()),
        "services": len(session.exec(select(Service.id)).all()),
        "staff": len(session.exec(select(Staff.id)).all()),
        "units": len(session.exec(select(Unit.id)).all()),
        "schedules": len(session.exec(select(Schedule.id)).all()),
        "terminals": len(session.exec(select(Device.id)).all()),
    }
    return render(request, "office_index.html", {**page, "counts": counts})


@router.get(f"{ROOT}/windows", response_class=HTMLResponse)
def windows_page(
    request: Request, session: ReadSessionDep, who: Office, lang: str | None = None
) -> HTMLResponse:
    """Windows with their A/B posts and the services each calls, in calling order."""
    page = frame(request, session, who, lang, "windows")
    language = page["lang"]
    windows = [
        window_public(session, w)
        for w in session.exec(select(Window).order_by(col(Window.number))).all()
    ]
    services = session.exec(select(Service).order_by(col(Service.prefix))).all()
    service_names = {
        s.code: (s.name_en or s.name) if language == "en" else s.name for s in services
    }
    staff = {s.staff_no: s.name for s in session.exec(select(Staff)).all()}
    posts = staff_options(session, language)
    form = table_form(
        "window-form",
        f"{API}/windows",
        Input("number", "int", create_only=True, required=True),
        Input("name", required=True),
        Input("kind", "select", choices("window_kind", get_args(WindowKind), language),
              required=True, default="comprehensive"),
        Input("services", "codes", required=True, hint=page["w"]["hint.services"]),
        Input("a_post", "select", posts, required=True),
        Input("b_post", "select", posts, clearable=True),
    )  # fmt: skip
    context = {
        **page,
        "windows": windows,
        "service_names": service_names,
        "service_codes": [(s.code, service_names[s.code]) for s in services],
        "staff": staff,
        "form": form,
    }
    return render(request, "office_windows.html", context)


@router.get(f"{ROOT}/services", response_class=HTMLResponse)
def services_page(
    request: Request, session: ReadSessionDep, who: Office, lang: str | None = None
) -> HTMLResponse:
    """Services: kind and promised days, the documents to bring, time limits, quota, hours."""
    page = frame(request, session, who, lang, "services")
    language = page["lang"]
    services = session.exec(select(Service).order_by(col(Service.prefix))).all()
    form = table_form(
        "service-form",
        f"{API}/services",
        Input("code", create_only=True, required=True, hint=page["w"]["hint.code"]),
        Input("prefix", create_only=True, required=True, hint=page["w"]["hint.prefix"]),
        Input("name", required=True),
        Input("name_en"),
        Input("group"),
        Input("kind", "select", choices("service_kind", get_args(ServiceKind), language),
              required=True, default="instant"),
        Input("promised_days", "int", clearable=True),
        Input("max_wait_minutes", "int", default="30"),
        Input("max_service_minutes", "int", default="20"),
        Input("daily_quota", "int", clearable=True),
        Input("open_from", "time", default="08:30"),
        Input("open_to", "time", default="17:30"),
        Input("documents", "lines", hint=page["w"]["hint.documents"]),
    )  # fmt: skip
    return render(request, "office_services.html", {**page, "services": services, "form": form})


@router.get(f"{ROOT}/units", response_class=HTMLResponse)
def units_page(
    request: Request, session: ReadSessionDep, who: Office, lang: str | None = None
) -> HTMLResponse:
    """Home units (派驻单位) and how many staff each has sent."""
    page = frame(request, session, who, lang, "units")
    units = session.exec(select(Unit).order_by(col(Unit.code))).all()
    staff = session.exec(select(Staff.unit_code)).all()
    counts = {u.code: sum(1 for code in staff if code == u.code) for u in units}
    form = table_form(
        "unit-form",
        f"{API}/units",
        Input("code", create_only=True, required=True),
        Input("name", required=True),
    )
    return render(
        request, "office_units.html", {**page, "units": units, "counts": counts, "form": form}
    )


@router.get(f"{ROOT}/staff", response_class=HTMLResponse)
def staff_page(
    request: Request,
    session: ReadSessionDep,
    who: Office,
    lang: str | None = None,
    unit: str | None = None,
) -> HTMLResponse:
    """Staff (optionally of one unit), the form for one person, and the Excel files."""
    page = frame(request, session, who, lang, "staff")
    language = page["lang"]
    query = select(Staff).order_by(col(Staff.staff_no))
    if unit:
        query = query.where(col(Staff.unit_code) == unit)
    units = session.exec(select(Unit).order_by(col(Unit.code))).all()
    schedules = session.exec(select(Schedule).order_by(col(Schedule.name))).all()
    form = table_form(
        "staff-form",
        f"{API}/staff",
        Input("staff_no", create_only=True, required=True),
        Input("name", required=True),
        Input("pin", required=True, hint=page["w"]["hint.pin"]),
        Input("unit_code", "select", tuple((u.code, u.name) for u in units), required=True),
        Input("category", "select", tuple((c, page["label"]("category", c))
                                          for c in get_args(Category)), required=True),
        Input("role", "select", tuple((r, page["label"]("role", r)) for r in get_args(Role)),
              required=True, default="staff"),
        Input("start_date", "date", clearable=True),
        Input("end_date", "date", clearable=True),
        Input("schedule", "select", tuple((s.name, s.label or s.name) for s in schedules),
              clearable=True),
    )  # fmt: skip
    context = {
        **page,
        "staff": session.exec(query).all(),
        "units": units,
        "unit": unit or "",
        "unit_names": {u.code: u.name for u in units},
        "schedule_names": {s.name: s.label or s.name for s in schedules},
        "form": form,
        "language": language,
    }
    return render(request, "office_staff.html", context)
