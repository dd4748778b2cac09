"""Chinese and English names shown to staff on pages and in reports."""

from __future__ import annotations

STATUS = {
    "normal": ("正常", "Normal"),
    "late": ("迟到", "Late"),
    "early": ("早退", "Left early"),
    "absent": ("旷工", "Absent"),
    "missing": ("缺卡", "Missing punch"),
    "leave": ("请假", "On leave"),
    "out": ("外出", "Out on business"),
    "pending": ("待定", "Pending"),
    "off_post": ("脱岗", "Off post"),
    "window_uncovered": ("空岗", "Window uncovered"),
    "off": ("休息", "Day off"),
    "away": ("暂离", "Stepped away"),
    "duty_unrecorded": ("值班漏记", "Not recorded by the duty chief"),
}
SLOT = {
    "am_in": ("上午签到", "Morning sign-in"),
    "am_out": ("中午签退", "Noon sign-out"),
    "pm_in": ("下午签到", "Afternoon sign-in"),
    "pm_out": ("下午签退", "Evening sign-out"),
    "in": ("上班打卡", "Clock in"),
    "out": ("下班打卡", "Clock out"),
}
GRADE = {
    "excellent": ("优秀", "Excellent"),
    "qualified": ("合格", "Qualified"),
    "unqualified": ("不合格", "Unqualified"),
}
FLAG = {"return_to_unit": ("退回原单位", "Sent back to the home unit")}
ROLE = {
    "window_lead": ("窗口负责人", "Window lead"),
    "leader_in_charge": ("分管领导", "Leader in charge"),
    "director": ("中心主任", "Centre director"),
    "duty_chief": ("值班长", "Duty chief"),
}
LEAVE_KIND = {
    "personal": ("事假", "Personal leave"),
    "sick": ("病假", "Sick leave"),
    "annual": ("年休假", "Annual leave"),
    "home_visit": ("探亲假", "Home visit leave"),
    "marriage": ("婚假", "Marriage leave"),
    "maternity": ("产假", "Maternity leave"),
    "bereavement": ("丧假", "Bereavement leave"),
}
CATEGORY = {"在编": ("在编", "On establishment"), "聘用": ("聘用", "Contract")}
HALF = {"am": ("上午", "Morning"), "pm": ("下午", "Afternoon")}

_TABLES = {
    "status": STATUS,
    "slot": SLOT,
    "grade": GRADE,
    "flag": FLAG,
    "role": ROLE,
    "leave_kind": LEAVE_KIND,
    "category": CATEGORY,
    "half": HALF,
}


def label(table: str, code: str, lang: str = "zh") -> str:
    """The name of ``code`` in ``table`` for ``lang`` (zh or en); unknown codes show as is."""
    if table not in _TABLES:
        raise KeyError(f"no label table {table!r}; tables: {sorted(_TABLES)}")
    if lang not in ("zh", "en"):
        raise ValueError(f"language must be 'zh' or 'en', not {lang!r}")
    pair = _TABLES[table].get(str(code))
    if pair is None:
        return str(code)
    return pair[0] if lang == "zh" else pair[1]
