"""Unit tests: local times, DST, RRULE building and expansion, quorum arithmetic."""
from datetime import UTC, datetime

import pytest

from coordination import dates
from coordination.charters.models import QuorumRule
from coordination.meetings import recurrence
from coordination.meetings.attendance import required_for

ZONE = "America/Port-au-Prince"  # observes daylight-saving time (UTC-5 / UTC-4)


def test_monthly_series_keeps_its_local_hour_across_dst():
    first = datetime(2026, 1, 6, 10, 0)  # first Tuesday of January, 10:00 local
    rule = recurrence.build_rrule("monthly_weekday", first, 1, 6, None)
    assert rule == "FREQ=MONTHLY;INTERVAL=1;BYDAY=1TU;COUNT=6"
    starts = recurrence.expand(rule, first)
    assert [s.day for s in starts] == [6, 3, 3, 7, 5, 2]  # first Tuesdays, Jan–Jun 2026
    assert {s.hour for s in starts} == {10}
    utc_hours = [dates.to_utc(s, ZONE).hour for s in starts]
    assert utc_hours == [15, 15, 15, 14, 14, 14]  # the offset changes, the local hour does not


def test_other_patterns():
    first = datetime(2026, 3, 17, 9, 30)
    assert recurrence.build_rrule("weekly", first, 2, None, datetime(2026, 5, 1, 9, 30)) == \
        "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20260501T093000"
    assert recurrence.build_rrule("monthly_day", first, 3, 4, None) == "FREQ=MONTHLY;INTERVAL=3;BYMONTHDAY=17;COUNT=4"
    assert recurrence.build_rrule("monthly_weekday", first, 1, 2, None, ordinal=-1) == "FREQ=MONTHLY;INTERVAL=1;BYDAY=-1TU;COUNT=2"
    assert len(recurrence.expand("FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;UNTIL=20260501T093000", first)) == 4
    with pytest.raises(ValueError):
        recurrence.build_rrule("yearly", first, 1, 1, None)


def test_local_time_in_a_dst_gap_moves_forward():
    # 2026-03-08 02:30 does not exist in Port-au-Prince (clocks jump from 02:00 to 03:00).
    assert dates.to_utc(datetime(2026, 3, 8, 2, 30), ZONE) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    assert dates.to_local(datetime(2026, 7, 1, 14, tzinfo=UTC), ZONE) == datetime(2026, 7, 1, 10)


@pytest.mark.parametrize("rule,value,total,required", [
    (QuorumRule.MAJORITY, None, 13, 7),
    (QuorumRule.MAJORITY, None, 12, 7),
    (QuorumRule.FIXED, 4, 12, 4),
    (QuorumRule.PERCENTAGE, 60, 12, 8),  # 7.2 rounds up
    (QuorumRule.PERCENTAGE, 50, 10, 5),
])
def test_quorum_requirement(rule, value, total, required):
    assert required_for(rule, value, total) == required
