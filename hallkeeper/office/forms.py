"""The office's forms, described once: each input's name is the API's field, its label is the
catalogue's ``office.field.<name>``, and its kind says how the page's script turns the typed
text into the JSON the API validates (the API alone decides what is valid)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hallbase.words import t

Kind = Literal[
    "text",
    "int",
    "select",
    "codes",
    "lines",
    "slots",
    "notice",
    "date",
    "time",
    "check",
    "password",
]


@dataclass(frozen=True)
class Input:
    """One input of a form.

    ``create_only``: the row's key, given when it is created and never changed;
    ``clearable``: left empty on a change, it sends null (else the field is left out).
    """

    name: str
    kind: Kind = "text"
    options: tuple[tuple[str, str], ...] = ()
    create_only: bool = False
    clearable: bool = False
    required: bool = False
    hint: str = ""
    default: str = ""
    label: str = ""  # the catalogue's field name, when ``name`` is a path (roles.0.role)

    @property
    def word(self) -> str:
        """The key of its name under ``office.field``."""
        return self.label or self.name


@dataclass(frozen=True)
class Form:
    """A form creating rows at ``create_url`` (POST, or PUT to ``create_url`` with the key)
    and changing one at ``change_url`` (``{key}`` replaced by the row's key)."""

    id: str
    inputs: tuple[Input, ...]
    create_url: str
    change_url: str | None = None
    create_method: str = "POST"
    change_method: str = "PATCH"


def choices(table: str, codes: tuple[str, ...], lang: str) -> tuple[tuple[str, str], ...]:
    """Options of a select: each code with its name from ``office.<table>.<code>``."""
    return tuple((code, t(f"office.{table}.{code}", lang)) for code in codes)


def table_form(form_id: str, url: str, *inputs: Input) -> Form:
    """A form for a table's rows: created by POST to ``url``, changed by PATCH to
    ``url/{key}``."""
    return Form(id=form_id, inputs=inputs, create_url=url, change_url=f"{url}/{{key}}")


def put_form(form_id: str, url: str, *inputs: Input) -> Form:
    """A form for rows sent whole: created and changed alike by PUT to ``url/{key}``."""
    row_url = f"{url}/{{key}}"
    return Form(
        id=form_id,
        inputs=inputs,
        create_url=row_url,
        change_url=row_url,
        create_method="PUT",
        change_method="PUT",
    )
