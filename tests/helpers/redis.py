"""The Redis that tests of the Redis paths use: REDIS_URL's (else the local default), or a
skip when it does not answer. CI sets CXSUITE_REQUIRE_REDIS=1 so a missing Redis fails."""

from __future__ import annotations

import os

import pytest


def redis_url_or_skip() -> str:
    import redis

    url = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        if os.environ.get("CXSUITE_REQUIRE_REDIS"):
            raise
        pytest.skip(f"Redis does not answer at {url}")
    return url
