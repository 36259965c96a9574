"""Django's Redis cache backend, reusing one client object per connection pool, plus a
one-round-trip counter for rate limits.

Django builds a new ``redis.Redis`` for every cache call; with redis-py 8 that object sets
up some 170 response callbacks each time, which costs more than the round trip on the
public API's hot path. A ``redis.Redis`` is safe to share between threads (connections come
from its pool), so one per pool is enough.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends import redis as django_redis


class ReusingRedisCacheClient(django_redis.RedisCacheClient):
    # Set by Django's RedisCacheClient; declared here for the type checker.
    _servers: list[str]
    _pools: dict[int, Any]
    _pool_class: Any
    _pool_options: dict[str, Any]
    _client: Any
    _serializer: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def _get_connection_pool_index(self, write: bool) -> int:
        return int(super()._get_connection_pool_index(write))  # type: ignore[misc]

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            if index not in self._pools:
                self._pools[index] = self._pool_class.from_url(
                    self._servers[index], **self._pool_options
                )
            client = self._clients[index] = self._client(connection_pool=self._pools[index])
        return client


class RedisCache(django_redis.RedisCache):
    _cache: ReusingRedisCacheClient  # Django's cached_property, declared for the type checker

    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def count(self, key: str, timeout: int, amount: int = 1) -> int:
        """Add ``amount`` to a counter that expires ``timeout`` seconds after its last use,
        in one round trip (Django's ``incr`` checks existence first and sets no expiry)."""
        key = self.make_and_validate_key(key)
        client = self._cache.get_client(key, write=True)
        with client.pipeline(transaction=False) as pipe:
            pipe.incrby(key, amount)
            pipe.expire(key, timeout)
            value, _ = pipe.execute()
        return int(value)


def count(cache: Any, key: str, timeout: int, amount: int = 1) -> int:
    """``cache.count`` where the backend has it (Redis); add-or-increment elsewhere."""
    one_trip = getattr(cache, "count", None)  # also through django.core.cache.cache's proxy
    if one_trip is not None:
        return int(one_trip(key, timeout, amount))
    try:
        return int(cache.incr(key, amount))
    except ValueError:  # first use (or a race for it)
        if cache.add(key, amount, timeout):
            return amount
        return int(cache.incr(key, amount))
