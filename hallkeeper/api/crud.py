"""One generic set of list / get / create / update / delete routes for a hall-model table."""

from collections.abc import Callable
from typing import Any, cast

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from hallbase.auth import OFFICE, allow, log_change
from hallbase.deps import ReadSessionDep, SessionDep

Check = Callable[[Session, dict[str, Any]], None]
# Called after a row was created or changed: (request, session, fields before or None, row).
After = Callable[[Request, Session, dict[str, Any] | None, Any], None]


def _no_check(_session: Session, _fields: dict[str, Any]) -> None:
    return None


def _nothing_after(
    _request: Request, _session: Session, _old: dict[str, Any] | None, _row: Any
) -> None:
    return None


def crud_router(
    *,
    table: type[SQLModel],
    create: type[BaseModel],
    update: type[BaseModel],
    key: str,
    key_type: type,
    name: str,
    check: Check = _no_check,
    after: After = _nothing_after,
    order_by: str | None = None,
    read: Any = None,
) -> APIRouter:
    """Build the routes for ``table`` keyed by its natural key ``key``.

    ``after`` runs in the same transaction once a created or changed row is saved. The office
    reads (``read``: another `allow` rule), the admin changes; each change is audited as
    ``<name>.create|update|delete`` on ``<name>:<key>``.
    """
    router = APIRouter()
    reads = [read if read is not None else allow(*OFFICE)]
    changes = [allow("admin")]
    kind = name.split()[0]

    def audit(
        request: Request, session: Session, verb: str, value: Any, old: Any, new: Any
    ) -> None:
        log_change(session, request, f"{kind}.{verb}", f"{kind}:{value}", before=old, after=new)

    column = getattr(table, key)

    def find(session: Session, value: Any) -> Any:
        row = session.exec(select(table).where(column == value)).first()
        if row is None:
            raise HTTPException(status_code=404, detail=f"{name} {value!r} not found")
        return row

    def save(session: Session, row: Any) -> Any:
        session.add(row)
        try:
            session.flush()
        except IntegrityError as exc:
            session.rollback()
            raise HTTPException(
                status_code=409, detail=f"{name} conflicts with an existing row: {exc.orig}"
            ) from None
        session.refresh(row)
        return row

    @router.get("", dependencies=reads, summary=f"List {name}s")
    def list_rows(session: ReadSessionDep) -> dict[str, Any]:
        query = select(table).order_by(getattr(table, order_by or key))
        rows = list(session.exec(query).all())
        return {"data": rows, "count": len(rows)}

    @router.get("/{value}", dependencies=reads, summary=f"Get one {name}")
    def get_row(value: key_type, session: ReadSessionDep) -> Any:  # type: ignore[valid-type]
        return find(session, value)

    @router.post("", status_code=201, dependencies=changes, summary=f"Create a {name}")
    def create_row(body: create, request: Request, session: SessionDep) -> Any:  # type: ignore[valid-type]
        fields = cast(BaseModel, body).model_dump()
        check(session, fields)
        if session.exec(select(table).where(column == fields[key])).first() is not None:
            raise HTTPException(status_code=409, detail=f"{name} {fields[key]!r} already exists")
        row = save(session, table(**fields))
        after(request, session, None, row)
        audit(request, session, "create", fields[key], None, row.model_dump(mode="json"))
        return row

    @router.patch("/{value}", dependencies=changes, summary=f"Change a {name}")
    def update_row(value: key_type, body: update, request: Request, session: SessionDep) -> Any:  # type: ignore[valid-type]
        row = find(session, value)
        fields = cast(BaseModel, body).model_dump(exclude_unset=True)
        before = row.model_dump()
        old = row.model_dump(mode="json")
        check(session, {**before, **fields})
        row.sqlmodel_update(fields)
        row = save(session, row)
        after(request, session, before, row)
        audit(request, session, "update", value, old, row.model_dump(mode="json"))
        return row

    @router.delete("/{value}", status_code=204, dependencies=changes, summary=f"Delete a {name}")
    def delete_row(value: key_type, request: Request, session: SessionDep) -> Response:  # type: ignore[valid-type]
        row = find(session, value)
        old = row.model_dump(mode="json")
        session.delete(row)
        try:
            session.flush()
        except IntegrityError:
            session.rollback()
            raise HTTPException(
                status_code=409, detail=f"{name} {value!r} is still referenced"
            ) from None
        audit(request, session, "delete", value, old, None)
        return Response(status_code=204)

    return router
