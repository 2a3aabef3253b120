"""A cheap "does the broker answer?" check for enqueues made inside a web request.

A save's promise is the outbox row written in its transaction; enqueueing its delivery is best
effort (the every-minute drain is the safety net). Celery's own timeouts still cost a save 2-6 s
on a hung Redis, so before enqueueing, a request asks Redis for a PING with a 250 ms budget, and
after a failure it does not ask again for BROKER_RETRY_SECONDS: with Redis hung or dead a save
costs at most 250 ms more, and nothing at all between probes.
"""

import logging
import threading
import time

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

logger = logging.getLogger(__name__)

PROBE_TIMEOUT_SECONDS = 0.25
BROKER_RETRY_SECONDS = 15

_lock = threading.Lock()
_clients: dict[str, redis.Redis] = {}
_unhealthy_until = 0.0


def broker_answers(url: str) -> bool:
    """True when the Redis broker at `url` answers a PING within the budget (non-Redis: True)."""
    global _unhealthy_until
    if not url.startswith(("redis://", "rediss://")):
        return True
    if time.monotonic() < _unhealthy_until:
        return False
    try:
        _client(url).ping()
    except (redis.RedisError, OSError) as exc:
        with _lock:
            _unhealthy_until = time.monotonic() + BROKER_RETRY_SECONDS
        logger.warning(
            "Broker unreachable, health changes wait in the outbox for the periodic drain (no PING answer "
            "within %s s: %s); no enqueue is tried for %s s",
            PROBE_TIMEOUT_SECONDS,
            exc,
            BROKER_RETRY_SECONDS,
        )
        return False
    return True


def broker_state_reset() -> None:
    """Forget a failed probe and the probe clients (tests, and a changed broker URL)."""
    global _unhealthy_until
    with _lock:
        _unhealthy_until = 0.0
        _clients.clear()


def _client(url: str) -> redis.Redis:
    with _lock:
        if url not in _clients:
            _clients[url] = redis.Redis.from_url(
                url,
                socket_timeout=PROBE_TIMEOUT_SECONDS,
                socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
                retry=Retry(NoBackoff(), 0),  # one try: the budget is the budget
            )
        return _clients[url]
