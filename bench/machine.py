"""What the figures were taken on: cores, CPU model, load, Python, databases and library versions."""

from __future__ import annotations

import datetime as dt
import os
import platform
import sqlite3
import subprocess
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import psycopg

from bench.data import PG_ADMIN_DSN

LIBRARIES = (
    "qapress",
    "sqlalchemy",
    "psycopg",
    "orjson",
    "graphql-core",
    "strawberry-graphql",
    "datasette",
    "datasette-graphql",
    "starlette",
    "uvicorn",
)


@dataclass(frozen=True)
class Machine:
    date: str
    cores: int
    cpu_model: str
    load: str
    memory_gb: float
    python: str
    sqlite: str
    postgresql: str
    libraries: dict[str, str]

    def lines(self) -> list[str]:
        libraries = ", ".join(f"{name} {version}" for name, version in self.libraries.items())
        return [
            f"- Date: {self.date}",
            f"- Machine: {self.cores} cores, {self.cpu_model}, {self.memory_gb:.0f} GB RAM, "
            f"load average at the start {self.load}",
            f"- Python {self.python}; SQLite {self.sqlite}; PostgreSQL {self.postgresql} on 127.0.0.1",
            f"- Libraries: {libraries}",
        ]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def postgresql_version() -> str:
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3) as connection:
            row = connection.execute("SHOW server_version").fetchone()
            return str(row[0]) if row else "unknown"
    except psycopg.Error:
        return "unreachable"


def library_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def qapress_version() -> str:
    """The installed version, or the checkout's commit when qapress runs from ``src`` (PYTHONPATH)."""
    version = library_version("qapress")
    if version != "not installed":
        return version
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=Path(__file__).resolve().parents[1],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "from source"
    return f"commit {commit} (from source)"


def describe_machine() -> Machine:
    one, five, fifteen = os.getloadavg()
    return Machine(
        date=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cores=os.cpu_count() or 0,
        cpu_model=cpu_model(),
        load=f"{one:.1f} / {five:.1f} / {fifteen:.1f}",
        memory_gb=memory_gb(),
        python=platform.python_version(),
        sqlite=sqlite3.sqlite_version,
        postgresql=postgresql_version(),
        libraries={
            name: qapress_version() if name == "qapress" else library_version(name) for name in LIBRARIES
        },
    )
