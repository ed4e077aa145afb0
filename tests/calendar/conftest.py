"""Every feed test starts and ends with an empty cache (feeds and their events are cached);
a member with a seat, a meeting and a feed address (``setting``)."""
from datetime import UTC, datetime

import pytest

from tests.calendar import ZONE, feed_token


@pytest.fixture(autouse=True)
def _empty_cache(empty_cache):
    yield


@pytest.fixture
def setting(make, login_as):
    body = make.body(name="Committee", acronym="CN", timezone=ZONE)
    org = make.organisation(acronym="MSPP")
    make.seat(body, org)
    member = make.user(organisation=org)
    make.person_seat(body, member)
    meeting = make.meeting(body, datetime(2026, 3, 3, 15, tzinfo=UTC), title="March meeting")
    c = login_as(member)
    return {"body": body, "org": org, "member": member, "meeting": meeting, "client": c, "token": feed_token(c)}
