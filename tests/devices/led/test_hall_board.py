"""The hall board's lines as pure logic: what each line shows at each moment."""

from __future__ import annotations

import pytest

from devices.led.hall_board import HallBoardLines, LineContent


def test_newest_on_top_older_move_down_and_fall_off_the_bottom() -> None:
    board = HallBoardLines(2, hold=0, blink=0, idle_text="welcome")
    assert board.changes(0.0) == [(0, LineContent("welcome")), (1, LineContent(""))]
    board.add("a", "A", 1.0)
    board.add("b", "B", 1.1)
    assert board.changes(1.1) == [(0, LineContent("B")), (1, LineContent("A"))]
    board.add("c", "C", 2.0)
    assert board.render(2.0) == [LineContent("C"), LineContent("B")]
    assert board.changes(100.0) == [(0, LineContent("C")), (1, LineContent("B"))]
    assert board.changes(100.0) == []  # nothing new: nothing to send


def test_blink_then_steady_then_gone() -> None:
    board = HallBoardLines(3, hold=10, blink=2, idle_text="welcome")
    board.add("a", "A", 0.0)
    assert board.changes(0.0)[0] == (0, LineContent("A", blink=True))
    assert board.next_change(0.0) == 2.0
    assert board.changes(1.9) == []
    assert board.changes(2.0) == [(0, LineContent("A"))]
    assert board.next_change(2.0) == 10.0
    assert board.changes(10.0) == [(0, LineContent("welcome"))]
    assert board.next_change(10.0) is None


def test_the_same_message_again_moves_up_and_blinks_again() -> None:
    board = HallBoardLines(3, hold=0, blink=1, idle_text="")
    board.add("a", "A", 0.0)
    board.add("b", "B", 0.5)
    board.changes(5.0)
    board.add("a", "A", 6.0)
    assert board.changes(6.0) == [(0, LineContent("A", blink=True)), (1, LineContent("B"))]
    board.forget_shown()
    assert len(board.changes(6.0)) == 3


def test_bad_sizes_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one line"):
        HallBoardLines(0, hold=1, blink=1)
