"""Who is on time, late, incomplete or missing: pure, from stored submissions."""

from datetime import datetime, timezone

from mailbot.config import load
from mailbot.core.models import SubmissionRecord
from mailbot.chase.status import status_json, unit_statuses
from mailbot.config import PACKAGED_CONFIG

CAMPAIGN = load(PACKAGED_CONFIG).campaign


def record(unit, received, electronic=True, stamped=True, problems=()):
    return SubmissionRecord(1, f"<{unit}@x>", unit, "2026Q3", received, electronic, stamped,
                            (1,), problems)


def test_states_follow_the_due_date_in_local_time():
    # 2026-09-30 23:30 in Shanghai is 15:30 UTC: still on time
    on_time = record("区人社局", datetime(2026, 9, 30, 15, 30, tzinfo=timezone.utc))
    late = record("区卫健局", datetime(2026, 9, 30, 16, 30, tzinfo=timezone.utc))
    incomplete = record("区残联", datetime(2026, 9, 1, tzinfo=timezone.utc), stamped=False)
    statuses = {s.unit: s for s in unit_statuses(CAMPAIGN, "2026Q3", [on_time, late, incomplete])}
    assert statuses["区人社局"].state == "on_time"
    assert statuses["区卫健局"].state == "late"
    assert statuses["区残联"].state == "incomplete"
    assert statuses["区妇联"].state == "missing"
    assert len(statuses) == 18


def test_status_json_has_the_contract_shape():
    data = status_json(CAMPAIGN, "2026Q3", unit_statuses(CAMPAIGN, "2026Q3", []))
    assert data["quarter"] == "2026Q3" and data["due"] == "2026-09-30"
    assert data["units"][0] == {"unit": "区人社局", "state": "missing", "electronic": False,
                                "stamped_pdf": False, "received_at": None, "items": [],
                                "message_id": None}
