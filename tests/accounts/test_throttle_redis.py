"""Failed log-in throttling with Redis storage (RATELIMIT_STORAGE_URI), as several app processes share it."""
import os
import secrets

import pytest

from coordination import create_app
from coordination.extensions import db, limiter
from tests import factories

redis = pytest.importorskip("redis")

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
def redis_app(app, tmp_path):
    """A second app process on its own database, throttling through Redis under a unique key prefix."""
    server = redis.Redis.from_url(REDIS_URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"no Redis server at {REDIS_URL}")
    prefix = f"concertation-test-{secrets.token_hex(4)}"
    other = create_app({
        "TESTING": True, "SECRET_KEY": "redis-test", "SERVER_NAME": "localhost",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'redis.db'}",
        "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
    })
    with other.app_context():
        from flask_migrate import upgrade

        upgrade()
        email = factories.user().email
        db.session.commit()
    yield other, email, server, prefix
    for key in server.scan_iter(f"*{prefix}*"):
        server.delete(key)
    with other.app_context():
        db.engine.dispose()
    limiter.init_app(app)  # the limiter is one object: give it back to the suite's app


def test_failed_logins_are_counted_in_redis_and_lift(redis_app):
    from tests.conftest import Client

    other, email, server, prefix = redis_app
    other.test_client_class = Client
    c = other.test_client()
    for _ in range(5):
        assert c.login(email, "wrong password!!").status_code == 401
    assert c.login(email).status_code == 429
    keys = list(server.scan_iter(f"*{prefix}*"))
    assert keys, "the failures were not stored in Redis"
    # A second process sharing the same Redis sees the same count (nothing held in memory).
    assert other.test_client().login(email).status_code == 429
    for key in keys:  # the window passing, as Redis expires the keys
        assert server.ttl(key) > 0
        server.delete(key)
    assert other.test_client().login(email).status_code == 303
