"""Sliding-window counters shared by every app process: in SQL, or in Redis when configured."""

import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, func, select

from core.db import utcnow
from core.extensions import db
from core.models import RateLimitHit


@dataclass(frozen=True)
class Status:
    count: int
    retry_after: int  # seconds until the oldest counted hit leaves the window


class SqlLimiter:
    def status(self, key: str, window: int) -> Status:
        since = utcnow() - timedelta(seconds=window)
        count, oldest = db.session.execute(
            select(func.count(RateLimitHit.id), func.min(RateLimitHit.at)).where(
                RateLimitHit.key == key, RateLimitHit.at > since
            )
        ).one()
        retry = 0 if oldest is None else max(1, int((oldest - since).total_seconds()) + 1)
        return Status(count, retry)

    def hit(self, key: str, window: int) -> None:
        now = utcnow()
        db.session.execute(
            delete(RateLimitHit).where(
                RateLimitHit.key == key, RateLimitHit.at <= now - timedelta(seconds=window)
            )
        )
        db.session.add(RateLimitHit(key=key, at=now))
        db.session.flush()

    def reset(self, key: str) -> None:
        db.session.execute(delete(RateLimitHit).where(RateLimitHit.key == key))

    def undo(self, key: str) -> None:
        """Take back the most recent hit under this key."""
        newest = select(func.max(RateLimitHit.id)).where(RateLimitHit.key == key).scalar_subquery()
        db.session.execute(delete(RateLimitHit).where(RateLimitHit.id == newest))


class RedisLimiter:
    def __init__(self, url: str):
        import redis  # imported here so that SQL-only deployments never need a Redis server

        self.redis = redis.Redis.from_url(url)

    def status(self, key: str, window: int) -> Status:
        now = time.time()
        rkey = f"relay:rl:{key}"
        pipe = self.redis.pipeline()
        pipe.zremrangebyscore(rkey, 0, now - window)
        pipe.zcard(rkey)
        pipe.zrange(rkey, 0, 0, withscores=True)
        _, count, oldest = pipe.execute()
        retry = 0 if not oldest else max(1, int(oldest[0][1] + window - now) + 1)
        return Status(count, retry)

    def hit(self, key: str, window: int) -> None:
        now = time.time()
        rkey = f"relay:rl:{key}"
        pipe = self.redis.pipeline()
        pipe.zadd(rkey, {uuid.uuid4().hex: now})
        pipe.zremrangebyscore(rkey, 0, now - window)
        pipe.expire(rkey, window)
        pipe.execute()

    def reset(self, key: str) -> None:
        self.redis.delete(f"relay:rl:{key}")

    def undo(self, key: str) -> None:
        self.redis.zpopmax(f"relay:rl:{key}")


def limiter() -> SqlLimiter | RedisLimiter:
    ext = current_app.extensions
    if "relay_limiter" not in ext:
        url = current_app.config.get("REDIS_URL")
        ext["relay_limiter"] = RedisLimiter(url) if url else SqlLimiter()
    return ext["relay_limiter"]
