"""Verdicts are serialized exactly as `json.dumps` writes them."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from attendance.verdict_store import _dumps

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
    max_leaves=30,
)


@given(json_values)
def test_the_verdict_encoder_writes_what_json_dumps_writes(value: Any) -> None:
    assert _dumps(value) == json.dumps(value)
