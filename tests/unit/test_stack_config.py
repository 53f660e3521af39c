from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from contactcenter.site.config import ConfigError, Ports, StackConfig
from contactcenter.site.secrets import ensure_secrets, load_secrets


def test_ports_default_and_override() -> None:
    assert Ports.from_env({}).web == 8000
    assert Ports.from_env({"CC_WEB_PORT": "9100"}).web == 9100


@pytest.mark.parametrize("value", ["abc", "0", "70000", ""])
def test_bad_port_names_the_variable(value: str) -> None:
    with pytest.raises(ConfigError, match="CC_AMI_PORT"):
        Ports.from_env({"CC_AMI_PORT": value})


def test_rtp_range_must_be_ordered() -> None:
    with pytest.raises(ConfigError, match="CC_RTP_END"):
        Ports.from_env({"CC_RTP_START": "20000", "CC_RTP_END": "19000"})


def test_var_dir_from_env(tmp_path: Path) -> None:
    config = StackConfig.from_env({"CC_VAR_DIR": str(tmp_path)})
    assert config.var_dir == tmp_path and config.secrets_file == tmp_path / "secrets.json"
    assert config.redis_address == "redis://127.0.0.1:6390/0"
    # Clients get the installation's Redis password in the URL.
    password = ensure_secrets(config.secrets_file).redis_password
    assert config.redis_url == f"redis://:{password}@127.0.0.1:6390/0"


def test_secrets_are_generated_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    first = ensure_secrets(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ensure_secrets(path) == first
    assert len({first.ari_password, first.ami_secret, first.agent_sip_password, first.redis_password}) == 4
    assert len(first.redis_password) == 32


def test_an_installation_made_before_the_redis_password_gains_one_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    older = {"django_secret_key": "k" * 50, "ari_password": "ari", "ami_secret": "ami", "agent_sip_password": "sip"}
    path.write_text(json.dumps(older))
    path.chmod(0o600)
    upgraded = ensure_secrets(path)
    assert (upgraded.django_secret_key, upgraded.ari_password, upgraded.ami_secret,
            upgraded.agent_sip_password) == tuple(older.values())  # fmt: skip
    assert len(upgraded.redis_password) == 32
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert ensure_secrets(path) == upgraded  # added once, then kept
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["secrets.json"]


def test_processes_upgrading_at_once_all_read_one_redis_password(tmp_path: Path) -> None:
    """The stack's processes may all start on an installation that has no Redis password yet."""
    from concurrent.futures import ProcessPoolExecutor

    path = tmp_path / "secrets.json"
    path.write_text(json.dumps({"django_secret_key": "k", "ari_password": "a", "ami_secret": "m",
                                "agent_sip_password": "s"}))  # fmt: skip
    with ProcessPoolExecutor(4) as pool:
        passwords = set(pool.map(_redis_password_of, [path] * 8))
    assert passwords == {load_secrets(path).redis_password}


def _redis_password_of(path: Path) -> str:
    return ensure_secrets(path).redis_password


def test_broken_secrets_give_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "secrets.json"
    with pytest.raises(ConfigError, match="missing; run"):
        load_secrets(path)
    path.write_text("{not json")
    with pytest.raises(ConfigError, match="not valid JSON"):
        load_secrets(path)
    path.write_text(json.dumps({"django_secret_key": "x", "ari_password": "", "ami_secret": "y"}))
    with pytest.raises(ConfigError, match="'ari_password' is missing"):
        load_secrets(path)
