"""The catalogue of words: complete in Chinese and English, a third language added by a file,
fallback to Chinese, and no user-facing Chinese left in the code outside it."""

from __future__ import annotations

import ast
import csv
import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hallbase import words
from hallbase.db import make_engine
from hallbase.errors import ConfigError
from hallbase.settings import load_settings
from hallkeeper.app import create_app
from tests.helpers.auth import admin_headers

ROOT = Path(__file__).resolve().parents[2]
# Uyghur, as a hall in Xinjiang would add it: a few words, the rest falls back to Chinese.
UYGHUR = """
[titles]
kiosk = "نومۇر ئېلىش"

[pages]
choose_service = "مۇلازىمەت تۈرىنى تاللاڭ"

[export.group]
service = "مۇلازىمەت"

[queue.error]
window_not_found = "{number}-كۆزنەك يوق"
"""


@pytest.fixture
def uyghur(tmp_path: Path) -> Iterator[Path]:
    """A hall folder with ug.toml; the catalogue is back to the shipped files afterwards."""
    folder = tmp_path / "words"
    folder.mkdir()
    (folder / "ug.toml").write_text(UYGHUR, encoding="utf-8")
    yield folder
    words.use_dir(None)


def test_every_key_has_chinese_and_english() -> None:
    words.use_dir(None)
    zh, en = words.keys("zh"), words.keys("en")
    assert zh == en, f"only in zh: {sorted(zh - en)}; only in en: {sorted(en - zh)}"
    assert len(zh) > 400
    assert words.languages() == ("zh", "en")


def test_the_shipped_words_are_unchanged() -> None:
    words.use_dir(None)
    assert words.t("queue.call", code="A001", window=3) == "请A001号到3号窗口办理"
    english = words.t("queue.call", "en", code="A001", window=3)
    assert english == "Ticket A001, please go to window 3"
    assert words.t("devices.state") == "状态" and words.t("devices.state.up") == "在线"
    assert words.t("holidays.New Year's Day") == "元旦"
    assert words.label("category", "在编", "en") == "On establishment"
    assert words.each("titles.kiosk") == {"zh": "自助取号", "en": "Take a ticket"}


def test_a_third_language_falls_back_to_chinese_and_logs_once(
    uyghur: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="hallbase.words"):
        words.use_dir(uyghur)
        assert words.languages() == ("zh", "en", "ug")
        assert words.t("titles.kiosk", "ug") == "نومۇر ئېلىش"
        assert words.t("titles.board", "ug") == "大厅叫号屏"
        assert words.t("titles.board", "ug") == "大厅叫号屏"
        assert words.each("titles.board")["ug"] == "大厅叫号屏"
        assert words.t("no.such.key", "ug") == words.t("no.such.key") == "no.such.key"
    gaps = [r.getMessage() for r in caplog.records]
    assert len(gaps) == 2, gaps  # the language's gaps once, the unknown key once
    assert "ug.toml" in gaps[0] and f"lacks {len(words.keys()) - 4} words" in gaps[0]
    assert words.pick_lang("ug") == "ug" and words.pick_lang("fr") == "zh"


def test_a_language_must_be_present(uyghur: Path, tmp_path: Path) -> None:
    words.use_dir(None)
    with pytest.raises(ValueError, match="unknown language 'ug'"):
        words.known("ug")
    hall = tmp_path / "hall.toml"
    shipped = (ROOT / "config" / "hall.toml").read_text(encoding="utf-8")
    hall.write_text(re.sub(r'(?m)^language = "zh"', 'language = "ug"', shipped), "utf-8")
    assert 'language = "ug"' in hall.read_text(encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown language"):
        load_settings(config=hall, data_dir=tmp_path, database_url="", mqtt_url="")
    settings = load_settings(
        config=hall, data_dir=tmp_path, database_url="", mqtt_url="", words_dir=uyghur
    )
    assert settings.hall.hall.language == "ug"
    with pytest.raises(ConfigError, match="HALLKEEPER_WORDS_DIR"):
        load_settings(data_dir=tmp_path, words_dir=tmp_path / "nowhere")


def test_a_page_and_the_api_serve_a_language_added_by_a_file(uyghur: Path, tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, database_url="", mqtt_url="", words_dir=uyghur)
    app = create_app(settings, engine=make_engine(f"sqlite:///{tmp_path / 'test.db'}"))
    with TestClient(app, headers=admin_headers(app)) as client:  # an admin sees every page
        page = client.get("/kiosk?lang=ug")
        assert page.status_code == 200
        assert "نومۇر ئېلىش" in page.text and "مۇلازىمەت تۈرىنى تاللاڭ" in page.text
        assert "请输入16位预约码" in page.text  # a word ug.toml lacks: Chinese
        assert "自助取号" in client.get("/kiosk").text
        exported = client.get("/api/v1/stats/export.csv?lang=ug").content.decode("utf-8-sig")
        header = next(csv.reader(io.StringIO(exported)))
        assert header[0] == "مۇلازىمەت" and header[1] == "取号数"
        assert client.get("/api/v1/stats/export.csv?lang=fr").status_code == 422
        refused = client.get("/api/v1/windows/999/queue")
        assert refused.status_code == 404
        assert refused.json()["message"]["ug"] == "999-كۆزنەك يوق"
        assert refused.json()["message"]["zh"] == "没有999号窗口"
        for path in ("/attendance/board?lang=ug", "/attendance/duty?lang=ug", "/?lang=ug"):
            assert client.get(path).status_code == 200, path


CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
GLOSS = re.compile(r"\([^()]*\)")  # "Pause service (暂停服务)": an English text naming the term
# Chinese that is data, not words shown: what files and the hall file contain.
DATA = {
    "hallbase/hallconfig/__init__.py": "the hall file's staff categories (在编, 聘用)",
    "attendance/requests.py": "leave kinds as staff type them (年假 for 年休假)",
    "hallkeeper/staff_io.py": "the staff file's Chinese column headers and date format",
    "hallkeeper/demo.py": "the demo hall's own file (terminal names, a holiday note)",
    "hallkeeper/demo_accounts.py": "the demo's people (their names and account names)",
}


def _literals(path: Path) -> Iterator[tuple[int, str]]:
    """Every string constant of a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docs: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docs.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            yield node.lineno, node.value


def test_no_chinese_words_outside_the_catalogue() -> None:
    # The engine and devices/ import nothing of ours (their defaults are data of their own).
    found = []
    for room in ("hallbase", "kiosk", "attendance", "hallkeeper"):
        for path in sorted((ROOT / room).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            for line, value in _literals(path):
                if CJK.search(GLOSS.sub("", value)) and name not in DATA:
                    found.append(f"{name}:{line}: {value!r}")
    assert not found, "words belong in hallbase/words/*.toml:\n" + "\n".join(found)
    for name in DATA:  # the exceptions still hold Chinese, or they go
        assert any(CJK.search(v) for _l, v in _literals(ROOT / name)), name
