"""The Redis cache, made to outlive Redis: the site keeps answering while Redis is away.

Django's RedisCache raises when Redis cannot be reached, and every page that touches the
cache (the sign-in form's rate limits, session tracking, the catalogue) then answers 500.
ResilientRedisCache asks Redis with short timeouts; when Redis does not answer it logs
once, opens a circuit breaker and serves the cache from the process's own memory for
RETRY_AFTER seconds, after which one request tries Redis again. So a dead Redis costs one
timeout per process per RETRY_AFTER seconds, not one per request, and the site is back on
Redis by itself within RETRY_AFTER seconds of Redis coming back.

Keys under FAIL_CLOSED_PREFIXES (the rate limits) never fall back: a limit counted in one
process's memory is no limit across processes, so those calls raise CacheUnavailable and
the caller refuses the attempt (identity.throttling answers 429).
"""

import logging
import threading
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ReadOnlyError
from redis.exceptions import TimeoutError as RedisTimeoutError
from redis.retry import Retry

logger = logging.getLogger(__name__)

# Redis is away (refused, reset, timed out, loading) or is a read-only replica after a
# failover. Other errors are bugs and are raised as they are.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, ReadOnlyError)


class CacheUnavailable(Exception):
    """Redis cannot be reached and the key may not fall back (a rate limit's count)."""


class CircuitBreaker:
    """Whether Redis is worth asking: shared by every thread of the process."""

    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        self._lock = threading.Lock()
        self._open_until = 0.0  # 0.0 while Redis answers
        self._probing = False

    @property
    def is_open(self) -> bool:
        return self._open_until != 0.0

    def allow(self) -> bool:
        """Return whether this call may ask Redis: always while closed, one probe at a time
        once RETRY_AFTER has passed while open."""
        if not self._open_until:
            return True
        with self._lock:
            if not self._open_until:
                return True
            if self._probing or time.monotonic() < self._open_until:
                return False
            self._probing = True
            return True

    def succeeded(self) -> None:
        if not self._open_until:
            return
        with self._lock:
            was_open, self._open_until, self._probing = bool(self._open_until), 0.0, False
        if was_open:
            logger.warning("Redis answers again: the cache and rate limits use it again.")

    def failed(self, error: Exception) -> None:
        with self._lock:
            was_open = bool(self._open_until)
            self._open_until = time.monotonic() + self.retry_after
            self._probing = False
        if not was_open:
            logger.error("Redis cannot be reached (%s): the cache falls back to memory and "
                         "sign-in is refused for now; trying again every %s s.",
                         error, self.retry_after)


# One breaker per Redis location for the whole process (Django makes a backend per thread).
_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(location: str, retry_after: float) -> CircuitBreaker:
    with _breakers_lock:
        return _breakers.setdefault(location, CircuitBreaker(retry_after))


class ResilientRedisCache(RedisCache):
    """RedisCache with short timeouts, a circuit breaker and a memory fallback.

    OPTIONS beyond redis-py's: RETRY_AFTER (seconds a dead Redis is left alone, default 5)
    and FAIL_CLOSED_PREFIXES (keys that raise CacheUnavailable instead of falling back).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS") or {})
        retry_after = float(options.pop("RETRY_AFTER", 5))
        self.fail_closed_prefixes = tuple(options.pop("FAIL_CLOSED_PREFIXES", ()))
        options.setdefault("socket_connect_timeout", 0.5)
        options.setdefault("socket_timeout", 0.5)
        # One new connection when a pooled one turns out dead (Redis restarted), so a
        # restart does not open the breaker; a timeout is not tried twice.
        options.setdefault("retry", Retry(NoBackoff(), 1,
                                          supported_errors=(RedisConnectionError,)))
        super().__init__(server, {**params, "OPTIONS": options})
        location = server if isinstance(server, str) else ",".join(server)
        self.breaker = breaker_for(location, retry_after)
        fallback_params = {key: value for key, value in params.items()
                           if key in ("TIMEOUT", "KEY_PREFIX", "VERSION", "KEY_FUNCTION")}
        self.fallback = LocMemCache(f"weconomics-redis-fallback:{location}",
                                    {**fallback_params, "OPTIONS": {"MAX_ENTRIES": 10000}})

    def _run(self, method: str, keys, *args, **kwargs):
        fail_closed = self.fail_closed_prefixes and any(
            str(key).startswith(self.fail_closed_prefixes) for key in keys)
        if self.breaker.allow():
            try:
                result = getattr(super(), method)(*args, **kwargs)
            except UNREACHABLE as error:
                self.breaker.failed(error)
            except BaseException:
                self.breaker.succeeded()  # Redis answered, with an error of our own
                raise
            else:
                self.breaker.succeeded()
                return result
        if fail_closed:
            raise CacheUnavailable("Redis cannot be reached")
        return getattr(self.fallback, method)(*args, **kwargs)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("add", [key], key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._run("get", [key], key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set", [key], key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("touch", [key], key, timeout, version)

    def delete(self, key, version=None):
        return self._run("delete", [key], key, version)

    def get_many(self, keys, version=None):
        keys = list(keys)
        return self._run("get_many", keys, keys, version)

    def has_key(self, key, version=None):
        return self._run("has_key", [key], key, version)

    def incr(self, key, delta=1, version=None):
        return self._run("incr", [key], key, delta, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._run("set_many", list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        keys = list(keys)
        return self._run("delete_many", keys, keys, version)

    def clear(self):
        self.fallback.clear()
        return self._run("clear", [])
