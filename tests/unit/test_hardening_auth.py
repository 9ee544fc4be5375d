"""Teacher sign-in throttling: per client, capped, and never a lock-out of the teacher."""

from __future__ import annotations

import random

import pytest

import quiz.auth as auth
from quiz.auth import CAP_S, MAX_KEYS, Throttle, client_key, trusted_proxies

RIGHT, TWO_HOURS = "the-teachers-long-password", 2 * 3600.0


def test_a_two_hour_attacker_never_keeps_the_teacher_out():
    """A client sends one wrong password whenever it is allowed to, for two simulated hours; the
    teacher, at another address, signs in once a minute at a random second: every time it works."""
    t, rng = Throttle(), random.Random(11)
    attacker, teacher = "ip:203.0.113.9", "ip:198.51.100.4"
    visits = [60.0 * i + rng.uniform(0, 59) for i in range(120)]  # once in every minute
    now, guesses, teacher_ok, teacher_tries = 0.0, 0, 0, 0
    while visits:
        while visits and visits[0] <= now:
            teacher_tries += 1
            teacher_ok += t.attempt(teacher, RIGHT, RIGHT, visits.pop(0)).ok
        a = t.attempt(attacker, f"guess-{guesses}", RIGHT, now)
        guesses += a.checked
        assert not a.ok
        now += max(t.wait(attacker, now), 0.5)  # retry the moment the wait is over
    assert teacher_tries == 120 and teacher_ok == teacher_tries
    # the attacker was slowed to about one guess per CAP_S once the wait reached the cap
    assert guesses <= TWO_HOURS / CAP_S + 10


def test_the_teachers_own_typos_cost_at_most_the_cap():
    t, key, now = Throttle(), "ip:198.51.100.4", 0.0
    for _ in range(30):
        now += t.wait(key, now)
        t.attempt(key, "typo", RIGHT, now)
    assert t.wait(key, now) == CAP_S  # capped, however many typos
    assert not t.attempt(key, RIGHT, RIGHT, now + CAP_S - 1).ok  # same client: wait first
    assert t.attempt(key, RIGHT, RIGHT, now + CAP_S).ok


def test_a_shared_address_delays_the_right_password_by_at_most_the_cap():
    """Behind an untrusted proxy everyone is one key: a guesser can delay the teacher, but never
    by more than CAP_S per attempt, and the teacher's first attempt after the wait is checked."""
    t, key, now = Throttle(), "ip:10.0.0.1", 0.0
    for i in range(50):
        now += t.wait(key, now)
        t.attempt(key, f"guess-{i}", RIGHT, now)
    assert 0 < t.wait(key, now) <= CAP_S
    later = now + t.wait(key, now)
    assert t.attempt(key, RIGHT, RIGHT, later).ok


def test_memory_is_bounded_by_the_number_of_keys():
    t = Throttle()
    for i in range(MAX_KEYS + 500):
        t.failed(f"ip:k{i}", float(i) * 1e-3)
    assert len(t._failures) == MAX_KEYS
    assert t.failures("ip:k0") == 0 and t.failures(f"ip:k{MAX_KEYS + 499}") == 1


def test_a_key_is_forgotten_after_an_hour():
    t, key = Throttle(), "ip:192.0.2.1"
    for i in range(8):
        t.failed(key, float(i))
    assert t.wait(key, 8.0) > 0
    assert t.wait(key, 8.0 + auth.FORGET_S + 1) == 0.0
    t.failed(key, 8.0 + auth.FORGET_S + 2)
    assert t.failures(key) == 1


@pytest.mark.parametrize(
    ("peer", "xff", "proxies", "key"),
    [
        ("192.0.2.7", None, 0, "ip:192.0.2.7"),
        ("10.0.0.1", "6.6.6.6", 0, "ip:10.0.0.1"),  # header ignored unless the proxy is trusted
        ("10.0.0.1", "6.6.6.6, 203.0.113.5", 1, "ip:203.0.113.5"),  # rightmost: our proxy saw it
        ("10.0.0.1", "6.6.6.6, 203.0.113.5, 10.0.0.2", 2, "ip:203.0.113.5"),
        ("10.0.0.1", "not-an-address", 1, "ip:10.0.0.1"),  # garbage: fall back to the peer
        ("10.0.0.1", "203.0.113.5", 3, "ip:10.0.0.1"),  # fewer hops than proxies: the peer
        (None, None, 0, "ip:local"),
        ("2001:DB8::1", None, 0, "ip:2001:db8::1"),
    ],
)
def test_client_key(peer, xff, proxies, key):
    headers = {"X-Forwarded-For": xff} if xff is not None else {}
    assert client_key(peer, headers, proxies) == key


@pytest.mark.parametrize(
    ("value", "n"), [("", 0), ("1", 1), ("2", 2), ("99", 5), ("-1", 0), ("²", 0), ("x", 0)]
)
def test_trusted_proxies_setting(monkeypatch: pytest.MonkeyPatch, value: str, n: int):
    monkeypatch.setenv(auth.TRUSTED_PROXIES_ENV, value)
    assert trusted_proxies() == n
