"""Words on the hall's pages (kiosk, window console, hall board, rating pad, supervisor):
Simplified Chinese by default, English with ``?lang=en``."""

from __future__ import annotations

from kiosk.words import Lang

TITLES: dict[str, dict[Lang, str]] = {
    "kiosk": {"zh": "自助取号", "en": "Take a ticket"},
    "console": {"zh": "窗口叫号", "en": "Window console"},
    "console_index": {"zh": "窗口叫号与评价器", "en": "Window consoles and rating pads"},
    "board": {"zh": "大厅叫号屏", "en": "Hall board"},
    "rate": {"zh": "服务评价", "en": "Rate our service"},
    "supervisor": {"zh": "监督大屏", "en": "Supervisor dashboard"},
}

WORDS: dict[str, dict[Lang, str]] = {
    # kiosk
    "choose_service": {"zh": "请选择办理事项", "en": "Please choose a service"},
    "waiting_n": {"zh": "等候 {n} 人", "en": "{n} waiting"},
    "closed": {"zh": "暂停取号", "en": "Closed"},
    "check_in": {"zh": "预约签到", "en": "Appointment check-in"},
    "priority": {"zh": "绿色通道", "en": "Priority lane"},
    "priority_hint": {
        "zh": "老年人、残疾人、军人优先办理，请选择类别",
        "en": "Elderly, disabled and military citizens are served first: choose one",
    },
    "priority_on": {
        "zh": "绿色通道：{reason}，请选择办理事项",
        "en": "Priority ({reason}): choose a service",
    },
    "code_tab": {"zh": "预约码", "en": "Booking code"},
    "id_tab": {"zh": "身份证号", "en": "ID card number"},
    "enter_code": {"zh": "请输入8位预约码", "en": "Enter your 8-digit booking code"},
    "enter_id": {"zh": "请输入18位身份证号", "en": "Enter your 18-character ID number"},
    "clear": {"zh": "清空", "en": "Clear"},
    "delete": {"zh": "删除", "en": "Delete"},
    "confirm": {"zh": "确认", "en": "Confirm"},
    "back": {"zh": "返回", "en": "Back"},
    "done": {"zh": "完成", "en": "Done"},
    "your_number": {"zh": "您的号码", "en": "Your number"},
    "documents": {"zh": "请备好以下材料", "en": "Please have these documents ready"},
    "no_documents": {"zh": "无需准备材料", "en": "No documents needed"},
    "returning": {"zh": "{s}秒后返回首页", "en": "Back to the start in {s} s"},
    "take_failed": {"zh": "取号未成功", "en": "Could not take a ticket"},
    "check_in_failed": {"zh": "签到未成功", "en": "Check-in failed"},
    "not_found": {
        "zh": "未找到预约，请核对后重试或到咨询台求助",
        "en": "No booking found: check and try again, or ask at the help desk",
    },
    "ask_help": {"zh": "如需帮助，请到咨询台", "en": "For help, please ask at the help desk"},
    "printer_down": {
        "zh": "凭条打印暂不可用，取号后请记下屏幕上的号码",
        "en": "Tickets cannot be printed right now: please note your number on screen",
    },
    "network_error": {"zh": "网络连接中断，请稍候再试", "en": "Connection lost: please try again"},
    # console
    "current": {"zh": "当前办理", "en": "Now serving"},
    "nobody": {"zh": "暂无办理对象", "en": "Nobody at the window"},
    "call_next": {"zh": "叫号", "en": "Call next"},
    "recall": {"zh": "重呼", "en": "Recall"},
    "start": {"zh": "开始办理", "en": "Start"},
    "no_show": {"zh": "过号", "en": "No-show"},
    "suspend": {"zh": "挂起", "en": "Suspend"},
    "call_back": {"zh": "回呼", "en": "Call back"},
    "call_this": {"zh": "叫此号", "en": "Call"},
    "finish": {"zh": "办结", "en": "Finish"},
    "missing": {"zh": "材料不全", "en": "Documents missing"},
    "transfer": {"zh": "转办", "en": "Transfer"},
    "pause": {"zh": "暂停服务", "en": "Pause"},
    "resume": {"zh": "恢复服务", "en": "Resume"},
    "away": {"zh": "暂离", "en": "Away"},
    "back_at_post": {"zh": "返回岗位", "en": "Back at post"},
    "waiting_list": {"zh": "本窗口等候", "en": "Waiting for this window"},
    "suspended_list": {"zh": "已挂起", "en": "Suspended"},
    "staff": {"zh": "在岗人员", "en": "Staff at post"},
    "time_spent": {"zh": "已用时", "en": "Time spent"},
    "waited": {"zh": "已等", "en": "Waited"},
    "minutes": {"zh": "分钟", "en": "min"},
    "choose_missing": {
        "zh": "请勾选缺少的材料（将打印一次性告知单）",
        "en": "Tick the missing documents (a one-time notice is printed)",
    },
    "other_document": {"zh": "其他材料（可不填）", "en": "Other document (optional)"},
    "to_window": {"zh": "转到窗口", "en": "To window"},
    "to_service": {"zh": "或转到事项", "en": "Or to service"},
    "come_back": {"zh": "办完后回到本窗口", "en": "Come back to this window afterwards"},
    "cancel": {"zh": "取消", "en": "Cancel"},
    "refused": {"zh": "操作未完成：", "en": "Not done: "},
    "post_a": {"zh": "A岗", "en": "A post"},
    "post_b": {"zh": "B岗", "en": "B post"},
    "empty": {"zh": "无", "en": "None"},
    # board
    "now_calling": {"zh": "正在呼叫", "en": "Now calling"},
    "window_n": {"zh": "{n}号窗口", "en": "Window {n}"},
    "waiting_by_service": {"zh": "各事项等候人数", "en": "Waiting per service"},
    "service": {"zh": "办理事项", "en": "Service"},
    "waiting": {"zh": "等候", "en": "Waiting"},
    "estimate": {"zh": "预计等候", "en": "Est. wait"},
    "speech_off": {"zh": "点击开启语音播报", "en": "Tap to turn on voice calls"},
    # rating pad
    "rating_pad": {"zh": "评价器", "en": "Rating pad"},
    "console_link": {"zh": "叫号控制台", "en": "Console"},
    "rate_title": {"zh": "请对本次服务进行评价", "en": "Please rate this service"},
    "rate_wait": {"zh": "办结后请在此评价", "en": "You can rate the service here when it ends"},
    "submit": {"zh": "提交评价", "en": "Submit"},
    "thanks": {"zh": "感谢您的评价！", "en": "Thank you for your rating!"},
    "already_rated": {
        "zh": "该号已评价，每个号只能评价一次",
        "en": "This ticket has already been rated: one rating per ticket",
    },
    "score_1": {"zh": "很不满意", "en": "Very poor"},
    "score_2": {"zh": "不满意", "en": "Poor"},
    "score_3": {"zh": "基本满意", "en": "Fair"},
    "score_4": {"zh": "满意", "en": "Good"},
    "score_5": {"zh": "非常满意", "en": "Excellent"},
    # supervisor
    "windows_live": {"zh": "窗口实时状态", "en": "Windows now"},
    "queues": {"zh": "排队情况", "en": "Queues"},
    "limits": {"zh": "超限提醒", "en": "Limits exceeded"},
    "no_limits": {"zh": "暂无超限", "en": "Nothing over its limit"},
    "today": {"zh": "今日统计", "en": "Today's statistics"},
    "over_wait": {
        "zh": "{service}最长已等{m}分钟（上限{max}分钟）",
        "en": "{service}: oldest waited {m} min (limit {max})",
    },
    "over_queue": {
        "zh": "{service}等候{n}人，超过上限",
        "en": "{service}: {n} waiting, over the limit",
    },
    "over_service": {
        "zh": "{n}号窗口办理{code}已{m}分钟（上限{max}分钟）",
        "en": "Window {n}: {code} for {m} min (limit {max})",
    },
    "long_away": {"zh": "{n}号窗口{state}已{m}分钟", "en": "Window {n}: {state} for {m} min"},
    "tickets": {"zh": "取号", "en": "Tickets"},
    "served": {"zh": "办结", "en": "Served"},
    "no_shows": {"zh": "过号", "en": "No-shows"},
    "wait_mean": {"zh": "平均等候(分)", "en": "Mean wait (min)"},
    "service_mean": {"zh": "平均办理(分)", "en": "Mean service (min)"},
    "on_time": {"zh": "承诺件按时率", "en": "On-time rate"},
    "rating_mean": {"zh": "满意度(1-5)", "en": "Rating (1-5)"},
    "chart_hour": {
        "zh": "各时段等候与办理时长（分钟）",
        "en": "Wait and service time by hour (min)",
    },
    "chart_service": {
        "zh": "各事项等候与办理时长（分钟）",
        "en": "Wait and service time by service (min)",
    },
    "chart_window": {"zh": "各窗口办结量", "en": "Served per window"},
    "chart_staff": {"zh": "各工作人员办结量", "en": "Served per staff member"},
    "chart_rating": {"zh": "各窗口满意度", "en": "Rating per window"},
    "legend_wait": {"zh": "平均等候", "en": "Mean wait"},
    "legend_service": {"zh": "平均办理", "en": "Mean service"},
    "no_data": {"zh": "暂无数据", "en": "No data yet"},
    "export": {"zh": "导出", "en": "Export"},
    "state": {"zh": "状态", "en": "State"},
    "ticket": {"zh": "号码", "en": "Ticket"},
    "window": {"zh": "窗口", "en": "Window"},
    "oldest": {"zh": "最长等候(分)", "en": "Oldest wait (min)"},
    "open_windows": {"zh": "开放窗口", "en": "Open windows"},
    "live_lost": {"zh": "实时连接中断，正在重连…", "en": "Live connection lost, reconnecting…"},
}


def words_for(lang: Lang) -> dict[str, str]:
    """Every page word in ``lang``."""
    return {key: entry[lang] for key, entry in WORDS.items()}
