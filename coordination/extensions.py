"""Flask extensions, created unbound and initialised in create_app()."""
from flask import request
from flask_caching import Cache
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from coordination.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Serialised calendar feeds and events (in-process by default, Redis when CACHE_REDIS_URL is set).
cache = Cache()
# Signed-in people's pages (coordination/page_cache.py): the same kind of cache, its own budget.
page_store = Cache()


def _client_address() -> str:
    return request.remote_addr or "unknown"


# No default limits: the portal only throttles failed log-ins, through the storage directly.
limiter = Limiter(_client_address, default_limits=[])
