"""Labels (``labels.*`` in the catalogue): every status the engine emits has a Chinese and an
English name."""

from __future__ import annotations

import pytest

from attendance_engine import Status
from attendance_engine.rules import Rules
from attendance_engine.violations import KINDS
from hallbase.words import has, label


def test_every_status_and_violation_kind_has_both_names() -> None:
    for code in [*(s.value for s in Status), *KINDS]:
        assert has(f"labels.status.{code}")
        zh, en = label("status", code), label("status", code, "en")
        assert zh and en and zh != en


def test_the_staff_words_are_used() -> None:
    names = {label("status", s) for s in ("normal", "late", "early", "absent", "missing")}
    assert names == {"正常", "迟到", "早退", "旷工", "缺卡"}
    assert [
        label("status", s) for s in ("leave", "out", "pending", "off_post", "window_uncovered")
    ] == [
        "请假",
        "外出",
        "待定",
        "脱岗",
        "空岗",
    ]
    assert label("status", Status.LATE, "en") == "Late"
    assert label("grade", "excellent") == "优秀"
    assert label("role", "window_lead") == "窗口负责人"


def test_unknown_codes_show_as_is_and_bad_tables_fail() -> None:
    assert label("status", "mystery") == "mystery"
    with pytest.raises(KeyError, match="no label table"):
        label("colour", "red")
    assert label("status", "late", "fr") == "迟到"  # a language not present: Chinese


def test_every_ladder_code_has_text() -> None:
    for ladder in Rules().ladders.values():
        assert all(step.zh and step.en and step.code for step in ladder)
