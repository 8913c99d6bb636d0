"""Where the application keeps its files; one place, with an override for tests and portable use."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from costcode_desktop import APP_NAME

HOME_OVERRIDE = "COSTCODESYNC_HOME"  # everything under one folder when set


def _folder(kind: str) -> Path:
    override = os.environ.get(HOME_OVERRIDE)
    if override:
        path = Path(override) / kind
    else:
        dirs = platformdirs.PlatformDirs(APP_NAME, APP_NAME)
        path = Path(
            {
                "config": dirs.user_config_dir,
                "data": dirs.user_data_dir,
                "cache": dirs.user_cache_dir,
                "log": dirs.user_log_dir,
            }[kind]
        )
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    return _folder("config")


def data_dir() -> Path:
    return _folder("data")


def cache_dir() -> Path:
    return _folder("cache")


def log_dir() -> Path:
    return _folder("log")


def demo_database() -> Path:
    """State of the built-in demo sandbox, kept between runs."""
    return data_dir() / "demo-sandbox.sqlite3"
