"""The in-process cache keeps its values under a byte budget as well as an entry count."""
from coordination.cache_backend import SizedSimpleCache
from coordination.extensions import cache


def _size(cache_backend) -> int:
    return sum(len(item[1]) for item in cache_backend._cache.values())


def test_the_app_uses_the_bounded_cache_by_default(app):
    with app.app_context():
        backend = cache.cache
    assert isinstance(backend, SizedSimpleCache)
    assert backend._max_bytes == app.config["CACHE_MAX_BYTES"]


def test_values_past_the_budget_push_out_the_oldest_and_the_count_stays_true():
    backend = SizedSimpleCache(threshold=1000, max_bytes=100_000, default_timeout=3600)
    value = b"x" * 10_000
    for n in range(30):
        assert backend.set(f"feed:{n}", value, timeout=3600 + n)  # later entries expire later
    assert _size(backend) == backend._cache.size <= 100_000
    assert backend.get("feed:29") == value  # the newest are kept
    assert backend.get("feed:0") is None  # the oldest went first
    backend.set("feed:29", b"small")  # a replaced value counts once, at its new size
    assert _size(backend) == backend._cache.size
    backend.delete("feed:29")
    assert _size(backend) == backend._cache.size
    backend.set_many({"a": b"1", "b": b"2"})
    assert backend.get_many("a", "b") == [b"1", b"2"]
    backend.clear()
    assert backend._cache.size == 0 and backend.get("a") is None


def test_a_value_too_big_for_the_budget_is_not_kept_and_keeps_the_rest():
    backend = SizedSimpleCache(threshold=1000, max_bytes=100_000, default_timeout=3600)
    backend.set("event", b"BEGIN:VEVENT")
    assert backend.set("huge feed", b"x" * 30_000) is False
    assert backend.get("huge feed") is None and backend.get("event") == b"BEGIN:VEVENT"
    assert list(backend._cache) == ["event"] and backend._cache.size == _size(backend)
    assert backend.add("event", b"other") is False and backend.add("new", b"v") is True
    assert backend.get("new") == b"v"
