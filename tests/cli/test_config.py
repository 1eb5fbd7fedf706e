"""``qapress config``: every setting, where it came from, and no secret in the output."""

from __future__ import annotations

import os
import subprocess
import sys

from qapress.settings import Settings

SECRETS = {
    "QAPRESS_ADMIN_SECRET": "hunter2-admin",
    "QAPRESS_OPENAI_API_KEY": "sk-very-secret",
    "QAPRESS_SECRET_KEY": "form-key-value",
    "QAPRESS_IP_HASH_SALT": "salty-salt",
}


def test_config_lists_every_setting_with_secrets_masked() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QAPRESS_")}
    env.update(SECRETS)
    env["QAPRESS_DATABASE_URL"] = "postgresql://qapress:db-password@127.0.0.1:5432/qapress"
    env["QAPRESS_PAGE_MAX_AGE"] = "90"
    result = subprocess.run(
        [sys.executable, "-m", "qapress", "config"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = {
        line.split("=", 1)[0]: line for line in result.stdout.splitlines() if line.startswith("QAPRESS_")
    }
    assert set(lines) == {f"QAPRESS_{name.upper()}" for name in Settings.model_fields}
    for secret in [*SECRETS.values(), "db-password"]:
        assert secret not in result.stdout
    for variable in SECRETS:
        assert lines[variable] == f"{variable}=********  # environment"
    assert lines["QAPRESS_PAGE_MAX_AGE"] == "QAPRESS_PAGE_MAX_AGE=90  # environment"
    assert lines["QAPRESS_PAGE_CACHE_SIZE"] == "QAPRESS_PAGE_CACHE_SIZE=2048  # default"
    assert "postgresql://qapress:***@127.0.0.1:5432/qapress" in lines["QAPRESS_DATABASE_URL"]
