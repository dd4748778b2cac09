"""The simulated ADMS terminal's command line and script runner.

python -m devices.adms.simulator --url http://127.0.0.1:8000 --sn SIM0001 --script -
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from devices.adms.simulator import AdmsTerminal


def run_script(
    terminal: AdmsTerminal,
    lines: Iterable[str],
    sleep: Callable[[float], object] = time.sleep,
) -> int:
    """Run script lines (``punch PIN [YYYY-MM-DD HH:MM:SS] [verify]``, ``enroll PIN NAME``,
    ``sleep SECONDS``, ``#`` comments); returns the number of punches added."""
    punches = 0
    for number, line in enumerate(lines, start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        try:
            if words[0] == "punch" and len(words) in (2, 3, 4, 5):
                when = None
                if len(words) >= 4:
                    text = f"{words[2]} {words[3]}"
                    when = datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(
                        tzinfo=terminal.zone
                    )
                verify = int(words[4]) if len(words) == 5 else 1
                terminal.add_punch(words[1], when, verify=verify)
                punches += 1
            elif words[0] == "enroll" and len(words) >= 3:
                terminal.enroll(words[1], " ".join(words[2:]))
            elif words[0] == "sleep" and len(words) == 2:
                sleep(float(words[1]))
            else:
                raise ValueError("expected 'punch PIN [date time] [verify]', 'enroll', 'sleep'")
        except ValueError as exc:
            raise ValueError(f"script line {number}: {line.strip()!r}: {exc}") from None
    return punches


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description="Simulated ADMS (iClock push) terminal.")
    parser.add_argument("--url", required=True, help="server base URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--sn", default="HKSIM0001", help="terminal serial number")
    parser.add_argument("--zone", default="Asia/Shanghai", help="terminal time zone")
    parser.add_argument("--encoding", default="utf-8", help="upload encoding (utf-8 or gbk)")
    parser.add_argument("--punch", action="append", default=[], help="PIN to punch now (repeat)")
    parser.add_argument("--script", help="script file, '-' for stdin")
    parser.add_argument("--poll", type=float, help="poll interval override in seconds")
    parser.add_argument("--duration", type=float, help="stop after this many seconds")
    parser.add_argument("--push-version", default="2.4.1", help="3.x: registry, push and ping")
    parser.add_argument("--aspx", action="store_true", help="append .aspx to every path")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    # SIGTERM (systemd, timeout) cleans up like Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    terminal = AdmsTerminal(
        args.url,
        args.sn,
        zone=ZoneInfo(args.zone),
        encoding=args.encoding,
        poll_interval=args.poll,
        push_version=args.push_version,
        aspx=args.aspx,
    )
    for pin in args.punch:
        terminal.add_punch(pin)
    terminal.start()
    deadline = None if args.duration is None else time.monotonic() + args.duration
    try:
        if args.script == "-":
            run_script(terminal, sys.stdin)
        elif args.script:
            with open(args.script, encoding="utf-8") as handle:
                run_script(terminal, handle)
        while deadline is None or time.monotonic() < deadline:
            time.sleep(0.2)
    except KeyboardInterrupt:
        pass
    finally:
        terminal.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
