"""Slow down guessing: failures counted per client address in Django's cache, in a fixed window.

Shared by the HTTP views (join form, /s/<code>/ links) and the socket (connects to unknown codes),
so one address has one budget of wrong join codes whichever way it guesses. With the cache down
(Redis restarting) it lets everyone through: a missing throttle is better than a refused room.
"""

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

# A hall on one wi-fi address mistypes a few codes; a guesser needs millions (27^6 codes).
JOIN_CODE_FAILURES = 30
JOIN_CODE_WINDOW = 10 * 60  # seconds; the refusal message says "ten minutes"
PREFIX = "throttle:"


def join_code_scope(address):
    """The throttle scope of join-code lookups from one client address."""
    return f"join-code:{address or 'unknown'}"


def allow(scope_key: str, limit: int, window_seconds: int) -> bool:
    """True while `scope_key` has had fewer than `limit` failures in its current window."""
    try:
        return (cache.get(PREFIX + scope_key) or 0) < limit
    except Exception:  # noqa: BLE001 - the cache is down: fail open
        logger.warning("throttle cache unavailable; allowing %s", scope_key, exc_info=True)
        return True


def fail(scope_key: str, window_seconds: int) -> int:
    """Count one failure for `scope_key` (its window starts at the first failure); return the count."""
    key = PREFIX + scope_key
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            return 1
    except Exception:  # noqa: BLE001 - the cache is down: fail open
        logger.warning("throttle cache unavailable; not counting %s", scope_key, exc_info=True)
        return 0
