"""Windowed counters of login attempts that every web process shares, each counted and read in
one atomic step: in Redis when LOGIN_THROTTLE_REDIS_URL is set (a Lua script: INCR, then
EXPIRE on a new key), otherwise in the business's `accounts_logincounter` table (one
`INSERT … ON CONFLICT … DO UPDATE … RETURNING`).

A window starts at a key's first attempt and lasts its full length; attempts within it do
not extend it. The process-local cache would not do: each web process would count apart.
"""

from __future__ import annotations

from functools import cache

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from .models import LoginCounter

# Per key: count this attempt (a key whose window has passed starts again at 1), give its
# time to live in milliseconds.
_HIT_SCRIPT = """
local out = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then
    redis.call('EXPIRE', key, ARGV[1])
    ttl = tonumber(ARGV[1]) * 1000
  end
  out[2 * i - 1] = count
  out[2 * i] = ttl
end
return out
"""

# Per key: delete it unless its count is past its limit (ARGV[i]).
_CLEAR_SCRIPT = """
for i, key in ipairs(KEYS) do
  local count = tonumber(redis.call('GET', key) or '0')
  if count <= tonumber(ARGV[i]) then
    redis.call('DEL', key)
  end
end
return 0
"""

# A new key starts at 1; a known key adds 1, or starts again at 1 once its window has passed.
# The proposed row (`excluded`) carries the app's time as its window start (the same clock the
# clean-up compares with, not the database's).
_UPSERT = """
INSERT INTO {table} AS c (key, count, window_start, expires_at)
SELECT k, 1, %(now)s::timestamptz, %(now)s::timestamptz + make_interval(secs => %(window)s)
FROM unnest(%(keys)s::text[]) AS k
ORDER BY k
ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN c.expires_at > excluded.window_start THEN c.count + 1 ELSE 1 END,
    window_start = CASE
        WHEN c.expires_at > excluded.window_start THEN c.window_start
        ELSE excluded.window_start END,
    expires_at = CASE
        WHEN c.expires_at > excluded.window_start THEN c.expires_at
        ELSE excluded.expires_at END
RETURNING key, count, extract(epoch FROM c.expires_at - %(now)s::timestamptz)
"""


@cache
def _redis(url: str):
    import redis

    client = redis.Redis.from_url(url)
    return client, client.register_script(_HIT_SCRIPT), client.register_script(_CLEAR_SCRIPT)


def _redis_key(key: str) -> str:
    # The business in braces: both keys of one login land in the same Redis Cluster slot.
    return f"cxsuite:login:{{{connection.schema_name}}}:{key}"


def hit(keys: list[str], *, window: int) -> list[tuple[int, float]]:
    """Count one attempt under each key; (count within the window, seconds left) per key."""
    url = settings.LOGIN_THROTTLE_REDIS_URL
    if url:
        _client, script, _clear = _redis(url)
        flat = script(keys=[_redis_key(key) for key in keys], args=[window])
        return [(int(flat[i]), int(flat[i + 1]) / 1000) for i in range(0, len(flat), 2)]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            _UPSERT.format(table=LoginCounter._meta.db_table),
            {"now": timezone.now(), "window": window, "keys": keys},
        )
        rows = {key: (count, float(seconds)) for key, count, seconds in cursor.fetchall()}
    return [rows[key] for key in keys]


def clear(keys: list[tuple[str, int]]) -> None:
    """Delete each (key, limit) whose count is within its limit; a blocked key keeps its
    window. In the table, windows that have passed go too."""
    url = settings.LOGIN_THROTTLE_REDIS_URL
    if url:
        _client, _hit, script = _redis(url)
        script(keys=[_redis_key(key) for key, _limit in keys], args=[limit for _k, limit in keys])
        return
    within = Q(expires_at__lte=timezone.now())
    for key, limit in keys:
        within |= Q(key=key, count__lte=limit)
    LoginCounter.objects.filter(within).delete()
