"""`twreplay.http_client(base_url)`: send the Python SDK's requests to `twreplay serve`.

The counterpart of the PrismClient in Twilio's own mocking tutorial, for every domain at once:
each request goes to the server, with the Twilio host it was meant for in the `Host` header, so
the server routes it (and region/edge clients keep working).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response


def _rewrite(base_url: str, url: str, headers: dict[str, str] | None) -> tuple[str, dict[str, str]]:
    parts = urlsplit(url)
    out = dict(headers or {})
    out["Host"] = parts.netloc
    target = base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
    return target, out


class MockHttpClient(TwilioHttpClient):
    """The SDK's own client (requests), pointed at a twreplay server."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url

    def request(
        self,
        method: str,
        url: str,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = False,
    ) -> Response:
        target, headers = _rewrite(self.base_url, url, headers)
        return super().request(
            method, target, params, data, headers, auth, timeout, allow_redirects
        )


class AsyncMockHttpClient(AsyncTwilioHttpClient):
    """The SDK's async client (aiohttp), pointed at a twreplay server."""

    def __init__(self, base_url: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.base_url = base_url

    async def request(
        self,
        method: str,
        url: str,
        params: Any = None,
        data: Any = None,
        headers: Any = None,
        auth: Any = None,
        timeout: Any = None,
        allow_redirects: bool = False,
    ) -> Response:
        target, headers = _rewrite(self.base_url, url, headers)
        return await super().request(
            method, target, params, data, headers, auth, timeout, allow_redirects
        )


def http_client(base_url: str, *, asynchronous: bool = False, **kwargs: Any) -> Any:
    """An HTTP client for `twilio.rest.Client(..., http_client=...)` that talks to the server."""
    if asynchronous:
        return AsyncMockHttpClient(base_url, **kwargs)
    return MockHttpClient(base_url, **kwargs)
