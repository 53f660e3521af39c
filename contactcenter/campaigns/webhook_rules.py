"""The site's webhook rules (:mod:`workers.webhooks.guard`) applied where a URL is saved.

The admin and the API both save through ``Campaign.clean``; the worker applies the same rules
again at each delivery, with the allowances carried in the request (:func:`site_rules`).
"""

from __future__ import annotations

from django.conf import settings

from workers.webhooks.guard import Resolver, TargetRefused, TargetRules, Unresolved, check, system_resolver


def site_rules() -> TargetRules:
    return TargetRules(allow_http=settings.CC_WEBHOOK_ALLOW_HTTP, allow_private=settings.CC_WEBHOOK_ALLOW_PRIVATE)


def check_webhook_url(url: str, resolve: Resolver = system_resolver) -> None:
    """Raise ValueError naming the rule (and the setting that would allow it) if ``url`` breaks one.

    A name that does not resolve now is accepted (its DNS may not exist yet, or not from this
    server): every delivery resolves and checks it again before connecting.
    """
    if not url:
        return
    try:
        check(url, site_rules(), resolve)
    except Unresolved:
        return
    except TargetRefused as exc:
        raise ValueError(str(exc)) from None
