"""The load test's verdict on concurrent edits (bench/load.py): it must catch what it claims to."""
from collections import Counter

from bench.load import enough_collisions, judge_saves


def save(base: int, value: str, status: int, sent: float = 0.0, answered: float = 1.0) -> dict:
    return {"base": base, "value": value, "status": status, "sent": sent, "answered": answered}


def test_a_clash_refused_with_409_is_counted_as_stale_and_passes():
    # Three users opened version 3; one saved it, two got 409; then one saved version 4.
    saves = [save(3, "a", 303, 0.0, 1.0), save(3, "b", 409, 0.1, 1.2), save(3, "c", 409, 0.2, 1.3),
             save(4, "d", 303, 2.0, 3.0)]
    problems, stale, line = judge_saves("minutes:1", saves, start=3, now=5, initial="", final="d",
                                        recorded=[("", "a"), ("a", "d")])
    assert problems == []
    assert sorted(e["value"] for e in stale) == ["b", "c"]
    assert "2 of them stale (2 sent while the winning save was in flight)" in line


def test_two_accepted_saves_of_one_version_are_a_lost_update():
    saves = [save(3, "a", 303), save(3, "b", 303)]
    problems, stale, _line = judge_saves("meeting:7", saves, start=3, now=5, initial="x", final="b",
                                         recorded=[("x", "a"), ("a", "b")])
    assert any("two accepted saves carried version [3]" in p for p in problems)
    assert stale == []


def test_a_save_made_over_an_older_value_is_a_lost_update_even_with_distinct_versions():
    saves = [save(3, "a", 303), save(4, "b", 303)]
    problems, _stale, _line = judge_saves("meeting:7", saves, start=3, now=5, initial="x", final="b",
                                          recorded=[("x", "a"), ("x", "b")])
    assert problems == ["meeting:7: lost update — save 'b' replaced 'x', not the previous accepted save 'a'"]


def test_an_accepted_save_missing_from_the_object_or_the_audit_log_fails():
    saves = [save(3, "a", 303)]
    problems, _stale, _line = judge_saves("agenda_item:2", saves, start=3, now=3, initial="x", final="x",
                                          recorded=[])
    assert any("version 3 → 3 with 1 accepted saves" in p for p in problems)
    assert any("is in the audit log 0 times" in p for p in problems)
    assert any("holds 'x', not the last accepted save 'a'" in p for p in problems)


def test_a_version_moved_by_something_else_fails():
    problems, _stale, _line = judge_saves("minutes:1", [save(3, "a", 303)], start=3, now=5, initial="",
                                          final="a", recorded=[("", "a")])
    assert any("something else moved the version" in p for p in problems)


def test_refusing_a_save_of_the_current_version_is_a_false_conflict():
    saves = [save(3, "a", 303), save(4, "b", 409)]
    problems, stale, _line = judge_saves("minutes:1", saves, start=3, now=4, initial="", final="a",
                                         recorded=[("", "a")])
    assert problems == ["minutes:1: 1 saves of the current version 4 were refused (false conflict)"]
    assert stale == []


def test_a_refused_save_that_left_its_value_fails():
    saves = [save(3, "a", 303), save(3, "b", 409)]
    problems, _stale, _line = judge_saves("minutes:1", saves, start=3, now=4, initial="", final="a",
                                          recorded=[("", "a"), ("a", "b")])
    assert problems == ["minutes:1: refused saves left a trace: ['b']"]


def test_a_run_without_collisions_fails_whatever_the_threshold():
    none = Counter()
    assert any("only 0 stale-version saves (at least 1 wanted)" in p for p in enough_collisions(none, 0))
    some = Counter({"minutes": 6, "meeting": 5})
    assert enough_collisions(some, 10) == ["no stale save on the agenda_item edit form: its 409 path went untested"]
    assert enough_collisions(Counter({"minutes": 3, "meeting": 3, "agenda_item": 3}), 10) == [
        "only 9 stale-version saves (at least 10 wanted): the 409 path was not exercised enough"]
    assert enough_collisions(Counter({"minutes": 4, "meeting": 3, "agenda_item": 3}), 10) == []
