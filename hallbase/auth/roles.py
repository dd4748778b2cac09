"""Roles of people and kinds of machines (hall rules), and the scopes they hold.

A scope is written ``hall``, ``unit:<code>``, ``window:<number>`` or ``self`` (a staff member's
own window and own records).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

Role = Literal[
    "admin",
    "supervisor",  # 督查
    "duty_chief",  # 值班长
    "window_lead",  # 窗口负责人, scoped to windows or a unit
    "leader_in_charge",  # 分管领导
    "director",  # 中心主任
    "staff",  # 窗口工作人员: own window, own records
]
ROLES: tuple[Role, ...] = get_args(Role)  # their names: labels.role in the catalogue

MachineKind = Literal[
    "kiosk", "hall_board", "window_board", "rating_pad", "keypad_bridge", "terminal"
]
MACHINE_KINDS: tuple[MachineKind, ...] = get_args(MachineKind)

ScopeKind = Literal["hall", "unit", "window", "self"]
_SCOPE = re.compile(r"hall|self|unit:[A-Za-z0-9_-]{1,20}|window:[0-9]{1,9}", re.ASCII)


@dataclass(frozen=True, order=True)
class Scope:
    """Where a grant or a machine key applies."""

    kind: ScopeKind
    value: str = ""

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}" if self.value else self.kind

    @classmethod
    def parse(cls, text: str) -> Scope:
        """``hall``, ``self``, ``unit:SCJ`` or ``window:3``; ValueError otherwise."""
        match = _SCOPE.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"scope {text!r}: give hall, self, unit:<code> or window:<number>")
        kind, _, value = match.group(0).partition(":")
        return cls(kind, str(int(value)) if kind == "window" else value)  # type: ignore[arg-type]


HALL = Scope("hall")
SELF = Scope("self")


def default_scope(role: Role) -> Scope:
    """The scope a role has when none is given; a window lead must name theirs."""
    if role == "staff":
        return SELF
    if role == "window_lead":
        raise ValueError("a window lead's scope is their unit or window: unit:<code> or window:<n>")
    return HALL


def check_grant(role: Role, scope: Scope) -> None:
    """Refuse scopes a role cannot hold: ``self`` is for staff only, and staff hold only it."""
    if (role == "staff") != (scope.kind == "self"):
        raise ValueError(f"role {role} cannot hold scope {scope}")
    if role == "window_lead" and scope.kind == "hall":
        raise ValueError("a window lead's scope is their unit or window, not the hall")


def check_machine_scope(scope: Scope) -> None:
    """A machine's key applies to the hall, a unit or a window: never ``self``."""
    if scope.kind == "self":
        raise ValueError("a machine key's scope is hall, unit:<code> or window:<number>")


# The office: everyone but window staff (a window lead within their scope).
OFFICE: tuple[Role, ...] = (
    "admin",
    "supervisor",
    "duty_chief",
    "window_lead",
    "leader_in_charge",
    "director",
)
# Roles that see every person's records (a window lead sees their scope's, staff their own).
HALL_WIDE: tuple[Role, ...] = ("admin", "supervisor", "duty_chief", "leader_in_charge", "director")
