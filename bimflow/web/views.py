"""Serves the built single-page app: every non-API path answers its index.html, so
client-side routes (/projects/3, /versions/7/statistics) work on reload."""

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import ensure_csrf_cookie

NOT_BUILT = """<!doctype html><meta charset="utf-8"><title>bimflow</title>
<h1>bimflow</h1><p>The web app has not been built yet: run <code>make setup</code>.
The REST API is at <a href="/api/docs/">/api/docs/</a> and the admin at
<a href="/admin/">/admin/</a>.</p>"""


@ensure_csrf_cookie
def spa(request, path: str = ""):
    index = settings.FRONTEND_DIST / "index.html"
    if not index.is_file():
        return HttpResponse(NOT_BUILT)
    response = HttpResponse(index.read_bytes(), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response
