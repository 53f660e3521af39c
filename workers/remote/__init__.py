"""Speech on Celery workers (``CC_SPEECH_MODE=celery``): pbx sends utterances, workers answer."""
