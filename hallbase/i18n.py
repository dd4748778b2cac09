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
# Messages of refused attendance requests, by error code (see hallbase.errors.CodedError).
ERRORS: dict[str, dict[Lang, str]] = {
    "unknown_staff": {
        "zh": "没有工号为{staff_no}的工作人员",
        "en": "unknown staff_no {staff_no!r}",
    },
    "leave_overlap": {
        "zh": "{name}在{start}至{end}已有请假（第{id}号，{status_zh}），时间重叠，不能重复申请",
        "en": "{staff_no} already has leave {id} ({status}) from {start} to {end}; "
        "this one overlaps it",
    },
    "out_overlap": {
        "zh": "{name}在{start}至{end}已有外出备案（第{id}号，{status_zh}），时间重叠",
        "en": "{staff_no} already has out registration {id} ({status}) from {start} to {end}; "
        "this one overlaps it",
    },
    "makeup_duplicate": {
        "zh": "{name}{day}的{slot_zh}已有补卡申请（第{id}号，{status_zh}），不能重复申请",
        "en": "{staff_no} already has make-up {id} ({status}) for {slot} on {day}",
    },
    "makeup_limit": {
        "zh": "{name}{month}已有{count}次补卡，每月最多{limit}次",
        "en": "{staff_no} already has {count} make-ups in {month}; the limit is {limit} a month",
    },
    "unknown_leave_kind": {
        "zh": "未知的假别“{kind}”，可选：{kinds}",
        "en": "unknown leave kind {kind!r}; one of: {kinds}",
    },
    "no_substitute": {
        "zh": "{name}的请假为{days}天，须有顶岗人员（AB岗）：请指定顶岗人",
        "en": "leave of {days} days needs a substitute on site (A/B post rule): no_substitute; "
        "name a stand-in with 'substitute'",
    },
    "not_pending": {
        "zh": "申请第{id}号当前为{status_zh}，不是待审批状态",
        "en": "{what} {id} is {status}, not pending",
    },
    "duty_not_yet": {"zh": "{day}尚未到来，不能签字", "en": "{day} has not come yet"},
    "duty_not_a_signer": {
        "zh": "{who}不是值班长或领导，不能签署值班记录",
        "en": "{who!r} is not a duty chief or a leader",
    },
    "duty_signed": {"zh": "{day}的值班记录已签字", "en": "{day} is already signed"},
}
REQUEST_STATUS: dict[str, dict[Lang, str]] = {
    "pending": {"zh": "待审批", "en": "pending"},
    "approved": {"zh": "已批准", "en": "approved"},
    "rejected": {"zh": "已驳回", "en": "rejected"},
    "cancelled": {"zh": "已撤销", "en": "cancelled"},
}


def error_message(code: str, **fields: object) -> dict[str, str]:
    """The message of error ``code`` in both languages, its fields filled in."""
    entry = ERRORS[code]
    return {lang: entry[lang].format(**fields) for lang in ("zh", "en")}


def pick_lang(value: str | None, default: Lang = "zh") -> Lang:
    """The language asked for (``?lang=en``), else the hall's default."""
    return "en" if value == "en" else "zh" if value == "zh" else default


def t(key: str, lang: Lang, **fields: object) -> str:
    """Translate ``key``; unknown keys show as themselves so a gap is visible, not fatal."""
    entry = TEXT.get(key)
    text = entry[lang] if entry else key
    return text.format(**fields) if fields else text
