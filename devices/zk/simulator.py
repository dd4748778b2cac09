"""A ZK terminal on TCP and UDP (same port) for tests, benchmarks and demos.

It answers pyzk 0.9 as well as our own client.  Faults on demand: go silent, answer with
garbage (instead of, or before, the real answer), drop the link in the middle of a buffered
download, reset the clock to 2000-01-01.  Run it alone with
``python -m devices.zk.simulator --port 4370 --records 1000``.
"""

from __future__ import annotations

import argparse
import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import TracebackType
from typing import Self
from zoneinfo import ZoneInfo

from devices.errors import ProtocolError
from devices.zk import protocol as p
from devices.zk.records import User, encode_event
from devices.zk.sim_device import SimDevice, SimRecord, SimSession

log = logging.getLogger(__name__)
GARBAGE = bytes(range(0x20, 0x80)) * 2  # holds no frame magic
_POLL = 0.1


@dataclass(slots=True)
class Faults:
    """Misbehaviour switched on by tests; each stays on until switched off."""

    silent: bool = False
    garbage: bool = False  # answer garbage instead of packets
    garbage_prefix: bool = False  # garbage before each real answer
    drop_mid_download: bool = False  # half a chunk, then TCP close / UDP silence
    delay: float = 0.0  # seconds before each TCP answer: a slow terminal or link


@dataclass(slots=True)
class _Conn:
    sock: socket.socket
    session: SimSession
    lock: threading.Lock = field(default_factory=threading.Lock)


