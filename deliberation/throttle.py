"""Slow down guessing: failures counted per client address in Django's cache, in a fixed window.

Shared by the HTTP views (join form, /s/<code>/ links) and the socket (connects to unknown codes),
so one address has one budget of wrong join codes whichever way it guesses. With the cache down
(Redis restarting) it lets everyone through: a missing throttle is better than a refused room.
"""

import hashlib
import hmac
import logging

from django.conf import settings
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


# Voting cards: 27^12 codes make guessing hopeless; this only stops a script trying, with a clear message.
CARD_FAILURES = 20
CARD_WINDOW = 10 * 60

# Open mode join flood (docs/eligibility.md, "Open mode limits"): new participants per client address
# (a whole hall can sit behind one venue Wi-Fi address) and per browser (Django session key, across sessions).
JOINS_PER_ADDRESS = 300
JOINS_PER_DEVICE = 5
JOIN_WINDOW = 10 * 60

# Admission mode: requests still waiting for the facilitator, per address and session.
PENDING_PER_ADDRESS = 5


def card_scope(address):
    """The throttle scope of wrong voting-card codes from one client address."""
    return f"card:{address or 'unknown'}"


def join_address_scope(address):
    """The throttle scope of new participants joining from one client address."""
    return f"join-address:{address}"


def join_device_scope(device_key):
    """The throttle scope of new participants made by one browser (its Django session key)."""
    return f"join-device:{device_key}"


def pending_key(session_id, address):
    """The cache key listing the admission requests still waiting from one address in one session."""
    return f"{PREFIX}pending:{session_id}:{address}"


def pending_ids(session_id, address):
    """The participant ids that asked to join `session_id` from `address` (the caller checks which still wait)."""
    try:
        return list(cache.get(pending_key(session_id, address)) or [])
    except Exception:  # noqa: BLE001 - the cache is down: fail open
        logger.warning("throttle cache unavailable; not reading pending requests", exc_info=True)
        return []


def remember_pending(session_id, address, ids):
    """Keep the waiting requests from one address (for a day: admission happens within a session)."""
    try:
        cache.set(pending_key(session_id, address), list(ids), timeout=24 * 3600)
    except Exception:  # noqa: BLE001 - the cache is down: fail open
        logger.warning("throttle cache unavailable; not keeping pending requests", exc_info=True)


def device_hash(address, user_agent, session):
    """A participant's device as a 16-hex salted hash of address and browser (never the address), per session."""
    key = f"{settings.SECRET_KEY}:device:{session.pk}".encode()
    return hmac.new(key, f"{address or ''}|{user_agent or ''}".encode(), hashlib.sha256).hexdigest()[:16]
