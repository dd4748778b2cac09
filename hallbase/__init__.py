"""The lower layer both rooms stand on: settings, hall file, database, shared tables, outbox.

It imports only `attendance_engine` and nothing above it (`attendance`, `kiosk`, `hallkeeper`).
"""

from pathlib import Path

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"  # the page frame every room's pages extend (base.html)
STATIC = HERE / "static"  # the frame's style sheet (hall.css)
