"""One webhook POST to an address that passed :mod:`workers.webhooks.guard` just now.

The name is resolved once, every address is checked, and the connection goes to a checked
address (TLS still verifies the certificate against the name, sent as SNI), so the name cannot
resolve somewhere else between the check and the connection. Redirects are not followed: a
3xx is a failed delivery that names where it pointed.
"""

from __future__ import annotations

import http.client
import socket
import ssl

from workers.webhooks.guard import (
    Resolver,
    Target,
    TargetRefused,
    TargetRules,
    Unresolved,
    check,
    system_resolver,
)
from workers.webhooks.messages import WebhookPost, WebhookResult


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Speaks to ``host`` (Host header) at ``address``."""

    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """Speaks TLS to ``host`` (SNI, certificate check, Host header) at ``address``."""

    def __init__(self, host: str, port: int, address: str, timeout: float, context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self.address = address

    def connect(self) -> None:
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _connection(target: Target, address: str, timeout_s: float,
                tls: ssl.SSLContext | None) -> http.client.HTTPConnection:  # fmt: skip
    if target.scheme == "https":
        return _PinnedHTTPSConnection(target.host, target.port, address, timeout_s,
                                      tls or ssl.create_default_context())  # fmt: skip
    return _PinnedHTTPConnection(target.host, target.port, address, timeout_s)


def post(request: WebhookPost, resolve: Resolver = system_resolver, tls: ssl.SSLContext | None = None) -> WebhookResult:
    """Check, connect to a checked address, POST; every failure is a result, never an exception."""
    rules = TargetRules(allow_http=request.allow_http, allow_private=request.allow_private)
    try:
        target = check(request.url, rules, resolve)
    except (TargetRefused, Unresolved) as exc:
        return WebhookResult(event_id=request.event_id, error=f"refused: {exc}"[:300])
    body = request.body.encode()
    last_error = ""
    for address in target.addresses:  # the next checked address if one does not answer
        connection = _connection(target, address, request.timeout_s, tls)
        try:
            connection.request("POST", target.path, body=body, headers=request.headers)
            response = connection.getresponse()
            response.read(64 * 1024)  # a receiver's answer is not kept; a bounded read frees the connection
            return _result(request.event_id, response)
        except (OSError, http.client.HTTPException) as exc:
            last_error = f"{address}: {exc or type(exc).__name__}"
        finally:
            connection.close()
    return WebhookResult(event_id=request.event_id, error=last_error[:300])


def _result(event_id: str, response: http.client.HTTPResponse) -> WebhookResult:
    status = response.status
    if 300 <= status < 400:
        where = response.getheader("Location", "nowhere")
        return WebhookResult(event_id=event_id, status=status,
                             error=f"HTTP {status} redirect to {where}: webhooks do not follow redirects "
                                   f"(give the final URL)"[:300])  # fmt: skip
    if 200 <= status < 300:
        return WebhookResult(event_id=event_id, status=status)
    return WebhookResult(event_id=event_id, status=status, error=f"HTTP {status}")
