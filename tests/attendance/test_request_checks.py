"""The rules' checks before filing (the phone page shows them), the pages' scope, and the
reason given with a decision."""

from __future__ import annotations

from tests.helpers.attendance import DAY, Hall
from tests.helpers.auth import as_staff

A = "/api/v1/attendance"


def test_a_leave_check_names_the_approver_and_the_stand_in_and_files_nothing(hall: Hall) -> None:
    staff = as_staff(hall.client.app, "SC002")  # B post of windows 1 and 2 (A: SC001, SC003)
    half = {"kind": "事假", "start_date": DAY.isoformat(), "start_half": "pm"}
    answer = hall.client.post(f"{A}/leaves/check", json=half, headers=staff).json()
    assert answer["problem"] is None and answer["days"] == 0.5
    assert answer["approver"]["role"] == "window_lead"
    assert answer["approver"]["label"] == {"zh": "窗口负责人", "en": "Window lead"}
    assert answer["substitute"]["needed"] is False
    two = {"kind": "annual", "start_date": DAY.isoformat(), "end_date": "2026-03-11"}
    answer = hall.client.post(f"{A}/leaves/check", json=two, headers=staff).json()
    assert answer["days"] == 2 and answer["approver"]["role"] == "leader_in_charge"
    assert answer["substitute"]["needed"] is True
    assert answer["substitute"]["b_post"] == {"staff_no": "SC001", "name": "王芳"}
    assert hall.client.get(f"{A}/leaves").json()["count"] == 0  # a check files nothing
    filed = hall.client.post(f"{A}/leaves", json=half, headers=staff)
    assert filed.status_code == 201
    again = hall.client.post(f"{A}/leaves/check", json=half, headers=staff).json()
    assert again["problem"]["code"] == "leave_overlap"  # what the filing would answer
    assert "时间重叠" in again["problem"]["message"]["zh"]


def test_a_check_is_for_oneself_or_ones_scope(hall: Hall) -> None:
    staff = as_staff(hall.client.app, "SC002")
    body = {"staff_no": "SC001", "kind": "sick", "start_date": DAY.isoformat()}
    refused = hall.client.post(f"{A}/leaves/check", json=body, headers=staff)
    assert refused.status_code == 403 and refused.json()["code"] == "out_of_scope"
    makeup = {"date": DAY.isoformat(), "slot": "am_in"}
    answer = hall.client.post(f"{A}/makeups/check", json=makeup, headers=staff).json()
    assert answer["count"] == 0 and answer["limit"] is None and answer["problem"] is None
    bad_slot = hall.client.post(
        f"{A}/makeups/check", json={**makeup, "slot": "noon"}, headers=staff
    ).json()
    assert "not in SC002's schedule" in bad_slot["problem"]["message"]["en"]
    out = {"start": f"{DAY}T10:00", "end": f"{DAY}T09:00"}
    answer = hall.client.post(f"{A}/outs/check", json=out, headers=staff).json()
    assert "ends before it starts" in answer["problem"]["message"]["en"]


def test_a_person_page_is_for_those_reaching_them(hall: Hall) -> None:
    app = hall.client.app
    staff, lead, other_lead = (as_staff(app, no) for no in ("SC002", "SC001", "RS001"))
    assert hall.client.get("/attendance/people/SC002", headers=staff).status_code == 200
    assert hall.client.get("/attendance/people/SC001", headers=staff).status_code == 403
    assert hall.client.get("/attendance/people/SC002", headers=lead).status_code == 200
    assert hall.client.get("/attendance/people/SC002", headers=other_lead).status_code == 403
    mine = hall.client.get("/attendance/me", headers=staff).text
    assert "李明" in mine and 'id="leave-form"' in mine
    theirs = hall.client.get("/attendance/people/SC002", headers=lead).text
    assert 'id="read-only"' in theirs and 'id="leave-form"' not in theirs
    admin = hall.client.get("/attendance/me").text  # an account without a 工号
    assert 'id="no-staff-no"' in admin


def test_the_inbox_follows_the_chain_and_keeps_the_decisions_reason(hall: Hall) -> None:
    app = hall.client.app
    staff, lead, leader = (as_staff(app, no) for no in ("SC002", "SC001", "ZW002"))
    half = {"kind": "personal", "start_date": DAY.isoformat(), "start_half": "pm"}
    two = {"kind": "annual", "start_date": "2026-03-12", "end_date": "2026-03-13",
           "substitute": "SC003"}  # fmt: skip
    ids = [hall.client.post(f"{A}/leaves", json=b, headers=staff).json()["id"] for b in (half, two)]
    inbox = hall.client.get("/attendance/approvals", headers=lead).text
    assert f'id="leave-{ids[0]}"' in inbox and f'id="leave-{ids[1]}"' not in inbox  # 2 days
    upper = hall.client.get("/attendance/approvals", headers=leader).text
    assert f'id="leave-{ids[0]}"' in upper and f'id="leave-{ids[1]}"' in upper
    assert hall.client.get("/attendance/approvals", headers=staff).status_code == 403
    own = hall.client.get("/attendance/approvals", headers=as_staff(app, "RS001")).text
    assert "leave-" not in own  # another unit's lead reaches nobody here
    rejected = hall.client.post(
        f"{A}/leaves/{ids[1]}/reject", json={"reason": "月底窗口人手不足"}, headers=leader
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    page = hall.client.get("/attendance/me", headers=staff).text
    assert "月底窗口人手不足" in page and "已驳回" in page
    decided = hall.client.get("/attendance/approvals", headers=leader).text
    assert "月底窗口人手不足" in decided and 'id="waiting"' in decided