class ZKSimulator:
    """A simulated terminal served from background threads (``start``/``stop`` or ``with``)."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        serial: str = "SIM0000001",
        comm_key: int = 0,
        record_size: int = 40,
        user_size: int = 72,
        zone: str = "Asia/Shanghai",
        encoding: str = "gbk",
    ) -> None:
        self.host = host
        self.port = port
        self.device = SimDevice(
            serial=serial,
            comm_key=comm_key,
            zone=ZoneInfo(zone),
            record_size=record_size,
            user_size=user_size,
            encoding=encoding,
        )
        self.faults = Faults()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._conns: list[_Conn] = []
        self._udp_sessions: dict[tuple[str, int], SimSession] = {}
        self._lock = threading.Lock()
        self._tcp: socket.socket | None = None
        self._udp: socket.socket | None = None

    # --------------------------------------------------------------- lifecycle
    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def start(self) -> None:
        """Bind TCP and UDP on one port and serve in background threads (again after stop)."""
        self._stop.clear()
        self._threads = []
        with self._lock:
            self._conns = []
        for _ in range(20):
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            tcp.bind((self.host, self.port))
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                udp.bind((self.host, tcp.getsockname()[1]))
            except OSError:
                tcp.close()
                udp.close()
                if self.port:
                    raise
                continue
            break
        else:
            raise OSError("no port free for both TCP and UDP")
        self.port = tcp.getsockname()[1]
        tcp.listen(8)
        tcp.settimeout(_POLL)
        udp.settimeout(_POLL)
        udp.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 21)
        self._tcp, self._udp = tcp, udp
        self._spawn(self._accept_loop, "zk-sim-accept")
        self._spawn(self._udp_loop, "zk-sim-udp")

    def stop(self) -> None:
        """Stop serving, close every socket, join every thread."""
        self._stop.set()
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            conn.sock.close()
        for thread in self._threads:
            thread.join(timeout=5)
        for sock in (self._tcp, self._udp):
            if sock is not None:
                sock.close()

    def _spawn(self, target: object, name: str, *args: object) -> None:
        thread = threading.Thread(target=target, args=args, name=name, daemon=True)  # type: ignore[arg-type]
        self._threads.append(thread)
        thread.start()

    # ------------------------------------------------------------- data set-up
    @property
    def enabled(self) -> bool:
        """Whether the terminal is enabled (staff can punch)."""
        return self.device.enabled

    def add_user(self, uid: int, pin: str, name: str = "", **extra: object) -> User:
        """Store a user."""
        user = User(uid, pin, name, **extra)  # type: ignore[arg-type]
        with self.device.lock:
            self.device.users[uid] = user
        return user

    def add_punch(
        self, pin: str, when: datetime, verify: int = 1, status: int = 0, workcode: int = 0
    ) -> None:
        """Append one punch to the log (``when`` aware)."""
        local = when.astimezone(self.device.zone)
        self.device.add_record(SimRecord(pin, local, verify, status, workcode))

    def generate_records(self, n: int, *, start: datetime | None = None) -> list[SimRecord]:
        """Replace the log with ``n`` deterministic punches 37 s apart; returns them."""
        zone = self.device.zone
        first = start or datetime(2024, 3, 1, 8, 0, tzinfo=zone)
        pins = [u.pin for u in self.device.users.values()] or [str(i) for i in range(1, 51)]
        verifies = (1, 1, 15, 2, 0)
        records = [
            SimRecord(
                pins[i % len(pins)], first + timedelta(seconds=37 * i), verifies[i % 5], i % 2
            )
            for i in range(n)
        ]
        self.device.set_records(records)
        return records

    def set_clock(self, when: datetime) -> None:
        """Set the terminal's clock."""
        self.device.set_clock(when)

    def reset_clock(self) -> None:
        """What a power cut does: the clock restarts at 2000-01-01 00:00."""
        self.device.set_clock(datetime(2000, 1, 1, tzinfo=self.device.zone))

    # -------------------------------------------------------------- live events
    def subscribers(self) -> int:
        """How many sessions have registered for attendance events."""
        with self._lock:
            tcp = sum(1 for c in self._conns if c.session.events & p.EF_ATTLOG)
            udp = sum(1 for s in self._udp_sessions.values() if s.events & p.EF_ATTLOG)
        return tcp + udp

    def inject_punches(
        self,
        punches: list[tuple[str, int, int]],
        *,
        when: datetime | None = None,
        event_size: int = 32,
        garbled: bool = False,
    ) -> int:
        """Punch (pin, verify, status) now: log them, push one event packet each to every
        subscriber, all in one write per TCP link; returns how many links got them.

        ``garbled``: the events arrive cut to 13 bytes, which no layout decodes (the punches
        are in the log all the same)."""
        stamp = (when or self.device.now()).astimezone(self.device.zone)
        packets = []
        for pin, verify, status in punches:
            self.device.add_record(SimRecord(pin, stamp, verify, status))
            data = encode_event(pin, stamp, verify, status, event_size)
            if garbled:
                data = data[:13]
            packets.append(p.build_packet(p.CMD_REG_EVENT, p.EF_ATTLOG, 0, data))
        sent = 0
        with self._lock:
            conns = [c for c in self._conns if c.session.events & p.EF_ATTLOG]
            peers = [a for a, s in self._udp_sessions.items() if s.events & p.EF_ATTLOG]
        for conn in conns:
            try:
                with conn.lock:
                    conn.sock.sendall(b"".join(p.wrap_tcp(x) for x in packets))
                sent += 1
            except OSError:
                pass
        for addr in peers:
            if self._udp is not None:
                for packet in packets:
                    self._udp.sendto(packet, addr)
                sent += 1
        return sent

    # --------------------------------------------------------------------- TCP
    def _accept_loop(self) -> None:
        assert self._tcp is not None
        while not self._stop.is_set():
            try:
                sock, _ = self._tcp.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            sock.settimeout(_POLL)
            conn = _Conn(sock, self.device.new_session())
            with self._lock:
                self._conns.append(conn)
            self._spawn(self._serve_tcp, "zk-sim-conn", conn)

    def _serve_tcp(self, conn: _Conn) -> None:
        # pyzk's checksums are one less than the documented ones: accept any checksum.
        deframer = p.TcpDeframer(verify_checksum=False)
        try:
            while not self._stop.is_set():
                try:
                    chunk = conn.sock.recv(65536)
                except TimeoutError:
                    continue
                if not chunk:
                    return
                deframer.feed(chunk)
                while (req := deframer.next_packet()) is not None:
                    if not self._answer_tcp(conn, req):
                        return
        except OSError:
            return
        finally:
            with self._lock:
                if conn in self._conns:
                    self._conns.remove(conn)
            conn.sock.close()

    def _answer_tcp(self, conn: _Conn, req: p.Packet) -> bool:
        """Answer one request; False when the link must close."""
        f = self.faults
        if f.silent:
            return True
        if f.garbage:
            with conn.lock:
                conn.sock.sendall(GARBAGE)
            return True
        if f.delay > 0:
            self._stop.wait(f.delay)
        replies = self.device.handle(conn.session, req, tcp=True)
        frames = [p.wrap_tcp(x) for x in replies]
        if f.drop_mid_download and req.command == p.CMD_READ_BUFFER and len(frames) > 2:
            with conn.lock:
                conn.sock.sendall(frames[0] + frames[1][: len(frames[1]) // 2])
            return False
        payload = b"".join(frames)
        with conn.lock:
            conn.sock.sendall((GARBAGE + payload) if f.garbage_prefix else payload)
        return req.command != p.CMD_EXIT

    # --------------------------------------------------------------------- UDP
    def _udp_loop(self) -> None:
        assert self._udp is not None
        udp = self._udp
        while not self._stop.is_set():
            try:
                datagram, addr = udp.recvfrom(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            try:
                req = p.parse_packet(datagram)
            except ProtocolError:
                continue
            with self._lock:
                if req.command == p.CMD_CONNECT or addr not in self._udp_sessions:
                    self._udp_sessions[addr] = self.device.new_session()
                session = self._udp_sessions[addr]
            self._answer_udp(udp, addr, session, req)

    def _answer_udp(
        self, udp: socket.socket, addr: tuple[str, int], session: SimSession, req: p.Packet
    ) -> None:
        f = self.faults
        if f.silent:
            return
        if f.garbage:
            udp.sendto(GARBAGE, addr)
            return
        replies = self.device.handle(session, req, tcp=False)
        if f.drop_mid_download and req.command == p.CMD_READ_BUFFER and len(replies) > 2:
            replies = replies[: max(2, len(replies) // 2)]
        elif f.garbage_prefix:
            udp.sendto(GARBAGE, addr)
        for packet in replies:
            udp.sendto(packet, addr)
            if len(replies) > 8:
                time.sleep(0)  # let the client drain a long burst
        if req.command == p.CMD_EXIT:
            with self._lock:
                self._udp_sessions.pop(addr, None)


def main(argv: list[str] | None = None) -> None:
    """Run a simulator until interrupted."""
    parser = argparse.ArgumentParser(description="Simulated ZK terminal (TCP and UDP)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4370)
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument("--record-size", type=int, default=40, choices=(8, 16, 40, 49))
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--comm-key", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    sim = ZKSimulator(args.host, args.port, comm_key=args.comm_key, record_size=args.record_size)
    for uid in range(1, args.users + 1):
        sim.add_user(uid, str(uid), f"员工{uid}")
    sim.generate_records(args.records)
    with sim:
        log.info("ZK simulator on %s:%d (tcp+udp), %d records", args.host, sim.port, args.records)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
