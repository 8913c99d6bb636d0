"""The history, the cache and the demo's state opened over files gone bad: damaged, cut short,
zeros, a folder, another application's. Nothing is fatal; the history is never lost silently
(moved aside, and the user told where); the cache and the demo are disposable and start again."""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from costcode_desktop.procore import ProcoreClient
from costcode_desktop.services import CompanyList
from costcode_desktop.services.cache.store import CORRUPT_SUFFIX, CacheStore
from costcode_desktop.services.history.store import FILE_NAME, HistoryError, HistoryStore
from costcode_desktop.services.paths import demo_database
from costcode_desktop.services.session import open_demo_session
from tests.bad_files import BAD_FILES, Spoil, contents

from .test_cache import ENV, fill
from .test_history import Clock, refreshed, start

SPOILS = list(BAD_FILES.values())
NAMES = list(BAD_FILES)


def good_history(path: Path) -> None:
    with HistoryStore(path, clock=Clock()) as store:
        for _ in range(30):  # pages enough that cutting the file loses some
            store.record_project(start(store), refreshed())


def good_cache(path: Path) -> None:
    CacheStore(path).close()


def good_demo(path: Path) -> None:
    open_demo_session().close()


# --- the history -------------------------------------------------------------------------------


@pytest.mark.parametrize("spoil", SPOILS, ids=NAMES)
def test_a_bad_history_is_moved_aside_and_a_new_one_started(
    tmp_path: Path, spoil: Spoil, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / FILE_NAME
    spoil(path, good_history)
    was = contents(path)
    with caplog.at_level(logging.WARNING), HistoryStore(path, clock=Clock()) as store:
        moved = store.set_aside
        assert moved is not None
        run_id = start(store)  # a new history that works
        store.record_project(run_id, refreshed())
        assert [run.id for run in store.runs()] == [run_id]
    assert re.fullmatch(r"history\.sqlite3\.corrupt-\d{8}-\d{6}", moved.aside.name)
    assert moved.aside.parent == tmp_path
    assert contents(moved.aside) == was, "kept as it was, never deleted"
    notice = store.notice
    assert notice is not None
    assert str(path) in notice
    assert str(moved.aside) in notice
    assert notice.endswith("and a new history was started.")
    assert notice in caplog.text


def test_two_bad_histories_in_one_second_both_kept(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    fixed = datetime(2026, 12, 6, 20, 45, 12, tzinfo=UTC)
    asides = []
    for text in (b"first bad file" * 100, b"second bad file" * 100):
        path.unlink(missing_ok=True)
        path.write_bytes(text)
        with HistoryStore(path, clock=lambda: fixed) as store:
            assert store.set_aside is not None
            asides.append(store.set_aside.aside)
        path.unlink()
    assert asides[0] != asides[1]
    assert asides[1].name == asides[0].name + "-2"
    assert asides[0].read_bytes().startswith(b"first")
    assert asides[1].read_bytes().startswith(b"second")


def test_a_history_with_tables_missing_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    good_history(path)
    with sqlite3.connect(path) as db:
        db.execute("DROP TABLE code_changes")
    db.close()
    with HistoryStore(path) as store:
        assert store.set_aside is not None
        assert "code_changes missing" in (store.notice or "")


def test_a_good_history_is_not_touched(tmp_path: Path) -> None:
    path = tmp_path / FILE_NAME
    good_history(path)
    with HistoryStore(path) as store:
        assert store.set_aside is None
        assert store.notice is None
        assert len(store.runs()) == 30
    assert sorted(p.name for p in tmp_path.iterdir() if "corrupt" in p.name) == []


def test_a_history_that_cannot_be_written_at_all_stays_an_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(HistoryError, match="could not be opened"):
        HistoryStore(blocker / FILE_NAME)
    assert blocker.read_text() == "x"


# --- the cache ---------------------------------------------------------------------------------


@pytest.mark.parametrize("spoil", SPOILS, ids=NAMES)
def test_a_bad_cache_is_started_again(
    tmp_path: Path, spoil: Spoil, client: ProcoreClient, company_list: CompanyList
) -> None:
    path = tmp_path / "cache.sqlite3"
    spoil(path, good_cache)
    with CacheStore(path) as store:
        assert store.read(ENV) is None, "nothing usable: an empty cache"
        fill(store, client, company_list)
        assert store.read(ENV) is not None, "and it works again"
    aside = path.with_name(path.name + CORRUPT_SUFFIX)
    if spoil is BAD_FILES["another application's"]:
        assert not aside.exists(), "a readable file of another schema is emptied in place"
    else:
        assert aside.exists()


# --- the demo's state ----------------------------------------------------------------------------


@pytest.mark.parametrize("reset", [False, True], ids=["--demo", "--demo-reset"])
@pytest.mark.parametrize("spoil", SPOILS, ids=NAMES)
def test_a_bad_demo_database_is_rebuilt_and_said_so(
    spoil: Spoil, reset: bool, caplog: pytest.LogCaptureFixture
) -> None:
    path = demo_database()
    spoil(path, good_demo)
    with caplog.at_level(logging.WARNING):
        session = open_demo_session(reset=reset)
    try:
        assert session.client.projects(session.company.id), "the demo works again"
    finally:
        session.close()
    quietly_reseeded = reset and spoil is BAD_FILES["another application's"]
    if quietly_reseeded:  # a readable file: --demo-reset reseeds it as asked
        assert session.notices == ()
        return
    (notice,) = session.notices
    assert notice.startswith(f"The demo's saved state at {path} could not be read (")
    assert "the demo started again from the beginning" in notice
    assert notice in caplog.text
    if spoil is BAD_FILES["a folder"]:  # never deleted: moved aside, and said where
        moved = path.with_name(path.name + ".not-a-database")
        assert (moved / "something.txt").read_text(encoding="utf-8") == "kept"
        assert str(moved) in notice
    again = open_demo_session()
    assert again.notices == (), "the rebuilt demo opens quietly the next time"
    again.close()
