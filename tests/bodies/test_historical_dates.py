"""Dates of past facts (a body established, a charter adopted or signed) go back to 1900."""
from __future__ import annotations

from coordination.bodies.models import Body
from coordination.extensions import db


def _body_form(name: str, established: str) -> dict[str, str]:
    return {"name": name, "acronym": "", "kind": "coordination_committee", "level": "national",
            "status": "active", "visibility": "internal", "timezone": "UTC", "established_on": established}


def test_a_body_established_in_1975_is_accepted_but_not_in_1899(login_as, db_read):
    c = login_as("secretariat")
    refused = c.submit("/bodies/new", _body_form("Too Old Committee", "1899-12-31"), token_url="/bodies/new")
    assert refused.status_code == 422
    assert "Enter a date between 1900 and 2100." in refused.get_data(as_text=True)
    accepted = c.submit("/bodies/new", _body_form("Old Committee", "1975-05-01"), token_url="/bodies/new")
    assert accepted.status_code == 303, accepted.get_data(as_text=True)[:2000]
    with db_read() as s:
        names = set(s.execute(db.select(Body.name)).scalars())
    assert "Old Committee" in names and "Too Old Committee" not in names
