"""The token feeds answered without the page hooks (a WSGI middleware).

Calendar programs poll every subscriber's feed every few minutes, and nearly every poll gets
``304 Not Modified`` or the cached file. Such an answer needs the feed's own view — its guard
(the token's user, the body, ``can``), its validator and its cache — but none of the page
hooks: there is no session, no form, no second factor, no outbox, no write to commit. So a
``GET``/``HEAD`` of a token feed runs its view directly inside a request context (URL
matching, ``g``, the language and ``url_for`` work as in the app), then gets the same security
headers and request id as every answer.

A poll whose answer is already known skips even the view: once a feed has answered, its
validator (ETag, Last-Modified and the headers of a 304) is kept under the content stamp
(``coordination.page_cache``: every committed write of content moves it), the date, the
address with its host and the ``Accept-Language`` (the feed's language). While they are the
same, the feed's validator is the same, so a conditional request that still matches gets its
304, and any other the cached file, after one query of a single row instead of the viewer's
query over every body.

Only a success is answered here. Anything else — an unknown token (404), a body the token's
user may not see, a database that does not answer, any error — is not answered here: the
request goes to the application, whose hooks, error pages and logs then handle it exactly as
before. Nothing is written on this path: the session is rolled back and removed when the
context ends.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, request
from werkzeug.http import is_resource_modified

from coordination.calendar.feeds import digest, kept_file
from coordination.calendar.queries import read_without_transaction
from coordination.dates import local_today
from coordination.extensions import cache
from coordination.page_cache import content_version

FEEDS = frozenset({"calendar.personal_feed", "calendar.body_feed"})
PREFIX = "/calendar/"


class FeedFastPath:
    """Answer successful token-feed requests directly; hand everything else to ``wsgi_app``.

    ``finish`` are the ``after_request`` functions every answer needs (security headers,
    request id); they are called in order on the response.
    """

    def __init__(self, app: Flask, wsgi_app: Callable, finish: Iterable[Callable[[Response], Response]]):
        self.app = app
        self.wsgi_app = wsgi_app
        self.finish = tuple(finish)

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") in ("GET", "HEAD") and environ.get("PATH_INFO", "").startswith(PREFIX):
            response = self.answer(environ)
            if response is not None:
                return response(environ, start_response)
        return self.wsgi_app(environ, start_response)

    def answer(self, environ: dict[str, Any]) -> Response | None:
        """The feed's answer when it is a success, else None (the application answers)."""
        app = self.app
        with app.request_context(environ):
            if request.routing_exception is not None or request.endpoint not in FEEDS:
                return None
            try:
                read_without_transaction()
                key = _memo_key()
                known = _known_answer(key)
                response = known or app.make_response(app.view_functions[request.endpoint](**request.view_args))
            except Exception:  # noqa: BLE001 — e.g. 404 for an unknown token, or a database down: the
                return None  # application answers it again, with its error pages, handlers and log
            if response.status_code not in (200, 304):
                return None
            if key is not None and known is None and response.headers.get("ETag"):
                cache.set(key, (response.get_etag()[0], response.last_modified,
                                [(name, response.headers[name]) for name in MEMO_HEADERS if name in response.headers]))
            for step in self.finish:
                response = step(response)
            return response


# What a 304 carries, as the feed's own answer gave it (coordination.calendar.feeds.conditional).
MEMO_HEADERS = ("ETag", "Last-Modified", "Cache-Control", "Content-Disposition")


def _memo_key() -> str | None:
    """Where this feed's validator is kept while nothing it depends on changed (None: no stamp)."""
    version = content_version()
    if version is None:
        return None
    return "ics:memo:" + digest(version, local_today().isoformat(), request.host_url, request.full_path,
                                request.headers.get("Accept-Language", ""))


def _known_answer(key: str | None) -> Response | None:
    """With the validator kept: a 304 if the client's copy is current, else the cached file;
    None when either is not known (the feed's view answers)."""
    known = cache.get(key) if key is not None else None
    if known is None:
        return None
    etag, modified, headers = known
    if not is_resource_modified(request.environ, etag=etag, last_modified=modified):
        return Response(status=304, headers=headers)
    data = kept_file(etag)
    return Response(data, mimetype="text/calendar", headers=headers) if data is not None else None
