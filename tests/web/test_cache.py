"""The anonymous page cache keeps a page for its time to live, and no longer."""

from __future__ import annotations

from vigil.web.cache import PageCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_page_is_served_until_its_time_to_live_runs_out():
    clock = Clock()
    cache = PageCache(ttl=15, clock=clock)
    cache.put("/watchlist", "<p>one</p>")
    clock.now = 14.9
    assert cache.get("/watchlist") == "<p>one</p>"
    clock.now = 15.0
    assert cache.get("/watchlist") is None


def test_clearing_forgets_every_page():
    cache = PageCache()
    cache.put("a", "1")
    cache.put("b", "2")
    cache.clear()
    assert cache.get("a") is None and cache.get("b") is None
