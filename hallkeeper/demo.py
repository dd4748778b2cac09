"""The simulated hall that `hallkeeper demo` runs: every device simulator that exists."""

from __future__ import annotations

from hallkeeper.app import Parts
from hallkeeper.settings import Settings


def demo_parts(settings: Settings) -> Parts:
    """Background parts of the demo: simulators and the adapters that talk to them."""
    del settings
    return Parts()
