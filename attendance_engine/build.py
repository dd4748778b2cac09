"""Fast constructors for the engine's slotted frozen dataclasses.

A frozen dataclass's `__init__` sets each field through `object.__setattr__` and then runs
`__post_init__`'s checks: about a microsecond for a small class. A month's evaluation
builds ~100,000 punches and as many slot results whose values are valid by construction
(aware instants from the loader or from a day plan), so it builds them another way: the
same object, equal and hashed the same, at a fifth of the cost.

The object is made as an instance of a plain twin class with the same slots, whose fields
are set by ordinary attribute stores (the interpreter's fastest store), and then given its
real class: Python allows assigning `__class__` between classes of identical slot layout.
Setting each slot through the frozen class's slot descriptors instead (`__set__`) costs
more than twice as much, and a slot result has nine fields.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields
from typing import Any, TypeVar

T = TypeVar("T")


def frozen_builder(cls: type[T]) -> Callable[..., T]:
    """A positional constructor of ``cls`` (every field given, in order) without checks.

    Only for values that already satisfy the class's `__post_init__`; ``cls`` must be a
    frozen dataclass with slots.
    """
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    slots = cls.__dict__.get("__slots__")
    if slots is None or not names or set(names) - set(slots):
        raise TypeError(f"{cls.__name__} is not a slotted dataclass")
    twin = type(f"_Unfrozen{cls.__name__}", (object,), {"__slots__": tuple(slots)})
    namespace: dict[str, Any] = {"_twin": twin, "_cls": cls}
    body = "\n".join(f"    obj.{name} = {name}" for name in names)
    source = (
        f"def build({', '.join(names)}):\n    obj = _twin()\n{body}\n"
        "    obj.__class__ = _cls\n    return obj\n"
    )
    exec(source, namespace)  # fixed text made of the field names only
    build: Callable[..., T] = namespace["build"]
    build.__qualname__ = build.__name__ = f"build_{cls.__name__}"
    build.__doc__ = f"Build a {cls.__name__} from all its fields, in order, without checks."
    build(*[None] * len(names))  # fails here, not at first use, if the layouts differ
    return build
