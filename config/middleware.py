import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

# Everything we serve comes from our own origin; no inline script, no third parties.
DEFAULT_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


class ContentSecurityPolicyMiddleware:
    """Send a restrictive Content-Security-Policy unless a view set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", DEFAULT_POLICY)
        return response


class IdleSessionMiddleware:
    """Sign people out after SESSION_COOKIE_AGE seconds without a request, without writing
    the session on every request (which SESSION_SAVE_EVERY_REQUEST would do: a database
    write per page view). The session records when it was last renewed; once that is
    SESSION_RENEW_SECONDS old, the next request renews it (one write, which also pushes
    the cookie's and the stored session's expiry forward by the full idle time). A
    session last renewed longer ago than the idle time is ended, whatever the backend
    still holds. So the idle timeout is exact to within SESSION_RENEW_SECONDS."""

    KEY = "_renewed_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and session.session_key is not None:
            now = int(time.time())
            renewed = session.get(self.KEY)
            if not isinstance(renewed, int):
                # Not stamped (made before this middleware, or by a test's force_login):
                # the backend's own expiry, set when it was last saved, still applies.
                pass
            elif now - renewed > settings.SESSION_COOKIE_AGE:
                session.flush()
            elif now - renewed >= settings.SESSION_RENEW_SECONDS:
                session[self.KEY] = now
        response = self.get_response(request)
        if (
            session is not None
            and session.modified
            and self.KEY not in session
            and len(session.keys()) > 0
        ):
            # A session that starts in this request (signing in) is stamped as it is saved.
            session[self.KEY] = int(time.time())
        return response


class NoStoreForSignedInPagesMiddleware:
    """Tell browsers and proxies to keep no copy of any HTML page shown to someone signed
    in: on a shared computer, the back button or the cache must not show an apprentice's
    records after they sign out. Files already say so (config/downloads.py)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        content_type = response.get("Content-Type", "")
        if user is not None and user.is_authenticated and content_type.startswith("text/html"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        return response


class QueryCountHeaderMiddleware:
    """With QUERY_COUNT_HEADER on (never in production), say in an `X-Query-Count` header
    how many SQL queries the request ran, so bin/benchmark-pages can report them from
    outside the server. Counting needs no DEBUG: a wrapper counts each execute."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.db import connection

        count = [0]

        def counted(execute, sql, params, many, context):
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            response = self.get_response(request)
        response.headers["X-Query-Count"] = str(count[0])
        return response
