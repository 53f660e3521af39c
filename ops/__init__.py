"""Operations tooling: runs, checks and exercises the whole contact center.

It talks to every plane (Django's ``contactcenter``, the real-time ``pbx`` and ``workers``),
so it lives outside both: ``ops`` may import either plane, neither plane imports ``ops``.
It is also a Django app, only so that ``manage.py stack|demo|demo_admin`` exist.
"""
