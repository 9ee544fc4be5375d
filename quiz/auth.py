"""The teacher's password: a constant-time check and a server-side exponential backoff.

The password lives only in the ``TEACHER_PASSWORD`` environment variable; nothing here stores it
or anything derived from it. After n consecutive failures from one key (the client's address),
that key must wait

    wait(n) = min(BASE_S · 2^(n − 1), CAP_S)   seconds

before another password is even checked. A client address can be forged, so every failure also
counts towards one shared key, :data:`ALL`, whose wait starts after GLOBAL_FREE failures in a row:
wait_all(n) = wait(n − GLOBAL_FREE). Guessing is then slow even from many addresses, while one
student typing wrong passwords delays the teacher by at most CAP_S.

The counts live in a :class:`Throttle` held by the server process (the page keeps one in
``st.cache_resource``), so reloading the page or opening a new browser session does not reset
them. A success clears the key and the shared count; an hour without failures clears a key.
"""

from __future__ import annotations

import hmac
import os
import threading
from dataclasses import dataclass, field

BASE_S = 1.0
CAP_S = 300.0
FORGET_S = 3600.0  # a key with no failure for this long starts again from zero
GLOBAL_FREE = 10  # failures from all clients together before the shared wait starts
ALL = "*"  # the shared key


def teacher_password() -> str | None:
    """``TEACHER_PASSWORD`` from the environment; None (dashboard disabled) when unset or blank."""
    value = os.environ.get("TEACHER_PASSWORD", "")
    return value if value.strip() else None


def check_password(given: str, expected: str) -> bool:
    """``given == expected`` in time independent of where they differ (``hmac.compare_digest``).

    Compared as UTF-8 bytes, so a password in any script works.
    """
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def backoff(failures: int, base_s: float = BASE_S, cap_s: float = CAP_S) -> float:
    """wait(n) = min(base · 2^(n − 1), cap) seconds after n ≥ 1 failures; 0 after none."""
    if failures <= 0:
        return 0.0
    return min(base_s * 2.0 ** min(failures - 1, 62), cap_s)


@dataclass(frozen=True)
class Attempt:
    """The outcome of one login attempt: accepted?, checked at all?, and seconds to wait now."""

    ok: bool
    checked: bool
    wait_s: float


@dataclass
class Throttle:
    """Consecutive failures per key and when that key may try again (thread-safe)."""

    base_s: float = BASE_S
    cap_s: float = CAP_S
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)  # key → (n, last time)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again (0: now): its own wait or the shared one."""
        return max(self._wait(key, 0, now), self._wait(ALL, GLOBAL_FREE, now))

    def _wait(self, key: str, free: int, now: float) -> float:
        with self._lock:
            n, last = self._failures.get(key, (0, now))
        return max(0.0, last + backoff(n - free, self.base_s, self.cap_s) - now)

    def failures(self, key: str) -> int:
        with self._lock:
            return self._failures.get(key, (0, 0.0))[0]

    def failed(self, key: str, now: float) -> float:
        """Count a failure for ``key`` and for :data:`ALL`; returns the wait ``key`` now has."""
        with self._lock:
            self._forget_old(now)
            for k in (key, ALL):
                self._failures[k] = (self._failures.get(k, (0, now))[0] + 1, now)
        return self.wait(key, now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)
            self._failures.pop(ALL, None)

    def _forget_old(self, now: float) -> None:
        old = [k for k, (_, last) in self._failures.items() if now - last > FORGET_S]
        for k in old:
            del self._failures[k]

    def attempt(self, key: str, given: str, expected: str, now: float) -> Attempt:
        """Check ``given`` unless ``key`` must still wait; count the result."""
        wait = self.wait(key, now)
        if wait > 0:
            return Attempt(ok=False, checked=False, wait_s=wait)
        if check_password(given, expected):
            self.succeeded(key)
            return Attempt(ok=True, checked=True, wait_s=0.0)
        return Attempt(ok=False, checked=True, wait_s=self.failed(key, now))
