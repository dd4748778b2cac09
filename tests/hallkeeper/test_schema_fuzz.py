"""A bounded schemathesis run over the whole OpenAPI schema finds no server error.

Deterministic (fixed seed, derandomized, no example database) and bounded (12 generated examples
per operation, plus schemathesis's boundary cases: ids past 2**63, nulls, offsets, ...), against
the real app on SQLite. The schema (a login's) and every call carry an administrator's bearer
token, so that every change route runs its handler instead of answering 401.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

import schemathesis
from schemathesis.config import SchemathesisConfig

from hallbase.settings import load_settings
from hallkeeper.app import create_app
from tests.helpers.auth import add_account, api_token

CONFIG = {
    "seed": 18,
    "generation": {"max-examples": 12, "deterministic": True, "database": "none"},
    "checks": {"enabled": False, "not_a_server_error": {"enabled": True}},
}
DATA = Path(tempfile.mkdtemp(prefix="hallkeeper-fuzz-"))
atexit.register(shutil.rmtree, DATA, ignore_errors=True)  # also when no test here runs
APP = create_app(load_settings(data_dir=DATA, database_url="", mqtt_url=""))
# The schema is read at collection (schemathesis makes one test per operation from it). The
# event stream never ends by itself: its own tests are in tests/kiosk.
add_account(APP, "fuzz_admin", "admin")
HEADERS = {"Authorization": f"Bearer {api_token(APP, 'fuzz_admin')}"}
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", APP, config=SchemathesisConfig.from_dict(CONFIG), headers=HEADERS
).exclude(path="/api/v1/events")


@schema.parametrize()
def test_no_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(headers=HEADERS)
