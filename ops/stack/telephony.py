"""The site's agents, queues and trunks, as the stack renders them at start: Django's.

pbx keeps them current afterwards (``pbx.telephony_sync``); this is the same snapshot Django
publishes, built from the database when the stack's processes are put together.
"""

from __future__ import annotations

from pbx.api import Telephony


def site_telephony() -> Telephony:
    from contactcenter.telephony.snapshot import build_pbx_config  # needs Django set up (manage.py)

    telephony = build_pbx_config(version=0).pbx
    assert telephony is not None  # Django's snapshot always carries the PBX
    return telephony
