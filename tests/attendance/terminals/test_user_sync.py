"""Writing the staff list to terminals keeps what the service does not own."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from attendance.models import DeviceCommand
from attendance.terminals.users import SyncResult, UserPlan, queue_adms_sync, sync_zk
from devices.zk.adapter import ZKClient, ZKSettings
from devices.zk.simulator import ZKSimulator
from hallkeeper import migrations

LONG = "阿卜杜萨拉木·阿卜杜热合曼"  # 26 bytes in GBK: two more than the name field


@pytest.fixture
def sim() -> Iterator[ZKSimulator]:
    with ZKSimulator() as simulator:
        simulator.add_user(1, "1001", "张伟", privilege=14, password="1234", card=4242)
        simulator.add_user(2, "1002", "李娜", card=777, group="1")
        simulator.add_user(3, "1003", "离职者")
        yield simulator


@pytest.mark.parametrize("transport", ["tcp", "udp"])
def test_rename_keeps_privilege_card_password_and_a_long_name_aborts_nothing(
    sim: ZKSimulator, transport: str
) -> None:
    plan = UserPlan(
        keep=[("1001", "张伟伟"), ("1002", "李娜"), ("1004", LONG), ("1005", "王芳")],
        remove=["1003"],
    )
    settings = ZKSettings("127.0.0.1", sim.port, transport=transport, timeout=1.0)  # type: ignore[arg-type]
    with ZKClient(settings) as client:
        result = sync_zk(client, plan)
    users = {u.pin: u for u in sim.device.users.values()}
    admin = users["1001"]
    assert (admin.name, admin.privilege, admin.password, admin.card) == ("张伟伟", 14, "1234", 4242)
    assert (users["1002"].card, users["1002"].group) == (777, "1")  # untouched
    assert users["1004"].name == "阿卜杜萨拉木·阿卜杜热合"  # cut at a character boundary
    assert users["1005"].name == "王芳"  # written after the long name
    assert "1003" not in users
    assert isinstance(result, SyncResult)
    assert (result.written, result.deleted, result.failed) == (3, 1, [])
    assert result.truncated == [
        {"pin": "1004", "name": LONG, "written_as": "阿卜杜萨拉木·阿卜杜热合"}
    ]


def test_adms_user_commands_keep_privilege_and_fit_long_names(any_engine: Engine) -> None:
    migrations.upgrade(any_engine)
    plan = UserPlan(keep=[("1001", "张伟"), ("1004", LONG + LONG)], remove=[])
    result = SyncResult()
    with Session(any_engine) as session:
        count = queue_adms_sync(session, "ADMS1", plan, datetime.now(UTC), result=result)
        session.commit()
        texts = [c.text for c in session.exec(select(DeviceCommand)).all()]
    assert count == 2
    assert all("Pri=" not in t for t in texts)  # the terminal keeps its admins' privilege
    assert texts[1] == "DATA UPDATE USERINFO PIN=1004\tName=阿卜杜萨拉木·阿卜杜热合"
    assert [t["pin"] for t in result.truncated] == ["1004"]
