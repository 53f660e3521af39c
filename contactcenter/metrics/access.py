"""Who may read ``/metrics``: Prometheus with the site's metrics token, or an admin or a
supervisor logged in (:data:`~contactcenter.people.policy.Action.READ_METRICS`)."""

from __future__ import annotations

import hmac
from enum import Enum
from typing import Any

from contactcenter.people.policy import Action, may


class Verdict(Enum):
    ALLOWED = 200
    UNAUTHENTICATED = 401  # nobody we know: send the token (or log in)
    FORBIDDEN = 403  # a user whose role may not read metrics


def verdict(authorization: str, user: Any, token: str) -> Verdict:
    """``authorization``: the request's Authorization header ("" when it has none). A header
    that is not the right bearer token is refused even with a session beside it: a scraper
    configured with a wrong token must see its 401, not metrics by chance."""
    if authorization:
        scheme, _, credentials = authorization.partition(" ")
        right = bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(
            credentials.strip().encode(), token.encode())  # fmt: skip
        return Verdict.ALLOWED if right else Verdict.UNAUTHENTICATED
    if user is None or not user.is_authenticated:
        return Verdict.UNAUTHENTICATED
    return Verdict.ALLOWED if may(user, Action.READ_METRICS) else Verdict.FORBIDDEN
