"""The API's refusals in the page's words: for each problem, the field (its name from
``office.field.*``) and what is wrong with it (``office.problem.*``).

The API answers in three forms: FastAPI's validation list (``loc`` names the field, ``type``
the problem, ``ctx`` its limit), a coded refusal (``code`` and ``message`` in every language),
or one English sentence from a route's own check (matched against `SENTENCES`). A sentence no
pattern knows is shown as it came, after the word for a refusal: never hidden.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from typing import Any

from hallbase.words import has, t

# A route's own checks, as they word them: (pattern, field or group number naming it, problem).
SENTENCES: tuple[tuple[str, str | int | None, str], ...] = (
    (r"window (?P<value>\d+) already exists", "number", "window_exists"),
    (r"(a_post|b_post): unknown staff number '(?P<value>.*)'", 1, "unknown_staff"),
    (r"b_post: the B post must be another person", "b_post", "same_person"),
    (r"services: a service is listed twice", "services", "listed_twice"),
    (r"services: unknown service '(?P<value>.*)'", "services", "unknown_service"),
    (r"unknown unit '(?P<value>.*)'", "unit_code", "unknown_unit"),
    (r"unknown schedule '(?P<value>.*)'", "schedule", "unknown_schedule"),
    (r"end_date is before start_date", "end_date", "end_before_start"),
    (r"PIN (?P<value>\S+) (?:already )?belongs to (?P<owner>\S+)", "pin", "pin_taken"),
    (r"a committed service .* needs promised_days", "promised_days", "committed_needs_days"),
    (r"open_to must be after open_from", "open_to", "closes_before_opening"),
    (r"unit '(?P<value>.*)' already exists", "code", "exists"),
    (r"service '(?P<value>.*)' already exists", "code", "exists"),
    (r"staff member '(?P<value>.*)' already exists", "staff_no", "exists"),
    (r"(unit|service|staff member) '(?P<value>.*)' is still referenced", None, "referenced"),
    (r"(unit|service|staff member) conflicts with an existing row.*", None, "conflict"),
    (r"terminal (?P<value>\S+) is not approved", None, "not_approved"),
    (r"terminal (?P<value>\S+) unavailable: (?P<why>.*)", None, "terminal_unavailable"),
    (r"terminal \S+ \(\w+\) keeps no user list", None, "no_user_list"),
    (r"terminal \S+ \(adms\) takes the service's time on every call", None, "clock_from_service"),
    (r"terminal \S+ \(\w+\) has no clock to set", None, "no_clock"),
    (r"no terminal with serial '(?P<value>.*)'", None, "no_terminal"),
    (r"PIN (?P<value>\S+) has no unmapped punches in the range given", "pin", "nothing_to_credit"),
    (r"unknown staff_no '(?P<value>.*)'", "staff_no", "unknown_staff"),
    (r".* not found", None, "not_found"),
    (r"no override for (?P<value>\S+)", "day", "not_found"),
    (r"duplicate \S+ (?P<value>\S+) \(first on line (?P<line>\d+)\)", "staff_no", "duplicate_row"),
    (r"bad date '(?P<value>.*)' \(use YYYY-MM-DD\)", None, "bad_date"),
    (r"missing column\(s\): (?P<value>.*)", None, "missing_columns"),
    (r"the file is empty", None, "empty_file"),
    (r"the file is neither UTF-8 nor GBK text", None, "bad_encoding"),
    (r"schedule '[^']*': (?P<value>.*)", "slots", "bad_slots"),
    (r"date_to is before date_from", "date_to", "end_before_start"),
)
_COMPILED = tuple((re.compile(p), f, k) for p, f, k in SENTENCES)
# The staff file's column names, as its rows' problems name them.
_ROW_FIELDS = {"unit": "unit_code"}
# A limit in brackets, ASCII or full-width (U+FF08, U+FF09): "(at most {max_length} ...)".
_OPEN, _CLOSE = chr(0xFF08), chr(0xFF09)
_LIMIT = re.compile(rf"[{_OPEN}(][^{_OPEN}{_CLOSE}()]*\{{[^}}]*\}}[^{_OPEN}{_CLOSE}()]*[{_CLOSE})]")


@dataclass(frozen=True)
class Problem:
    """One problem: the field it concerns (empty: the whole form) and what is wrong."""

    field: str
    problem: str
    key: str = ""  # the API's name of the field, for the page to mark it

    def line(self, lang: str) -> str:
        """The problem as one line: ``field: problem``."""
        if not self.field:
            return self.problem
        return t("office.problem.line", lang, field=self.field, problem=self.problem)


def field_name(path: list[Any], lang: str) -> str:
    """The name of the field at ``path`` (API names and list positions), in ``lang``."""
    parts = []
    for part in path:
        if isinstance(part, int):
            parts.append(t("office.problem.item", lang, n=part + 1))
        elif has(f"office.field.{part}"):
            parts.append(t(f"office.field.{part}", lang))
        else:
            parts.append(str(part))
    return t("office.problem.path_sep", lang).join(parts)


def _word(key: str, lang: str, fields: dict[str, Any]) -> str:
    """The word ``key`` with ``fields``; a limit the answer did not give is left out."""
    text = t(key, lang)
    wanted = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    if wanted - set(fields):
        text = _LIMIT.sub("", text).strip()
        wanted = {name for _, name, _, _ in string.Formatter().parse(text) if name}
        if wanted - set(fields):
            return t("office.problem.invalid", lang)
    return text.format(**{k: _show(v, lang) for k, v in fields.items()})


def _show(value: Any, lang: str) -> str:
    if isinstance(value, list | tuple):
        return t("office.problem.list_sep", lang).join(map(str, value))
    return str(value)


def _validation(item: dict[str, Any], lang: str) -> Problem:
    loc = [p for p in item.get("loc", []) if p not in ("body", "query", "path")]
    kind = str(item.get("type", ""))
    ctx = dict(item.get("ctx") or {})
    if kind == "literal_error" and "expected" in ctx:
        ctx["expected"] = str(ctx["expected"]).replace("'", "")
    key = f"office.problem.{kind}"
    if has(key):
        problem = _word(key, lang, ctx)
    else:  # a check of our own (value_error): its English reason, after the general word
        reason = str(item.get("msg", "")).removeprefix("Value error, ")
        problem = t("office.problem.invalid_because", lang, why=reason)
    key = next((str(p) for p in loc if isinstance(p, str)), "")
    return Problem(field_name(loc, lang), problem, key)


def _sentence(text: str, lang: str) -> Problem:
    for pattern, field, problem in _COMPILED:
        found = pattern.fullmatch(text.strip())
        if found is None:
            continue
        name = found.group(field) if isinstance(field, int) else field
        fields = {k: v for k, v in found.groupdict().items() if v is not None}
        where = field_name([name], lang) if name else ""
        return Problem(where, _word(f"office.problem.{problem}", lang, fields), name or "")
    return Problem("", t("office.problem.refused", lang, why=text))


def explain(status: int, body: Any, lang: str) -> list[Problem]:
    """Every problem of the API's answer ``body`` (HTTP ``status``), in ``lang``."""
    if isinstance(body, dict) and isinstance(body.get("message"), dict):
        message = body["message"]
        return [Problem("", str(message.get(lang) or message.get("zh") or body.get("detail")))]
    detail = body.get("detail") if isinstance(body, dict) else body
    if isinstance(detail, list):
        found = []
        for item in detail:
            if isinstance(item, dict):
                found.append(_validation(item, lang))
            else:  # a list of sentences (a holiday notice's problems, `key: what`)
                found.append(_sentence(str(item), lang))
        return found or [Problem("", t("office.problem.invalid", lang))]
    if isinstance(detail, str):
        return [_sentence(detail, lang)]
    return [Problem("", t("office.problem.status", lang, status=status))]


