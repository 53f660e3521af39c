"""Where a webhook may go: https, and only to public addresses, unless the site allows otherwise.

A campaign's webhook URL is typed by a person and reached by our server: without these rules it
reaches anything the server can (Redis, the ARI port, a cloud's metadata address, the LAN). The
rules are checked when the URL is saved (admin, API) and again at every delivery, on every
address the name resolves to then (a name that resolved to a public address when it was saved
may resolve to 127.0.0.1 later: DNS rebinding); the delivery connects to an address checked
here, never to the name again.

The allowances are the site's (``CC_WEBHOOK_ALLOW_HTTP``, ``CC_WEBHOOK_ALLOW_PRIVATE``, read by
Django's settings and carried in each request to the worker), so a person who may edit a
campaign cannot open the server's network by editing it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

ALLOW_HTTP_SETTING = "CC_WEBHOOK_ALLOW_HTTP"
ALLOW_PRIVATE_SETTING = "CC_WEBHOOK_ALLOW_PRIVATE"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
# host, port -> every address the name resolves to (getaddrinfo's A and AAAA records)
Resolver = Callable[[str, int], list[str]]


class TargetRefused(ValueError):
    """The URL breaks a rule; the message names the rule and the setting that would allow it."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


class Unresolved(ValueError):
    """The name does not resolve (now): nothing to check, nothing to connect to."""


@dataclass(frozen=True)
class TargetRules:
    allow_http: bool = False
    allow_private: bool = False


@dataclass(frozen=True)
class Target:
    """A URL that passed the rules, with the addresses that were checked (connect only to these)."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise Unresolved(f"{host} does not resolve: {exc}") from None
    return list(dict.fromkeys(info[4][0] for info in infos))


def _kind(address: IPAddress) -> str:
    """What makes an address unfit for a webhook, or "" for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return _kind(address.ipv4_mapped)
    for kind, flag in (("loopback", address.is_loopback), ("link-local", address.is_link_local),
                       ("unspecified", address.is_unspecified), ("multicast", address.is_multicast),
                       ("private", address.is_private), ("reserved", address.is_reserved),
                       ("not globally routable", not address.is_global)):  # fmt: skip
        if flag:
            return kind
    return ""


def parse(url: str, rules: TargetRules) -> tuple[str, str, int, str]:
    """scheme, host, port and path of ``url``, refusing a scheme the rules do not allow."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise TargetRefused(f"not a usable URL: {exc}", "url") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise TargetRefused("give an https:// URL with a host name", "url")
    if parts.username or parts.password:
        raise TargetRefused("put no user or password in the URL: the request is signed (X-CC-Signature)", "url")
    if scheme == "http" and not rules.allow_http:
        raise TargetRefused(f"webhooks must use https:// (plain http is allowed only where the site sets "
                            f"{ALLOW_HTTP_SETTING}=1)", "https")  # fmt: skip
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


def check_addresses(host: str, addresses: list[str], rules: TargetRules) -> tuple[str, ...]:
    """Refuse if ANY address is unfit: an attacker's name may mix a public and a private one."""
    if not addresses:
        raise Unresolved(f"{host} resolves to no address")
    if not rules.allow_private:
        for raw in addresses:
            address = ipaddress.ip_address(raw.split("%")[0])
            if kind := _kind(address):
                shown = host if host == raw else f"{host} ({raw})"
                raise TargetRefused(f"{shown} is a {kind} address: webhooks go to public addresses only "
                                    f"(private, loopback and link-local ones are allowed only where the "
                                    f"site sets {ALLOW_PRIVATE_SETTING}=1)", "private")  # fmt: skip
    return tuple(addresses)


def check(url: str, rules: TargetRules, resolve: Resolver = system_resolver) -> Target:
    """The checked target of ``url``; raises :class:`TargetRefused` or :class:`Unresolved`."""
    scheme, host, port, path = parse(url, rules)
    try:
        literal = [str(ipaddress.ip_address(host))]
    except ValueError:
        literal = None
    addresses = check_addresses(host, literal or resolve(host, port), rules)
    return Target(scheme, host, port, path, addresses)
