"""User-facing words in Simplified Chinese (default) and English."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

TEXT: dict[str, dict[Lang, str]] = {
    "home.title": {"zh": "首页", "en": "Home"},
    "home.pages": {"zh": "大厅页面", "en": "Hall pages"},
    "home.admin": {"zh": "管理与接口", "en": "Administration and API"},
    "home.api_docs": {"zh": "接口文档", "en": "API documentation"},
    "home.health": {"zh": "系统状态", "en": "System health"},
    "home.staff": {"zh": "工作人员", "en": "Staff"},
    "home.windows": {"zh": "窗口", "en": "Windows"},
    "home.services": {"zh": "办理事项", "en": "Services"},
    "home.calendar_warning": {
        "zh": "节假日数据不含{years}年：仅按周末及人工设置判断工作日，请补充节假日设置。",
        "en": "No holiday data for {years}: working days follow weekends and overrides only.",
    },
    "lang.switch": {"zh": "English", "en": "中文"},
}


def pick_lang(value: str | None, default: Lang = "zh") -> Lang:
    """The language asked for (``?lang=en``), else the hall's default."""
    return "en" if value == "en" else "zh" if value == "zh" else default


def t(key: str, lang: Lang, **fields: object) -> str:
    """Translate ``key``; unknown keys show as themselves so a gap is visible, not fatal."""
    entry = TEXT.get(key)
    text = entry[lang] if entry else key
    return text.format(**fields) if fields else text
