"""The real simulator against a real stdlib HTTP server built on the protocol functions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from devices.adms import protocol as p
from devices.adms.sim_cli import run_script
from devices.adms.simulator import AdmsTerminal
from tests.devices.adms.iclock_server import IclockState, running_server

SH = ZoneInfo("Asia/Shanghai")
SN = "CKJF201160130"
TerminalFactory = Callable[..., AdmsTerminal]


@pytest.fixture
def state() -> IclockState:
    return IclockState(options=p.HandshakeOptions(error_delay=1, delay=1))


@pytest.fixture
def url(state: IclockState) -> Iterator[str]:
    with running_server(state) as base_url:
        yield base_url


@pytest.fixture
def make_terminal(url: str) -> Iterator[TerminalFactory]:
    started: list[AdmsTerminal] = []

    def factory(**kwargs: object) -> AdmsTerminal:
        terminal = AdmsTerminal(url, SN, poll_interval=0.05, timeout=5, **kwargs)  # type: ignore[arg-type]
        started.append(terminal)
        return terminal

    yield factory
    for terminal in started:
        terminal.stop()


def test_handshake_reads_server_options(state: IclockState, make_terminal: TerminalFactory) -> None:
    terminal = make_terminal()
    terminal.start()
    assert state.wait_for(lambda: len(state.handshakes) >= 1)
    assert state.handshakes[0].sn == SN
    assert state.handshakes[0].options == "all"
    assert state.wait_for(lambda: state.polls >= 1)
    assert terminal.options["ErrorDelay"] == "1"
    assert terminal.options["Delay"] == "1"
    assert terminal.error_delay == 1.0


def test_batch_delivered_with_stamp(state: IclockState, make_terminal: TerminalFactory) -> None:
    terminal = make_terminal(batch_size=2)
    times = [datetime(2024, 3, 4, 8, 0, s, tzinfo=SH) for s in range(5)]
    for index, moment in enumerate(times):
        terminal.add_punch(f"10{index}", moment, verify=1)
    terminal.start()
    assert state.wait_for(lambda: len(state.punches) == 5)
    assert [punch.pin for punch in state.punches] == ["100", "101", "102", "103", "104"]
    assert [punch.time for punch in state.punches] == times
    assert all(punch.time.tzinfo == SH and punch.verify == 1 for punch in state.punches)
    # Batches of two: stamps 2, 4 and 5, the last record's position.
    assert [u.query.stamp for u in state.uploads if u.query.table == "ATTLOG"] == [2, 4, 5]
    assert state.bad == []
    assert state.wait_for(lambda: terminal.undelivered == 0)


def test_non_ok_answer_resends_same_batch_after_error_delay(
    state: IclockState, make_terminal: TerminalFactory
) -> None:
    state.attlog_answers = ["ERROR: database busy"]
    terminal = make_terminal()
    terminal.add_punch("2001", datetime(2024, 3, 4, 8, 30, tzinfo=SH))
    terminal.add_punch("2002", datetime(2024, 3, 4, 8, 31, tzinfo=SH))
    terminal.start()
    assert state.wait_for(lambda: len(state.punches) == 2)
    attlog = [u for u in state.uploads if u.query.table == "ATTLOG"]
    assert len(attlog) == 2
    assert attlog[0].body == attlog[1].body
    assert attlog[0].query.stamp == attlog[1].query.stamp == 2
    assert attlog[1].at - attlog[0].at >= 0.9  # ErrorDelay=1 was honoured
    assert [punch.pin for punch in state.punches] == ["2001", "2002"]


def test_commands_are_executed_and_results_posted(
    state: IclockState, make_terminal: TerminalFactory
) -> None:
    terminal = make_terminal()
    terminal.enroll("1002", "李四")
    state.commands = p.format_commands(
        [p.update_user(1, "1001", "张三", privilege=0), p.delete_user(2, "1002"), p.info(4)]
    ).splitlines()
    # A raw line our builders refuse: the terminal must refuse it too.
    state.commands.append("C:3:USER ADD PIN=9")
    terminal.start()
    assert state.wait_for(lambda: {r.id for r in state.results} >= {1, 2, 3, 4})
    by_id = {r.id: r for r in state.results}
    assert by_id[1].ok and by_id[1].cmd == "DATA"
    assert by_id[2].ok
    assert by_id[3].return_code == p.RETURN_BAD_SYNTAX
    assert dict(by_id[4].details)["UserCount"] == "1"
    users = terminal.users
    assert users["1001"].name == "张三"
    assert "1002" not in users
    # The enrolment went up in OPERLOG with its Chinese name intact.
    assert state.wait_for(lambda: any(op.users for op in state.operlogs))
    assert [u.name for op in state.operlogs for u in op.users] == ["李四"]


def test_date_header_sets_terminal_clock(
    state: IclockState, make_terminal: TerminalFactory
) -> None:
    state.date_header = "Wed, 05 Jun 2030 01:02:03 GMT"
    # A power cut reset the terminal's clock to 2000-01-01.
    terminal = make_terminal(clock=datetime(2000, 1, 1, tzinfo=SH))
    assert terminal.now().year == 2000
    terminal.start()
    assert state.wait_for(lambda: state.polls >= 1)
    expected = datetime(2030, 6, 5, 9, 2, 3, tzinfo=SH)
    assert abs(terminal.now() - expected) < timedelta(seconds=60)
    terminal.add_punch("3001")
    assert state.wait_for(lambda: len(state.punches) == 1)
    assert abs(state.punches[0].time - expected) < timedelta(seconds=60)


def test_gbk_terminal_names_survive(state: IclockState, make_terminal: TerminalFactory) -> None:
    terminal = make_terminal(encoding="gbk")
    terminal.enroll("5", "王小明")
    terminal.start()
    assert state.wait_for(lambda: any(op.users for op in state.operlogs))
    body = next(u.body for u in state.uploads if u.query.table == "OPERLOG")
    assert "王小明".encode("gbk") in body
    assert state.operlogs[0].users[0].name == "王小明"


def test_reboot_rehandshakes_and_resumes_from_server_stamp(
    state: IclockState, make_terminal: TerminalFactory
) -> None:
    terminal = make_terminal()
    terminal.add_punch("7001", datetime(2024, 3, 4, 9, 0, tzinfo=SH))
    terminal.start()
    assert state.wait_for(lambda: len(state.punches) == 1)
    with state.cond:
        state.commands = [f"C:9:{p.reboot(9).text}"]
    assert state.wait_for(lambda: len(state.handshakes) >= 2)
    terminal.add_punch("7002", datetime(2024, 3, 4, 9, 5, tzinfo=SH))
    assert state.wait_for(lambda: len(state.punches) == 2)
    # The server's ATTLOGStamp=1 at the second handshake: the first punch is not resent.
    assert [punch.pin for punch in state.punches] == ["7001", "7002"]


def test_query_attlog_command_resends_range(
    state: IclockState, make_terminal: TerminalFactory
) -> None:
    terminal = make_terminal()
    for hour in (8, 12, 18):
        terminal.add_punch("8001", datetime(2024, 3, 4, hour, 0, tzinfo=SH))
    terminal.start()
    assert state.wait_for(lambda: len(state.punches) == 3)
    start, end = datetime(2024, 3, 4, 11, tzinfo=SH), datetime(2024, 3, 4, 19, tzinfo=SH)
    with state.cond:
        state.commands = [f"C:5:{p.query_attlog(5, start, end).text}"]
    assert state.wait_for(lambda: len(state.punches) == 5)
    assert [punch.time.hour for punch in state.punches[3:]] == [12, 18]


def test_run_script_adds_punches_and_reports_bad_lines(url: str) -> None:
    terminal = AdmsTerminal(url, SN)
    slept: list[float] = []
    script = ["# morning", "punch 1001 2024-03-04 08:01:00 15", "sleep 0.5", "punch 1002"]
    assert run_script(terminal, script, sleep=slept.append) == 2
    assert slept == [0.5]
    assert terminal.undelivered == 2
    with pytest.raises(ValueError, match="script line 2"):
        run_script(terminal, ["punch 1", "punch 1 2024-99-01 08:00:00"])


def test_constructor_refuses_bad_arguments() -> None:
    with pytest.raises(ValueError, match="not an http"):
        AdmsTerminal("ftp://x", SN)
    with pytest.raises(ValueError, match="serial number"):
        AdmsTerminal("http://127.0.0.1:1", "bad sn")
    with pytest.raises(ValueError, match="timezone-aware"):
        AdmsTerminal("http://127.0.0.1:1", SN, clock=datetime(2000, 1, 1))
