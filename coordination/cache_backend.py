"""The in-process cache, bounded by the bytes it holds as well as by its number of entries.

Flask-Caching's ``SimpleCache`` (cachelib's) counts entries only, and the portal caches
values of very different sizes: a meeting's event is half a kilobyte, a whole feed of 5,000
meetings almost three megabytes. Counting entries alone would let a worker grow with the
number of subscribers. This backend keeps cachelib's behaviour (pickled values, expiry, the
oldest entries removed first) and also prunes when the pickled values together pass
``CACHE_MAX_BYTES``. A value larger than a quarter of that budget is not kept at all (it
would push out everything else). With Redis (``CACHE_REDIS_URL``) the limits are Redis's.
"""
from __future__ import annotations

from typing import Any

from flask import Flask
from flask_caching.backends.simplecache import SimpleCache


class _SizedEntries(dict):
    """The cache's ``key -> (expires, pickled value)`` dict, keeping the total size of the values."""

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def __setitem__(self, key: str, item: tuple[float, bytes]) -> None:
        old = self.get(key)
        if old is not None:
            self.size -= len(old[1])
        super().__setitem__(key, item)
        self.size += len(item[1])

    def __delitem__(self, key: str) -> None:
        self.size -= len(self[key][1])
        super().__delitem__(key)

    def pop(self, key: str, *default: Any) -> Any:
        item = super().pop(key, *default)
        if isinstance(item, tuple):
            self.size -= len(item[1])
        return item

    def clear(self) -> None:
        super().clear()
        self.size = 0


class SizedSimpleCache(SimpleCache):
    """``SimpleCache`` that also keeps the bytes of its values under ``max_bytes``."""

    def __init__(self, threshold: int = 500, max_bytes: int = 32 * 1024 * 1024, **kwargs: Any) -> None:
        super().__init__(threshold=threshold, **kwargs)
        self._cache = _SizedEntries()
        self._max_bytes = max_bytes

    @classmethod
    def factory(cls, app: Flask, config: dict[str, Any], args: list[Any], kwargs: dict[str, Any]) -> SizedSimpleCache:
        kwargs.update(threshold=config["CACHE_THRESHOLD"], max_bytes=config["CACHE_MAX_BYTES"])
        return cls(*args, **kwargs)

    def _over_threshold(self) -> bool:
        return super()._over_threshold() or self._cache.size > self._max_bytes

    def _remove_older(self) -> None:
        # The oldest first, down to three quarters of both limits, so that a full cache sorts its
        # entries once in a while rather than on every new entry.
        bytes_left, entries_left = self._max_bytes * 3 // 4, self._threshold * 3 // 4
        for key, _item in sorted(self._cache.items(), key=lambda entry: entry[1][0]):
            if self._cache.size <= bytes_left and len(self._cache) <= entries_left:
                break
            self._cache.pop(key, None)

    def set(self, key: str, value: Any, timeout: Any = None) -> bool | None:
        with self._lock:
            stored = super().set(key, value, timeout)
            if len(self._cache[key][1]) > self._max_bytes // 4:  # too big to keep: it would push out the rest
                self._cache.pop(key, None)
                return False
            if self._over_threshold():  # cachelib prunes before adding: keep the bound after it too
                self._prune()
            return stored

    def add(self, key: str, value: Any, timeout: Any = None) -> bool:
        with self._lock:
            if self.has(key):
                return False
            return bool(self.set(key, value, timeout))
