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
        "zh": "节假日数据不含{years}年：仅按周末及人工设置判断工作日。"
        "国务院办公厅发布该年节假日安排后，请导入（hallkeeper holidays import 文件）。",
        "en": "No holiday data for {years}: working days follow weekends and overrides only. "
        "Import the State Council's arrangement for it (hallkeeper holidays import FILE).",
    },
    "lang.switch": {"zh": "English", "en": "中文"},
    "devices.refresh": {"zh": "每10秒自动刷新", "en": "Refreshes every 10 seconds"},
    "devices.name": {"zh": "设备", "en": "Device"},
    "devices.kind": {"zh": "类型", "en": "Kind"},
    "devices.state": {"zh": "状态", "en": "State"},
    "devices.last_sync": {"zh": "最近同步", "en": "Last sync"},
    "devices.error": {"zh": "最近错误", "en": "Last error"},
    "devices.none": {"zh": "尚未配置设备", "en": "No devices configured"},
    "devices.state.up": {"zh": "在线", "en": "Online"},
    "devices.state.down": {"zh": "离线", "en": "Offline"},
    "devices.state.unknown": {"zh": "未知", "en": "Unknown"},
    "devices.state.unapproved": {"zh": "待审批", "en": "Awaiting approval"},
    "devices.printer": {"zh": "取号打印机", "en": "Ticket printer"},
    "devices.led": {"zh": "LED显示屏总线", "en": "LED board bus"},
    "devices.keypads": {"zh": "呼叫器/评价器总线", "en": "Keypad bus"},
}


def pick_lang(value: str | None, default: Lang = "zh") -> Lang:
    """The language asked for (``?lang=en``), else the hall's default."""
    return "en" if value == "en" else "zh" if value == "zh" else default


def t(key: str, lang: Lang, **fields: object) -> str:
    """Translate ``key``; unknown keys show as themselves so a gap is visible, not fatal."""
    entry = TEXT.get(key)
    text = entry[lang] if entry else key
    return text.format(**fields) if fields else text
