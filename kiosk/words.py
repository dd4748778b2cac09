"""Words citizens and staff see or hear: Simplified Chinese by default, English available."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

WORDS: dict[str, dict[Lang, str]] = {
    "call": {
        "zh": "请{code}号到{window}号窗口办理",
        "en": "Ticket {code}, please go to window {window}",
    },
    "recall": {
        "zh": "请{code}号到{window}号窗口办理（再次呼叫）",
        "en": "Ticket {code}, please go to window {window} (repeat call)",
    },
    "next_window": {"zh": "下一个是{window}号窗口", "en": "Next, please go to window {window}"},
    "next_service": {
        "zh": "下一个是{service}（请稍候叫号）",
        "en": "Next: {service} (please wait to be called)",
    },
    "ticket.title": {"zh": "排队凭条", "en": "Queue ticket"},
    "ticket.ahead": {"zh": "您前面还有{ahead}人", "en": "{ahead} people ahead of you"},
    "ticket.wait": {"zh": "预计等候约{minutes}分钟", "en": "Estimated wait: about {minutes} min"},
    "ticket.documents": {"zh": "请备好以下材料", "en": "Please have these documents ready"},
    "notice.title": {"zh": "一次性告知单", "en": "One-time notice of missing documents"},
    "notice.intro": {
        "zh": "您办理的{service}尚缺以下材料，请补齐后再来办理：",
        "en": "Your {service} application still needs these documents:",
    },
    "channel.normal": {"zh": "普通", "en": "Regular"},
    "channel.priority": {"zh": "绿色通道", "en": "Priority"},
    "channel.appointment": {"zh": "预约", "en": "Appointment"},
    "reason.elderly": {"zh": "老年人", "en": "Elderly"},
    "reason.disabled": {"zh": "残疾人", "en": "Disabled"},
    "reason.military": {"zh": "军人", "en": "Military"},
    "window.idle": {"zh": "空闲", "en": "Idle"},
    "window.serving": {"zh": "办理中", "en": "Serving"},
    "window.paused": {"zh": "暂停服务", "en": "Service paused"},
    "window.away": {"zh": "暂离", "en": "Away"},
    "status.waiting": {"zh": "等候中", "en": "Waiting"},
    "status.called": {"zh": "已叫号", "en": "Called"},
    "status.serving": {"zh": "办理中", "en": "In service"},
    "status.suspended": {"zh": "已挂起", "en": "Suspended"},
    "status.finished": {"zh": "已办结", "en": "Finished"},
    "status.no_show": {"zh": "过号", "en": "No-show"},
    "outcome.done": {"zh": "办结", "en": "Done"},
    "outcome.missing_documents": {"zh": "材料不全", "en": "Documents missing"},
    "outcome.transferred": {"zh": "转办", "en": "Transferred"},
    "rating.attitude": {"zh": "态度", "en": "Attitude"},
    "rating.quality": {"zh": "质量", "en": "Quality"},
    "rating.efficiency": {"zh": "效率", "en": "Efficiency"},
    "rating.integrity": {"zh": "廉洁", "en": "Integrity"},
    "rating.overall": {"zh": "总体评价", "en": "Overall"},
    "alert.queue_wait": {
        "zh": "{code}号（{service}）已等候{minutes}分钟，超过最长等候时间{limit}分钟",
        "en": "Ticket {code} ({service}) has waited {minutes} min, over the {limit}-min limit",
    },
    "alert.service_time": {
        "zh": "{window}号窗口办理{code}号（{service}）已{minutes}分钟，超过最长办理时间{limit}分钟",
        "en": "Window {window}: ticket {code} ({service}) in service {minutes} min, "
        "over the {limit}-min limit",
    },
    "alert.committed_overdue": {
        "zh": "承诺件{code}（{service}）超过承诺办结日期{date}仍未办结",
        "en": "Committed item {code} ({service}) is past its promised date {date}",
    },
}


def word(key: str, lang: Lang = "zh", **fields: object) -> str:
    """The text for ``key``; an unknown key shows as itself so that a gap is visible."""
    entry = WORDS.get(key)
    text = entry[lang] if entry else key
    return text.format(**fields) if fields else text


def announcement(code: str, window: int, *, repeat: bool = False) -> dict[Lang, str]:
    """The call's voice and board text in both languages: 请A001号到3号窗口办理."""
    key = "recall" if repeat else "call"
    return {lang: word(key, lang, code=code, window=window) for lang in ("zh", "en")}


def both(key: str, **fields: object) -> dict[Lang, str]:
    """The text for ``key`` in both languages."""
    return {lang: word(key, lang, **fields) for lang in ("zh", "en")}
