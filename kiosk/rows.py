"""Rows of the queue's hot tables read and written by primary key with plain SQL.

The ORM's identity map and unit of work cost more than the one-row statements the queue's
operations need. Objects read here are not attached to the session: change them with `save`
(one UPDATE of the named columns by primary key), never with ``session.add``, which would
insert them. Statements are built once per table and column list, and run compiled once
(`hallbase.db.compiled_rows`).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, TypeVar

from pydantic_core import PydanticUndefined
from sqlalchemy import Insert, Select, Table, Update, bindparam, insert, select, update
from sqlalchemy.orm import class_mapper
from sqlmodel import Session, SQLModel

from hallbase.db import compiled_mappings, compiled_rows

M = TypeVar("M", bound=SQLModel)


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


@cache
def _key(model: type[SQLModel]) -> str:
    (column,) = _table(model).primary_key.columns
    return str(column.name)


@cache
def _by_key(model: type[SQLModel], lock: bool) -> Select[Any]:
    table = _table(model)
    query = select(table).where(table.c[_key(model)] == bindparam("pk"))
    return query.with_for_update() if lock else query


@cache
def _update(model: type[SQLModel], fields: tuple[str, ...]) -> Update:
    table = _table(model)
    key = _key(model)
    return (
        update(table)
        .where(table.c[key] == bindparam("pk"))
        .values({name: bindparam(f"v_{name}") for name in fields})
    )


@cache
def _insert(model: type[SQLModel]) -> Insert:
    table = _table(model)
    return insert(table).returning(table.c[_key(model)])


def build(model: type[M], values: Mapping[Any, Any]) -> M:
    """An instance of ``model`` holding ``values`` (a row), as the ORM builds a loaded one."""
    obj: M = class_mapper(model).class_manager.new_instance()
    obj.__dict__.update(values)
    return obj


@cache
def _defaults(model: type[SQLModel]) -> tuple[dict[str, Any], dict[str, Any], frozenset[str]]:
    """The model's fields' plain defaults, default factories, and required names."""
    plain: dict[str, Any] = {}
    factories: dict[str, Any] = {}
    required = set()
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            factories[name] = info.default_factory
        elif info.default is PydanticUndefined:
            required.add(name)
        else:
            plain[name] = info.default
    return plain, factories, frozenset(required)


def new(model: type[M], **values: Any) -> M:
    """A new ``model`` object for `add`: ``values``, and the defaults for the other fields.

    Built as `build` builds a loaded row: the model's constructor spends more on SQLAlchemy's
    attribute events and pydantic's bookkeeping than the insert itself costs.
    """
    plain, factories, required = _defaults(model)
    missing = required - values.keys()
    if missing:
        raise TypeError(f"{model.__name__} needs {sorted(missing)}")
    fields = {**plain, **{n: f() for n, f in factories.items() if n not in values}, **values}
    return build(model, fields)


def get(session: Session, model: type[M], pk: Any, *, lock: bool = False) -> M | None:
    """The row of ``model`` with primary key ``pk`` (locked FOR UPDATE when ``lock``)."""
    found = compiled_mappings(session.connection(), _by_key(model, lock), {"pk": pk})
    return build(model, found[0]) if found else None


@cache
def _columns(model: type[SQLModel]) -> tuple[str, ...]:
    """The columns `add` inserts: all but the generated key."""
    key = _key(model)
    return tuple(c.name for c in _table(model).columns if c.name != key)


def add(session: Session, obj: SQLModel) -> None:
    """Insert ``obj`` (every column but its generated key) and set its key: one statement."""
    model = type(obj)
    columns = _columns(model)
    values = {name: getattr(obj, name) for name in columns}
    ((key,),) = compiled_rows(session.connection(), _insert(model), values, columns)
    setattr(obj, _key(model), key)


def save(session: Session, obj: SQLModel, *fields: str) -> None:
    """Write ``fields`` of ``obj`` to its row: one UPDATE by primary key (none for none)."""
    if not fields:
        return
    model = type(obj)
    params = {f"v_{name}": getattr(obj, name) for name in fields}
    params["pk"] = getattr(obj, _key(model))
    compiled_rows(session.connection(), _update(model, fields), params)
