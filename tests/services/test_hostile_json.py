"""JSON the application reads from its own files, gone hostile: nested 100,000 deep, numbers of
5,000 digits, damaged compression. Each is a file that could not be read, never a traceback."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import pytest

from costcode_desktop.procore import ProcoreClient
from costcode_desktop.services import CompanyList
from costcode_desktop.services.cache.store import CacheStore
from costcode_desktop.services.settings import Settings, SettingsError, load_settings

from .test_cache import ENV, fill

DEEP = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 100_000 + "1" + "}" * 100_000


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (DEEP, "nested too deeply"),
        ('{"version": 1, "companies": ' + DEEP_OBJECT + "}", "nested too deeply"),
        ('{"version": ' + "9" * 5000 + "}", "it is not valid JSON"),
    ],
    ids=["array", "object", "5,000 digits"],
)
def test_hostile_settings_are_set_aside_with_a_reason(
    tmp_path: Path, content: str, reason: str
) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content, encoding="utf-8")
    settings, problem = load_settings(path)
    assert settings == Settings()
    assert isinstance(problem, SettingsError)
    assert reason in str(problem)
    assert (tmp_path / "settings.json.broken").read_text(encoding="utf-8") == content


@pytest.mark.parametrize(
    ("sql", "value"),
    [
        ("UPDATE projects SET project = ?", DEEP),
        ("UPDATE projects SET counts = ?", DEEP_OBJECT),
        ("UPDATE companies SET list = ?", DEEP),
        ("UPDATE companies SET codes = ?", b"not zlib at all"),
        ("UPDATE companies SET projects = ?", b"x\x9c damaged"),
        ("UPDATE projects SET project = ?", "[" + "9" * 5000 + "]"),
    ],
    ids=["project", "counts", "list", "codes", "project list", "5,000 digits"],
)
def test_a_hostile_cache_row_reads_as_nothing_cached(
    tmp_path: Path,
    client: ProcoreClient,
    company_list: CompanyList,
    caplog: pytest.LogCaptureFixture,
    sql: str,
    value: object,
) -> None:
    path = tmp_path / "cache.sqlite3"
    with CacheStore(path) as store:
        fill(store, client, company_list)
    with sqlite3.connect(path) as db:
        db.execute(sql, (value,))
    db.close()
    with caplog.at_level(logging.WARNING), CacheStore(path) as store:
        assert store.read(ENV) is None
        fill(store, client, company_list)  # written again, it reads back
        assert store.read(ENV) is not None
    assert "could not be read" in caplog.text


def test_damaged_saved_codes_show_no_rows_instead_of_failing(
    tmp_path: Path, client: ProcoreClient, company_list: CompanyList
) -> None:
    path = tmp_path / "cache.sqlite3"
    with CacheStore(path) as store:
        fill(store, client, company_list)
    with sqlite3.connect(path) as db:  # the codes are read only when someone looks
        db.execute("UPDATE projects SET codes = ? WHERE codes IS NOT NULL", (b"damaged",))
    db.close()
    with CacheStore(path) as store:
        cached = store.read(ENV)
    assert cached is not None
    comparisons = [s.comparison for s in cached.statuses.values() if s.comparison is not None]
    assert comparisons
    assert all(c.rows == () for c in comparisons)