def explain_row(reason: str, lang: str) -> str:
    """A staff file row's problem (`hallkeeper.staff_io`) in ``lang``."""
    column, sep, rest = reason.partition(": ")
    if sep and re.fullmatch(r"[a-z_]+", column):  # a field's validation: `pin: String should ...`
        name = field_name([_ROW_FIELDS.get(column, column)], lang)
        return t("office.problem.line", lang, field=name, problem=_row_problem(rest, lang))
    return _sentence(reason, lang).line(lang)


# Pydantic's English sentences for the checks the staff file's fields have.
_ROW_SENTENCES = (
    (r"String should match pattern .*", "string_pattern_mismatch"),
    (r"String should have at least (?P<min_length>\d+) characters?", "string_too_short"),
    (r"String should have at most (?P<max_length>\d+) characters?", "string_too_long"),
    (r"Input should be (?P<expected>.*)", "literal_error"),
    (r"Field required", "missing"),
    (r"Input should be a valid date.*", "date_parsing"),
)


def _row_problem(text: str, lang: str) -> str:
    for pattern, kind in _ROW_SENTENCES:
        found = re.fullmatch(pattern, text)
        if found:
            fields = dict(found.groupdict())
            if "expected" in fields:
                fields["expected"] = fields["expected"].replace("'", "")
            return _word(f"office.problem.{kind}", lang, fields)
    return t("office.problem.invalid_because", lang, why=text.removeprefix("Value error, "))
