"""Secrets never reach a log line: the password of any ``scheme://user:password@`` URL, and every
value of the installation's secrets file (``var/secrets.json``: the Django key, ARI and AMI
passwords, and whatever else is added to it), are written as ``***``.

Installed on every handler by Django's ``LOGGING`` (settings), so it covers the web, the dialer
and the site's commands, whatever logger a library logs to. Call sites still should not log
secrets; this is the net under them.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path

MASK = "***"
# scheme://[user]:password@ : the password is what is between the colon and the @.
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s:/@]*:)(?P<password>[^\s@/]+)(?=@)")
# Short values (a port, "x") would mask ordinary text; the generated secrets are far longer.
MIN_SECRET_LEN = 8


def mask_url_password(text: str) -> str:
    return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)


def secrets_in(path: Path) -> tuple[str, ...]:
    """Every string value of the secrets file long enough to be one; none if it is not there yet."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return ()
    values = data.values() if isinstance(data, dict) else ()
    return tuple(v for v in values if isinstance(v, str) and len(v) >= MIN_SECRET_LEN)


class SecretMasker:
    def __init__(self, secrets: Iterable[str]) -> None:
        # Longest first: a secret that contains another is masked whole.
        self.secrets = tuple(sorted(set(secrets), key=len, reverse=True))

    def __call__(self, text: str) -> str:
        text = mask_url_password(text)
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


class MaskSecrets(logging.Filter):
    """A logging filter: the record's final message (and traceback) with the secrets masked."""

    def __init__(self, secrets: Iterable[str] | None = None) -> None:
        super().__init__()
        if secrets is None:
            from django.conf import settings

            secrets = (*secrets_in(settings.STACK.secrets_file), settings.SECRET_KEY)
        self.mask = SecretMasker(secrets)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = self.mask(message)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.mask(record.exc_text)
        return True
