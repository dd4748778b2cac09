"""Chinese reading rules for calls, as halls announce them (pure functions).

A ticket is read character by character, its digits one by one (A001: A 零 零 一); the window
is read as a cardinal number (12: 十二, 105: 一百零五). A call reads
请 <ticket> 号 到 <window> 号窗口 办理. The results are clip names (see `CLIP_NAMES`), the
file names of the clip folder without ``.wav``.
"""

from __future__ import annotations

import string

DIGITS = tuple(string.digits)  # 零 一 二 三 四 五 六 七 八 九: "0".."9"
LETTERS = tuple(string.ascii_uppercase)
TEN = "ten"  # 十
HUNDRED = "hundred"  # 百
PLEASE = "please"  # 请
NUMBER = "number"  # 号 (after the ticket)
TO = "to"  # 到
WINDOW = "window"  # 号窗口 (after the window number)
HANDLE = "handle"  # 办理
CLIP_NAMES = (*DIGITS, TEN, HUNDRED, *LETTERS, PLEASE, NUMBER, TO, WINDOW, HANDLE)
MAX_CARDINAL = 999


def ticket_clips(code: str) -> list[str]:
    """A ticket number read character by character: ``A001`` -> A 零 零 一."""
    if not code:
        raise ValueError("a ticket number to read is empty")
    out: list[str] = []
    for char in code.upper():
        if char not in DIGITS and char not in LETTERS:
            raise ValueError(f"ticket number {code!r}: cannot read {char!r} (letters and digits)")
        out.append(char)
    return out


def cardinal_clips(number: int) -> list[str]:
    """A number from 0 to 999 read as a cardinal: 10 十, 12 十二, 20 二十, 105 一百零五."""
    if not 0 <= number <= MAX_CARDINAL:
        raise ValueError(f"cannot read {number} as a window number (0 to {MAX_CARDINAL})")
    if number < 10:
        return [DIGITS[number]]
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    out: list[str] = []
    if hundreds:
        out += [DIGITS[hundreds], HUNDRED]
        if tens == 0 and units:
            out.append(DIGITS[0])  # 一百零五
    if tens:
        if hundreds or tens > 1:
            out.append(DIGITS[tens])  # 一百一十, 二十; but 十二, not 一十二
        out.append(TEN)
    if units:
        out.append(DIGITS[units])
    return out


def call_clips(code: str, window: int) -> list[str]:
    """The whole call: 请 A 零 零 一 号 到 十 二 号窗口 办理 for ticket A001 to window 12."""
    return [PLEASE, *ticket_clips(code), NUMBER, TO, *cardinal_clips(window), WINDOW, HANDLE]
