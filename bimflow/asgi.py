"""The ASGI application of `bimflow web`.

Django runs each request's synchronous code (views, middleware, ORM) in a thread of its
own, which dies with the request; its database connection dies with it, so every
request opened a new PostgreSQL connection (a few milliseconds and a server process
each). When connections are reused (BIMFLOW_DB_CONN_MAX_AGE > 0, the default on
PostgreSQL), the quick API reads instead run on one long-lived thread per web process
that keeps its connection: under load this doubled the requests a process serves
(bench/README.md, "API under load"). Everything else (writes, uploads, downloads,
exports: requests that may take long) keeps a thread of its own, whose connection is
closed when the request ends.
"""

import os
import re

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bimflow.settings")
application = get_asgi_application()

# Reads that answer from the database in milliseconds.
_SHARED = re.compile(r"^/api/(projects|models|versions|executions|scripts)(/|$)")
# ... except those that send files or build them.
_OWN_THREAD = re.compile(r"/download/|/ifc/|/diff/|/files/.|\.[a-z]+$")


def _close_connections():
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close()


def shared_thread(scope) -> bool:
    path = scope.get("path", "")
    return (
        scope.get("method") in ("GET", "HEAD")
        and bool(_SHARED.match(path))
        and not _OWN_THREAD.search(path)
    )


def _reusing_application():
    from asgiref.sync import ThreadSensitiveContext, sync_to_async
    from django.core.handlers.asgi import ASGIHandler

    class Handler(ASGIHandler):
        async def __call__(self, scope, receive, send):
            if scope["type"] == "http" and shared_thread(scope):
                # No per-request context: asgiref runs thread-sensitive code on its one
                # shared thread, where the connection stays open between requests.
                await self.handle(scope, receive, send)
                return
            async with ThreadSensitiveContext():
                try:
                    await self.handle(scope, receive, send)
                finally:
                    # This thread ends with the request: its connection must not outlive it.
                    await sync_to_async(_close_connections)()

    return Handler()


def _reuse_enabled() -> bool:
    from django.conf import settings

    return bool(settings.DATABASES["default"].get("CONN_MAX_AGE"))


if _reuse_enabled():
    application = _reusing_application()
