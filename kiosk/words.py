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
    # Refusals a window console or the kiosk shows (kiosk.errors.QueueError.coded).
    "error.window_not_found": {"zh": "没有{number}号窗口", "en": "window {number} not found"},
    "error.ticket_not_found": {"zh": "没有第{ticket_id}号票", "en": "ticket {ticket_id} not found"},
    "error.unknown_service": {"zh": "没有事项“{code}”", "en": "unknown service {code!r}"},
    "error.no_services": {
        "zh": "{number}号窗口未配置办理事项",
        "en": "window {number} serves no service",
    },
    "error.nobody_waiting": {
        "zh": "{number}号窗口（{services}）当前无人等候",
        "en": "nobody is waiting for window {number} ({services})",
    },
    "error.not_served_here": {
        "zh": "{number}号窗口不办理{service}（{code}号）",
        "en": "window {number} does not serve {service} (ticket {code})",
    },
    "error.sent_elsewhere": {
        "zh": "{code}号已转至{window}号窗口",
        "en": "ticket {code} was sent to window {window}",
    },
    "error.not_today": {
        "zh": "{code}号是{day}的号，不是今天的",
        "en": "ticket {code} is from {day}, not today",
    },
    "error.no_ticket_in_hand": {
        "zh": "{number}号窗口当前没有正在办理的号（{state}）",
        "en": "window {number} has no ticket in hand ({state_en})",
    },
    "error.recall_limit": {
        "zh": "{code}号已重呼{recalls}次（已达上限）：请标记过号或挂起",
        "en": "ticket {code} was recalled {recalls} times (the limit): "
        "mark it a no-show or suspend it",
    },
    "error.suspended_elsewhere": {
        "zh": "{code}号挂起在{window}号窗口",
        "en": "ticket {code} was suspended at window {window}",
    },
    "error.not_a_post": {
        "zh": "{staff}不是{number}号窗口的AB岗人员（{posts}）",
        "en": "staff {staff!r} is not a post of window {number} ({posts})",
    },
    "error.transfer_to_itself": {
        "zh": "不能从{number}号窗口转给本窗口",
        "en": "cannot transfer from window {number} to itself",
    },
    "error.transfer_closed": {
        "zh": "{window}号窗口当前{state}：请转至开放的窗口",
        "en": "window {window} is {state_en}: transfer to an open window",
    },
    "error.transfer_not_served": {
        "zh": "{window}号窗口不办理{service}",
        "en": "window {window} does not serve {service}",
    },
    "error.no_open_window": {
        "zh": "当前没有开放的窗口办理{service}",
        "en": "no open window serves {service} now",
    },
    "error.missing_list": {
        "zh": "请列出所缺的全部材料，以打印一次性告知单",
        "en": "missing_documents: list every missing document for the one-time notice",
    },
    # A refused step of the state tables (kiosk.flow.FlowError): subject, state, action, hint.
    "flow.refused": {"zh": "{subject}当前为“{state}”，不能{action}：{hint}", "en": "{text}"},
    "flow.ticket": {"zh": "{name}号", "en": "ticket {name}"},
    "flow.window": {"zh": "{name}号窗口", "en": "window {name}"},
    "action.call": {"zh": "叫号", "en": "call"},
    "action.recall": {"zh": "重呼", "en": "recall"},
    "action.start": {"zh": "开始办理", "en": "start"},
    "action.no_show": {"zh": "标记过号", "en": "no show"},
    "action.suspend": {"zh": "挂起", "en": "suspend"},
    "action.call_back": {"zh": "回呼", "en": "call back"},
    "action.finish": {"zh": "办结", "en": "finish"},
    "action.transfer": {"zh": "转办", "en": "transfer"},
    "action.release": {"zh": "释放窗口", "en": "release"},
    "action.pause": {"zh": "暂停服务", "en": "pause"},
    "action.resume": {"zh": "恢复服务", "en": "resume"},
    "action.away": {"zh": "暂离", "en": "away"},
    "action.back": {"zh": "回到窗口", "en": "back"},
    "hint.ticket.call": {"zh": "只有等候中的号可以叫号", "en": ""},
    "hint.ticket.recall": {"zh": "只有已叫号且未开始办理的号可以重呼", "en": ""},
    "hint.ticket.start": {"zh": "只有已叫号的号可以开始办理", "en": ""},
    "hint.ticket.no_show": {"zh": "只有已叫号且未开始办理的号可以标记过号", "en": ""},
    "hint.ticket.suspend": {"zh": "只有已叫号或办理中的号可以挂起", "en": ""},
    "hint.ticket.call_back": {"zh": "只有已挂起的号可以回呼", "en": ""},
    "hint.ticket.finish": {"zh": "只有办理中的号可以办结（请先开始办理）", "en": ""},
    "hint.ticket.transfer": {"zh": "只有办理中的号可以转办", "en": ""},
    "hint.window.call": {
        "zh": "窗口须为空闲：请先办结、挂起当前号或标记过号，或恢复服务/回到窗口",
        "en": "",
    },
    "hint.window.release": {"zh": "窗口没有正在办理的号", "en": ""},
    "hint.window.pause": {"zh": "只有空闲的窗口可以暂停（请先办结当前号）", "en": ""},
    "hint.window.resume": {"zh": "只有暂停服务的窗口可以恢复", "en": ""},
    "hint.window.away": {"zh": "只有空闲或暂停的窗口可以暂离（请先办结当前号）", "en": ""},
    "hint.window.back": {"zh": "只有暂离的窗口可以回到窗口", "en": ""},
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
