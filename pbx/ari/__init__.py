"""Our own small ARI interface (REST + events websocket) over aiohttp.

ari-py is Python 2 only; a thin client over the documented REST API keeps the surface we
depend on small, and tests can swap ``AriRest`` for a scripted fake.
"""

from pbx.ari.client import AriError, AriRest, HttpAriRest

__all__ = ["AriError", "AriRest", "HttpAriRest"]
