"""Celery workers of the real-time plane: speech recognition, sentiment and TTS on call audio.

Import the Celery app as ``workers.app.app``; ``python -m celery -A workers worker`` finds it here.
"""

from workers.app import app

__all__ = ["app"]
