"""The simulated hall that `hallkeeper demo` runs.

Real adapters talk to simulators over real sockets and a pseudo-terminal: a ZK terminal at the
east door (pulled over TCP), an ADMS terminal at the west door (pushing over HTTP) and a serial
punch reader at the staff entrance; the queue's ticket printer, LED boards and keypads too
(see `demo_queue`). A scripted day plays on the terminals: staff arrive over the morning,
most on time, some late, one very late and one who never comes; the rest of the day follows.
Punches whose time has passed are in the terminals' logs when the demo starts; later ones
happen live, at their time. On a rest day the demo marks today as a working day (an override
anyone can see on the calendar) so that there is something to watch.
"""

from __future__ import annotations

import logging
import random
import re
import socket
import threading
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import update

import attendance_engine as eng
from devices.adms.simulator import AdmsTerminal
from devices.serial_reader.simulator import SerialReaderSimulator
from devices.zk.simulator import ZKSimulator
from hallbase.db import settings_engine, write_session
from hallbase.hallconfig import HallConfig
from hallbase.hallconfig.schedules import engine_schedule
from hallbase.holidays import day_kind
from hallbase.models import Service
from hallbase.settings import REPO_CONFIG, load_settings
from hallkeeper.demo_accounts import create_demo_accounts, create_demo_keys
from kiosk.hardware.simulated import free_port, queue_simulators

log = logging.getLogger(__name__)
ZK_SN, ADMS_SN, SERIAL_SN = "DEMO-ZK-EAST", "DEMO-ADMS-WEST", "DEMO-SERIAL-STAFF"


@dataclass(frozen=True, order=True)
class ScriptedPunch:
    """One punch of the scripted day: when, who, and at which terminal."""

    at: datetime
    pin: str = field(compare=False)
    terminal: str = field(compare=False)


GO_LIVE_LINE = re.compile(r"^go_live\s*=.*$", re.MULTILINE)


def demo_config_text(
    zk_port: int, serial_path: str, today: date, workday: bool, go_live: date | None = None
) -> str:
    """The shipped hall file plus the demo's terminals (and today as a working day if needed).

    ``go_live``: the first day the demo has a history for. The shipped go-live is earlier,
    and every working day between would be judged absent for everyone.
    """
    text = REPO_CONFIG.read_text("utf-8")
    if go_live is not None:
        line = f'go_live = "{go_live.isoformat()}"  # the demo\'s first day of history'
        text, found = GO_LIVE_LINE.subn(line, text, count=1)
        if not found:
            text = text.replace("[hall]\n", f"[hall]\n{line}\n", 1)
    text += f"""

# ---- Added by `hallkeeper demo`: simulated terminals on this machine ----
[[devices]]
serial = "{ZK_SN}"
name = "东门考勤机（模拟）"
protocol = "zk_tcp"
address = "127.0.0.1:{zk_port}"
installed_on = "2026-01-01"
correct_clock = true
poll_seconds = 5

[[devices]]
serial = "{ADMS_SN}"
name = "西门考勤机（模拟）"
protocol = "adms"
installed_on = "2026-01-01"

[[devices]]
serial = "{SERIAL_SN}"
name = "员工通道读卡器（模拟）"
protocol = "serial"
address = "{serial_path}"
installed_on = "2026-01-01"
"""
    if not workday:
        text += f"""
[[holidays]]
date = "{today.isoformat()}"
workday = true
note = "演示模式：今日按工作日"
"""
    return text


def scripted_day(cfg: HallConfig, day: date, zone: ZoneInfo, seed: int = 7) -> list[ScriptedPunch]:
    """A realistic day at the hall: mostly on time, a few late, one absent, one no-show."""
    rng = random.Random(seed)
    schedules = [engine_schedule(entry) for entry in cfg.schedules]
    terminals = (ZK_SN, ADMS_SN, SERIAL_SN)
    punches: list[ScriptedPunch] = []
    for index, person in enumerate(cfg.staff):
        if index == len(cfg.staff) - 2:
            continue  # never comes: missing all day
        names = (person.schedule,) if person.schedule else ()
        schedule = eng.pick_schedule(schedules, day, names)
        terminal = terminals[index % len(terminals)]
        for slot in schedule.slots:
            due = datetime.combine(day, slot.due, zone)
            first_in = slot.name in ("am_in", "in")
            if slot.kind == "in":
                offset = -rng.randint(3, 35) * 60 - rng.randint(0, 59)
                if index in (1, 5) and first_in:
                    offset = rng.randint(2, 12) * 60 + rng.randint(0, 59)  # late
                if index == 3 and first_in:
                    offset = 27 * 60  # beyond the threshold: absent for the morning
            else:
                offset = rng.randint(0, 20) * 60 + rng.randint(0, 59)
                if index == 4 and slot.name in ("pm_out", "out"):
                    offset = -rng.randint(3, 10) * 60  # leaves early
            punches.append(ScriptedPunch(due + timedelta(seconds=offset), person.pin, terminal))
    return sorted(punches)


