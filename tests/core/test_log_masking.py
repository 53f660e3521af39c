"""Passwords never reach a log: URL passwords and the secrets file's values are masked by the
filter on every handler, in a real Django process whose log output is read back."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from contactcenter.core.log_masking import MASK, MaskSecrets, mask_url_password
from contactcenter.site.config import REPO_DIR


def test_url_passwords_and_known_secrets_are_masked() -> None:
    assert mask_url_password("redis://:s3cret-pw@127.0.0.1:6390/0") == "redis://:***@127.0.0.1:6390/0"
    assert mask_url_password("amqp://cc:pw@h/v and http://h/x@y") == "amqp://cc:***@h/v and http://h/x@y"
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "login with %s failed", ("ari-pass-1234",), None)
    MaskSecrets(secrets=["ari-pass-1234"]).filter(record)
    assert record.getMessage() == f"login with {MASK} failed"


def _secrets_file(var_dir: Path) -> dict[str, str]:
    values = {"django_secret_key": "d" * 50, "ari_password": "ari-0123456789abcdef",
              "ami_secret": "ami-0123456789abcdef", "agent_sip_password": "sip-01234567"}  # fmt: skip
    var_dir.mkdir(parents=True, exist_ok=True)
    (var_dir / "secrets.json").write_text(json.dumps(values))
    return values


def test_a_real_process_logs_no_secret(tmp_path: Path) -> None:
    secrets = _secrets_file(tmp_path)
    redis_password = "redis-pw-9f8e7d6c5b"
    env = {**os.environ, "CC_VAR_DIR": str(tmp_path), "REDIS_URL": f"redis://:{redis_password}@127.0.0.1:1/0"}
    env.pop("DJANGO_SECRET_KEY", None)
    # A careless log line of the kind this guards against, and the dialer starting against a Redis it
    # cannot reach (its traceback).
    careless = ("import logging; from django.conf import settings; "
                "logging.getLogger('contactcenter').warning('connecting to %s as asterisk/%s, AMI %s', "
                "settings.REDIS_URL, settings.STACK and __import__('json').load(open(settings.STACK.secrets_file))"
                "['ari_password'], 'ami-0123456789abcdef')")  # fmt: skip
    runs = [subprocess.run([sys.executable, "manage.py", "shell", "-c", careless], cwd=REPO_DIR, env=env,
                           capture_output=True, text=True, timeout=120),
            subprocess.run([sys.executable, "manage.py", "dialer", "--once", "--poll-ms", "10"], cwd=REPO_DIR,
                           env=env, capture_output=True, text=True, timeout=120)]  # fmt: skip
    log = "".join(run.stdout + run.stderr for run in runs)
    assert f"connecting to redis://:{MASK}@127.0.0.1:1/0 as asterisk/{MASK}, AMI {MASK}" in log, log
    for secret in (redis_password, *secrets.values()):
        assert secret not in log, log
