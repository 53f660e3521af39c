"""``manage.py demo``: a real campaign run by the real dialer, answered by simulated people."""