def recent_workdays(today: date, count: int) -> list[date]:
    """The ``count`` working days before ``today`` (national calendar), oldest first."""
    days: list[date] = []
    day = today
    while len(days) < count:
        day -= timedelta(days=1)
        if day_kind(day, {}).workday:
            days.append(day)
    return sorted(days)


class DemoHall:
    """Simulators, the scripted day and the settings that point the service at them."""

    def __init__(self, data_dir: Path, host: str, port: int) -> None:
        self.data_dir = data_dir
        self.base_url = f"http://{host}:{port}"
        shipped = load_settings(data_dir=data_dir, database_url="")
        self.zone = shipped.zone
        self.today = datetime.now(self.zone).date()
        workday = day_kind(self.today, {}).workday and self.today.isoformat() not in {
            h.date.isoformat() for h in shipped.hall.holidays if not h.workday
        }
        self.zk = ZKSimulator("127.0.0.1", free_port(), serial=ZK_SN, zone=str(self.zone))
        self.serial = SerialReaderSimulator(str(data_dir / "staff-reader.tty"), zone=self.zone)
        self.adms = AdmsTerminal(self.base_url, ADMS_SN, zone=self.zone, poll_interval=5)
        queue_text, self.queue_sims = queue_simulators(data_dir)
        # The terminals' logs also hold the last week's working days, so that the monthly
        # sheet has something in it and the board is not empty before the first arrival;
        # the hall goes live on the first of them, so that its history is all there is.
        earlier = recent_workdays(self.today, 5)
        config_path = data_dir / "hall.toml"
        text = demo_config_text(self.zk.port, self.serial.path, self.today, workday, earlier[0])
        config_path.write_text(text + queue_text, "utf-8")
        self.settings = load_settings(
            data_dir=data_dir, database_url="", config=config_path, host=host, port=port
        )
        cfg = HallConfig.model_validate(tomllib.loads(config_path.read_text("utf-8")))
        for uid, person in enumerate(cfg.staff, start=1):
            self.zk.add_user(uid, person.pin, person.name)
        self.script = sorted(
            p
            for n, day in enumerate([*earlier, self.today])
            for p in scripted_day(cfg, day, self.zone, seed=7 + n)
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _punch(self, item: ScriptedPunch, live: bool) -> None:
        if item.terminal == ZK_SN:
            if live:
                self.zk.inject_punches([(item.pin, 1, 0)], when=item.at)
            else:
                self.zk.add_punch(item.pin, item.at)
        elif item.terminal == ADMS_SN:
            self.adms.add_punch(item.pin, item.at)
        elif self.serial.is_open:
            self.serial.punch(item.pin, item.at)

    def _open_around_the_clock(self) -> None:
        # A newcomer may try the kiosk at any hour: the demo's services never close.
        engine = settings_engine(self.settings)
        try:
            with write_session(engine) as session:
                session.exec(update(Service).values(open_from=time(0, 0), open_to=time(23, 59)))
        finally:
            engine.dispose()
        log.info("demo: services take tickets around the clock")

    def _accounts(self) -> None:
        engine = settings_engine(self.settings)
        try:
            create_demo_accounts(engine)
            create_demo_keys(engine, self.settings)
        finally:
            engine.dispose()

    def start(self) -> None:
        """Start the terminals with the morning so far in their logs, then play the rest."""
        self._open_around_the_clock()
        self._accounts()
        self.serial.open()
        now = datetime.now(self.zone)
        past = [p for p in self.script if p.at <= now]
        for item in past:
            # A serial reader keeps no log: what its people punched before the demo started
            # is in the east door terminal's log instead.
            terminal = ZK_SN if item.terminal == SERIAL_SN else item.terminal
            self._punch(ScriptedPunch(item.at, item.pin, terminal), live=False)
        self.zk.start()
        self._thread = threading.Thread(target=self._play, name="demo-script", daemon=True)
        self._thread.start()
        log.info(
            "demo: %d punches so far today, %d still to come",
            len(past),
            len(self.script) - len(past),
        )

    def _service_up(self) -> bool:
        host, port = self.settings.host, self.settings.port
        for _ in range(300):
            try:
                with socket.create_connection((host, port), timeout=0.5):
                    return True
            except OSError:
                if self._stop.wait(0.1):
                    return False
        return False

    def _play(self) -> None:
        # The ADMS terminal starts once the service listens, since it pushes to it.
        if not self._service_up():
            log.error("demo: the service did not start listening; terminals stay idle")
            return
        self.adms.start()
        now = datetime.now(self.zone)
        for item in (p for p in self.script if p.at > now):
            delay = (item.at - datetime.now(self.zone)).total_seconds()
            if self._stop.wait(max(0.0, delay)):
                return
            self._punch(item, live=True)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.adms.stop()
        self.zk.stop()
        self.serial.close()
        for sim in self.queue_sims:
            sim.stop()
