"""The teacher's password: a constant-time check and a per-client, capped backoff.

The password lives only in the ``TEACHER_PASSWORD`` environment variable; nothing here stores it
or anything derived from it. After n consecutive failures from one client key (its address),
that key must wait

    wait(n) = min(BASE_S · 2^(n − 1), CAP_S)   seconds

before another password from it is even checked. The wait belongs to that key alone: failures
from one client never delay a password typed at another, so a student guessing whenever allowed
cannot keep the teacher out, and the teacher's own typos cost at most CAP_S.

The client key is the address Streamlit sees (:func:`client_key`). Behind a reverse proxy that
address is the proxy's, so every client would share one key; with ``ATLAS_TRUSTED_PROXIES=N``
(the number of proxies in front of the app, each appending to ``X-Forwarded-For``) the key is
the address the outermost trusted proxy saw. Without that setting the header is ignored, since
any client can write it.

The counts live in a :class:`Throttle` held by the server process (the page keeps one in
``st.cache_resource``), so reloading the page or opening a new browser session does not reset
them. A success clears its key; an hour without failures clears a key; at most MAX_KEYS keys
are kept (the oldest are dropped first).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field

BASE_S = 1.0
CAP_S = 60.0
FORGET_S = 3600.0  # a key with no failure for this long starts again from zero
MAX_KEYS = 10_000  # failure records kept at most (oldest dropped), so memory stays bounded
TRUSTED_PROXIES_ENV = "ATLAS_TRUSTED_PROXIES"
MAX_TRUSTED_PROXIES = 5


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
    """Consecutive failures per client key and when that key may try again (thread-safe)."""

    base_s: float = BASE_S
    cap_s: float = CAP_S
    _failures: dict[str, tuple[int, float]] = field(default_factory=dict)  # key → (n, last time)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait(self, key: str, now: float) -> float:
        """Seconds until ``key`` may try again (0: now); only ``key``'s own failures count."""
        with self._lock:
            n, last = self._failures.get(key, (0, now))
        if now - last > FORGET_S:
            return 0.0
        return max(0.0, last + backoff(n, self.base_s, self.cap_s) - now)

    def failures(self, key: str) -> int:
        with self._lock:
            return self._failures.get(key, (0, 0.0))[0]

    def failed(self, key: str, now: float) -> float:
        """Count a failure for ``key``; returns the wait ``key`` now has."""
        with self._lock:
            self._forget_old(now)
            n, last = self._failures.pop(key, (0, now))
            n = 0 if now - last > FORGET_S else n
            self._failures[key] = (n + 1, now)  # re-inserted: the dict stays oldest-first
            while len(self._failures) > MAX_KEYS:
                del self._failures[next(iter(self._failures))]
        return self.wait(key, now)

    def succeeded(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)

    def _forget_old(self, now: float) -> None:
        """Drop keys idle for FORGET_S, oldest first (the dict is kept in order of last failure)."""
        while self._failures:
            oldest = next(iter(self._failures))
            if now - self._failures[oldest][1] <= FORGET_S:
                break
            del self._failures[oldest]

    def attempt(self, key: str, given: str, expected: str, now: float) -> Attempt:
        """Check ``given`` unless ``key`` must still wait; count the result against ``key`` only."""
        wait = self.wait(key, now)
        if wait > 0:
            return Attempt(ok=False, checked=False, wait_s=wait)
        if check_password(given, expected):
            self.succeeded(key)
            return Attempt(ok=True, checked=True, wait_s=0.0)
        return Attempt(ok=False, checked=True, wait_s=self.failed(key, now))


def trusted_proxies() -> int:
    """``ATLAS_TRUSTED_PROXIES`` as a count from 0 to MAX_TRUSTED_PROXIES (0 if unset or invalid)."""
    raw = os.environ.get(TRUSTED_PROXIES_ENV, "").strip()
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 2):
        return 0
    return min(int(raw), MAX_TRUSTED_PROXIES)


def client_key(peer: str | None, headers: Mapping[str, str] | None, proxies: int = 0) -> str:
    """Whom failures count against: ``ip:<address>``.

    With ``proxies`` = N > 0 trusted proxies, the N-th address from the right of
    ``X-Forwarded-For`` (the client as the outermost trusted proxy saw it); otherwise, or when
    that entry is missing or not an address, the peer address (``local`` when unknown).
    """
    if proxies > 0 and headers is not None:
        raw = _header(headers, "x-forwarded-for")
        hops = [h.strip() for h in raw.split(",")][-MAX_TRUSTED_PROXIES * 4 :] if raw else []
        if len(hops) >= proxies:
            candidate = _address(hops[-proxies])
            if candidate is not None:
                return f"ip:{candidate}"
    address = _address(peer) if isinstance(peer, str) else None
    return f"ip:{address}" if address else "ip:local"


def _header(headers: Mapping[str, str], name: str) -> str:
    try:
        value = headers.get(name) or headers.get(name.title()) or ""
    except Exception:  # noqa: BLE001 — a headers object we cannot read: no header
        return ""
    return value[:2000] if isinstance(value, str) else ""


def _address(text: str | None) -> str | None:
    """``text`` as a normalised IP address, or None if it is not one."""
    try:
        return str(ipaddress.ip_address((text or "").strip()))
    except ValueError:
        return None
