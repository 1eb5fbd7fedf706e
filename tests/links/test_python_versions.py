"""The address policy decides the same on every Python release the package supports.

``ipaddress``'s flags changed between patch releases (3.11.7 called 192.0.0.192 global), which is why the policy
is a table. This runs the policy's own two modules under each supported interpreter found on the machine
(``pythonX.Y`` on PATH or a pyenv version) and compares every decision with this interpreter's: the walk of the
whole table (each block's first, middle and last address and both neighbours) and the addresses whose flags moved.
"""

from __future__ import annotations

import ipaddress
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from tests.links.test_addresses import VERSION_SENSITIVE

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"

# Run in the other interpreter: load qapress.links.addresses without the package's __init__ (which needs the
# whole dependency tree), then print {address: refused?} for the probe addresses read from stdin.
CHILD = r"""
import importlib.util, json, sys
from pathlib import Path
src = Path(sys.argv[1])
for name, folder in (("qapress", src / "qapress"), ("qapress.links", src / "qapress" / "links")):
    spec = importlib.util.spec_from_file_location(
        name, folder / "__init__.py", submodule_search_locations=[str(folder)])
    sys.modules[name] = importlib.util.module_from_spec(spec)
import ipaddress
from qapress.links.addresses import refusal_reason
probes = json.load(sys.stdin)
print(json.dumps({p: refusal_reason(ipaddress.ip_address(p)) is not None for p in probes}))
"""


def _supported_versions() -> list[str]:
    """The ``Programming Language :: Python :: X.Y`` classifiers: the releases the package says it runs on."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))
    prefix = "Programming Language :: Python :: "
    found = [c.removeprefix(prefix) for c in meta["project"]["classifiers"] if c.startswith(prefix)]
    return [v for v in found if v.count(".") == 1]


def _interpreter(version: str) -> str | None:
    """A working ``pythonX.Y``: a pyenv version first, then PATH (where pyenv's shims may answer for a release
    that is not installed, so each candidate must run)."""
    pyenv_root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = [str(c / "bin" / "python3") for c in sorted(pyenv_root.glob(f"{version}.*"), reverse=True)]
    candidates.append(shutil.which(f"python{version}") or "")
    for candidate in filter(None, candidates):
        probe = subprocess.run(
            [candidate, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, check=False, timeout=30,
        )  # fmt: skip
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def _probes() -> list[str]:
    from qapress.links.special_addresses import special_blocks

    probes = set(VERSION_SENSITIVE)
    for block in special_blocks():
        network = block.network
        family = type(network.network_address)
        first, last = int(network.network_address), int(network.broadcast_address)
        width = 32 if network.version == 4 else 128
        for number in (first - 1, first, first + network.num_addresses // 2, last, last + 1):
            if 0 <= number < 2**width:
                probes.add(str(family(number)))
    return sorted(probes, key=lambda text: (ipaddress.ip_address(text).version, ipaddress.ip_address(text)))


def test_the_package_declares_its_releases() -> None:
    versions = _supported_versions()
    assert f"{sys.version_info.major}.{sys.version_info.minor}" in versions
    assert all(tuple(map(int, v.split("."))) >= (3, 11) for v in versions)


@pytest.mark.parametrize("version", _supported_versions())
def test_the_policy_decides_alike_on(version: str, tmp_path: Path) -> None:
    interpreter = _interpreter(version)
    if interpreter is None:
        pytest.skip(f"no Python {version} on this machine (looked on PATH and in pyenv)")
    from qapress.links.addresses import refusal_reason

    # PyYAML's pure-Python code runs on any release; its compiled part is for this interpreter only and is
    # skipped by the other one (a different extension suffix).
    (tmp_path / "yaml").symlink_to(Path(yaml.__file__).parent)
    probes = _probes()
    run = subprocess.run(
        [interpreter, "-c", CHILD, str(SRC)],
        input=json.dumps(probes),
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path), "PATH": os.environ.get("PATH", "")},
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    theirs: dict[str, bool] = json.loads(run.stdout)
    ours = {p: refusal_reason(ipaddress.ip_address(p)) is not None for p in probes}
    assert theirs == ours
    assert {p: not refused for p, refused in theirs.items() if p in VERSION_SENSITIVE} == VERSION_SENSITIVE
