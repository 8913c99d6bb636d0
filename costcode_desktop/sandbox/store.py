"""The sandbox's state in SQLite: schema, seeding and the queries the endpoints need."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from .cost_types import LINE_ITEM_TYPE_ID_START, CostTypeSpec, assigned_json
from .jsontext import read_json
from .seedmodel import PROJECT_CODE_ID_START, STANDARD_CODE_ID_START, Seed

# Each company's default WBS pattern, as tutorial_wbs.md's example shows it: (type, name,
# position, required, project_can_modify_origin_project, project_can_delete_origin_company,
# structure). Ids follow the example's (447332 cost code, 447333 cost type, 447334 sub job).
DEFAULT_SEGMENTS = (
    ("cost_code", "Cost Code", 1, True, True, True, "tiered"),
    ("line_item_type", "Cost Type", 2, True, False, False, "flat"),
    ("sub_job", "Sub Job", 0, False, True, True, "flat"),
)
SEGMENT_ID_START = 447_332
WBS_PATTERN_ID_START = 3_113_970

# Bumped whenever the schema or the demo seed changes: a file of another version is reseeded
# (so an existing demo gains what the seed added). 4: the PKCE verifier on sign-in codes;
# 5: Example Builders West, on Acumatica, or sub jobs (both were 5 on their branches);
# 6: both, so a database of either 5 is reseeded once.
SCHEMA_VERSION = "6"

Row = sqlite3.Row

_TABLES = (
    "meta",
    "apps",
    "users",
    "companies",
    "standard_lists",
    "standard_codes",
    "line_item_types",
    "wbs_segments",
    "projects",
    "sub_jobs",
    "cost_codes",
    "tokens",
    "auth_codes",
)

# Statements are split on ";": keep semicolons out of the comments.
_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE apps (
    client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL, acts_as_user INTEGER NOT NULL,
    redirect_uris TEXT NOT NULL, name TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE users (
    id INTEGER PRIMARY KEY, login TEXT NOT NULL, name TEXT NOT NULL, password TEXT,
    project_admin TEXT, projects TEXT, companies TEXT);
CREATE TABLE companies (
    id INTEGER PRIMARY KEY, name TEXT NOT NULL, is_active INTEGER NOT NULL,
    my_company INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE standard_lists (
    id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, name TEXT NOT NULL,
    is_erp_list INTEGER NOT NULL, available INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE standard_codes (
    id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL, parent_id INTEGER, code TEXT NOT NULL,
    full_code TEXT NOT NULL, name TEXT NOT NULL, origin_id TEXT, origin_data TEXT,
    active INTEGER NOT NULL, seq INTEGER NOT NULL,
    line_item_types TEXT NOT NULL DEFAULT '[]', UNIQUE (list_id, full_code));
-- Cost types: a code's assigned ones are kept on its row as the JSON the answers carry.
CREATE TABLE line_item_types (
    id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
    base_type TEXT NOT NULL, origin_id TEXT, seq INTEGER NOT NULL);
CREATE INDEX standard_codes_by_list ON standard_codes (list_id, seq);
-- The company's WBS pattern: Procore's default legacy segments (tutorial_wbs.md).
CREATE TABLE wbs_segments (
    id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,
    position INTEGER NOT NULL, delimiter TEXT NOT NULL, required INTEGER NOT NULL,
    project_can_modify_origin_project INTEGER NOT NULL,
    project_can_delete_origin_company INTEGER NOT NULL, structure TEXT NOT NULL,
    wbs_pattern_id INTEGER NOT NULL, created_at REAL NOT NULL);
CREATE TABLE projects (
    id INTEGER PRIMARY KEY, company_id INTEGER NOT NULL, name TEXT NOT NULL,
    display_name TEXT NOT NULL, project_number TEXT, active INTEGER NOT NULL, stage TEXT,
    origin_id TEXT, is_erp_integrated INTEGER NOT NULL, standard_cost_code_list_id INTEGER,
    created_at REAL NOT NULL, updated_at REAL NOT NULL);
-- Sub jobs (Sage Extras): a flat segment of the project, each with its own cost codes.
CREATE TABLE sub_jobs (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, code TEXT NOT NULL, name TEXT NOT NULL,
    origin_id TEXT, origin_data TEXT, seq INTEGER NOT NULL, created_at REAL NOT NULL,
    updated_at REAL NOT NULL, UNIQUE (project_id, code));
CREATE TABLE cost_codes (
    id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, sub_job_id INTEGER, parent_id INTEGER,
    code TEXT NOT NULL, full_code TEXT NOT NULL, name TEXT NOT NULL, position INTEGER NOT NULL,
    origin_id TEXT, origin_data TEXT, standard_cost_code_id INTEGER,
    budgeted INTEGER NOT NULL DEFAULT 0, created_at REAL NOT NULL, updated_at REAL NOT NULL,
    deleted_at REAL, line_item_types TEXT NOT NULL DEFAULT '[]');
CREATE INDEX cost_codes_by_project ON cost_codes (project_id, position);
-- One row per issued access token and its refresh token (a pair). refresh_token stays NULL
-- for client credentials, the authorization-code and refresh-token grants fill it, and a refresh
-- sets refresh_used_at (single use) and inserts the next pair. grant_id ties every pair that
-- descends from one authorization code, so that a reused code can revoke them all.
CREATE TABLE tokens (
    access_token TEXT PRIMARY KEY, refresh_token TEXT UNIQUE, client_id TEXT NOT NULL,
    user_id INTEGER NOT NULL, grant_type TEXT NOT NULL, created_at REAL NOT NULL,
    expires_at REAL NOT NULL, revoked_at REAL, refresh_used_at REAL, grant_id TEXT);
CREATE INDEX tokens_by_grant ON tokens (grant_id);
-- Authorization codes: single use (used_at), bound to client, redirect URI and user, and to
-- the PKCE challenge when the authorization request sent one (NULL otherwise).
CREATE TABLE auth_codes (
    code TEXT PRIMARY KEY, grant_id TEXT NOT NULL UNIQUE, client_id TEXT NOT NULL,
    redirect_uri TEXT NOT NULL, user_id INTEGER NOT NULL, created_at REAL NOT NULL,
    expires_at REAL NOT NULL, used_at REAL, code_challenge TEXT, code_challenge_method TEXT);
"""


def _scope_json(scope: frozenset[int] | None) -> str | None:
    return None if scope is None else json.dumps(sorted(scope))


def scope_contains(raw: str | None, value: int) -> bool:
    """Users' project/company scopes are stored as JSON lists; NULL means "all"."""
    if raw is None:
        return True
    ids: list[int] = read_json(raw)
    return value in ids


class Store:
    """One SQLite connection shared by the handler threads, serialised by a re-entrant lock."""

    def __init__(self, db_path: str | Path | None = None) -> None:
        self.path = None if db_path is None else Path(db_path)
        target = ":memory:" if self.path is None else str(self.path)
        self._conn = sqlite3.connect(target, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self.lock = threading.RLock()
        try:
            if self.path is not None:
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            self._conn.close()  # a file that is no database: let the caller move or delete it
            raise
        self._depth = 0

    def close(self) -> None:
        with self.lock:
            self._conn.close()

    # --- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing writes; nested use joins the outer transaction."""
        with self.lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._conn.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            else:
                self._conn.execute("COMMIT")
            finally:
                self._depth = 0

    def all(self, sql: str, params: Iterable[Any] = ()) -> list[Row]:
        with self.lock:
            return list(self._conn.execute(sql, tuple(params)))

    def one(self, sql: str, params: Iterable[Any] = ()) -> Row | None:
        with self.lock:
            row: Row | None = self._conn.execute(sql, tuple(params)).fetchone()
            return row

    def execute(self, sql: str, params: Iterable[Any] = ()) -> int:
        """Run a write; returns the number of changed rows."""
        with self.lock:
            return self._conn.execute(sql, tuple(params)).rowcount

    # --- schema and seeding --------------------------------------------------------------------

    def is_seeded(self) -> bool:
        with self.lock:
            try:
                row = self.one("SELECT value FROM meta WHERE key = 'schema_version'")
            except sqlite3.OperationalError:
                return False
            return row is not None and row["value"] == SCHEMA_VERSION

    def reset(self, seed: Seed, now: float) -> None:
        """Drop everything and load the seed."""
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for table in _TABLES:
                    self._conn.execute(f"DROP TABLE IF EXISTS {table}")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        self._conn.execute(statement)
                self._load(seed, now)
                self._conn.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (SCHEMA_VERSION,)
                )
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def _load(self, seed: Seed, now: float) -> None:
        c = self._conn
        app = seed.app
        c.execute(
            "INSERT INTO apps (client_id, client_secret, acts_as_user, redirect_uris, name, seq) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            (
                app.client_id,
                app.client_secret,
                app.acts_as_user,
                json.dumps(app.redirect_uris),
                app.name,
            ),
        )
        c.executemany(
            "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    u.id,
                    u.login,
                    u.name,
                    u.password,
                    _scope_json(u.project_admin),
                    _scope_json(u.projects),
                    _scope_json(u.companies),
                )
                for u in seed.users
            ],
        )
        std_seq = 0
        type_ids = LINE_ITEM_TYPE_ID_START
        for cseq, company in enumerate(seed.companies):
            c.execute(
                "INSERT INTO companies VALUES (?, ?, ?, ?, ?)",
                (company.id, company.name, company.is_active, company.my_company, cseq),
            )
            types = {
                code: CostTypeSpec(type_ids + tseq, code, name, base, origin)
                for tseq, (code, name, base, origin) in enumerate(company.cost_types)
            }
            type_ids += len(types)
            c.executemany(
                "INSERT INTO line_item_types VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (t.id, company.id, t.code, t.name, t.base_type, t.origin_id, tseq)
                    for tseq, t in enumerate(types.values())
                ],
            )
            c.executemany(
                "INSERT INTO wbs_segments VALUES (?, ?, ?, ?, ?, '.', ?, ?, ?, ?, ?, ?)",
                [
                    (
                        SEGMENT_ID_START + len(DEFAULT_SEGMENTS) * cseq + index,
                        company.id,
                        *segment,
                        WBS_PATTERN_ID_START + cseq,
                        now,
                    )
                    for index, segment in enumerate(DEFAULT_SEGMENTS)
                ],
            )
            for lseq, lst in enumerate(company.lists):
                c.execute(
                    "INSERT INTO standard_lists VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        lst.id,
                        company.id,
                        lst.name,
                        lst.is_erp_list,
                        lst.available_to_use_on_new_projects,
                        lseq,
                    ),
                )
                rows = []
                for code in lst.codes:
                    std_seq += 1
                    rows.append(
                        (
                            code.id,
                            lst.id,
                            code.parent_id,
                            code.code,
                            code.full_code,
                            code.name,
                            code.origin_id,
                            code.origin_data,
                            code.active,
                            std_seq,
                            assigned_json(code.cost_types, types),
                        )
                    )
                c.executemany(
                    "INSERT INTO standard_codes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
                )
            for project in company.projects:
                c.execute(
                    "INSERT INTO projects VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        project.id,
                        company.id,
                        project.name,
                        project.display_name,
                        project.project_number,
                        project.active,
                        project.stage,
                        project.origin_id,
                        project.is_erp_integrated,
                        project.standard_cost_code_list_id,
                        now,
                        now,
                    ),
                )
                c.executemany(
                    "INSERT INTO sub_jobs (id, project_id, code, name, origin_id, seq, "
                    "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (job.id, project.id, job.code, job.name, job.origin_id, seq, now, now)
                        for seq, job in enumerate(project.sub_jobs)
                    ],
                )
                billers = [(None, project.codes)] + [(j.id, j.codes) for j in project.sub_jobs]
                c.executemany(
                    "INSERT INTO cost_codes (id, project_id, sub_job_id, parent_id, code, "
                    "full_code, name, position, origin_id, origin_data, standard_cost_code_id, "
                    "created_at, updated_at, line_item_types) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            code.id,
                            project.id,
                            sub_job_id,
                            code.parent_id,
                            code.code,
                            code.full_code,
                            code.name,
                            code.position,
                            code.origin_id,
                            code.origin_data,
                            code.standard_cost_code_id,
                            now,
                            now,
                            assigned_json(code.cost_types, types),
                        )
                        for sub_job_id, codes in billers
                        for code in codes
                    ],
                )

    # --- apps, users, tokens -------------------------------------------------------------------

    def first_app(self) -> Row:
        row = self.one("SELECT * FROM apps ORDER BY seq LIMIT 1")
        if row is None:
            raise RuntimeError("the sandbox database holds no app")
        return row

    def app(self, client_id: str) -> Row | None:
        return self.one("SELECT * FROM apps WHERE client_id = ?", (client_id,))

    @staticmethod
    def redirect_uris(app: Row) -> tuple[str, ...]:
        """The redirect URIs registered for the app, as the seed lists them."""
        uris: list[str] = read_json(app["redirect_uris"])
        return tuple(uris)

    def user(self, user_id: int) -> Row | None:
        return self.one("SELECT * FROM users WHERE id = ?", (user_id,))

    def user_by_login(self, login: str) -> Row | None:
        """Logins are unique ignoring case (the seed checks it)."""
        return self.one("SELECT * FROM users WHERE lower(login) = lower(?)", (login,))

    def insert_token(
        self,
        *,
        access_token: str,
        refresh_token: str | None,
        client_id: str,
        user_id: int,
        grant_type: str,
        now: float,
        lifetime: float,
        grant_id: str | None = None,
    ) -> None:
        self.execute(
            "INSERT INTO tokens (access_token, refresh_token, client_id, user_id, grant_type, "
            "created_at, expires_at, grant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                access_token,
                refresh_token,
                client_id,
                user_id,
                grant_type,
                now,
                now + lifetime,
                grant_id,
            ),
        )

    def token(self, access_token: str) -> Row | None:
        return self.one("SELECT * FROM tokens WHERE access_token = ?", (access_token,))

    def token_by_refresh(self, refresh_token: str) -> Row | None:
        return self.one("SELECT * FROM tokens WHERE refresh_token = ?", (refresh_token,))

    def use_refresh_token(self, refresh_token: str, now: float) -> bool:
        """Mark the refresh token used; False when it already was (someone else won)."""
        changed = self.execute(
            "UPDATE tokens SET refresh_used_at = ? WHERE refresh_token = ? "
            "AND refresh_used_at IS NULL AND revoked_at IS NULL",
            (now, refresh_token),
        )
        return changed == 1

    def revoke_token(self, token: str, now: float, client_id: str | None = None) -> int:
        """Revoke the pair holding `token` as access or refresh token; returns the rows changed.

        With `client_id`, only a pair issued to that client is touched.
        """
        sql = (
            "UPDATE tokens SET revoked_at = ? WHERE (access_token = ? OR refresh_token = ?) "
            "AND revoked_at IS NULL"
        )
        params: list[Any] = [now, token, token]
        if client_id is not None:
            sql += " AND client_id = ?"
            params.append(client_id)
        return self.execute(sql, params)

    def revoke_grant(self, grant_id: str, now: float) -> int:
        """Revoke every pair descending from one authorization code; returns the rows changed."""
        return self.execute(
            "UPDATE tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL",
            (now, grant_id),
        )

    def insert_auth_code(
        self,
        *,
        code: str,
        grant_id: str,
        client_id: str,
        redirect_uri: str,
        user_id: int,
        now: float,
        lifetime: float,
        code_challenge: str | None = None,
        code_challenge_method: str | None = None,
    ) -> None:
        self.execute(
            "INSERT INTO auth_codes (code, grant_id, client_id, redirect_uri, user_id, "
            "created_at, expires_at, code_challenge, code_challenge_method) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                code,
                grant_id,
                client_id,
                redirect_uri,
                user_id,
                now,
                now + lifetime,
                code_challenge,
                code_challenge_method,
            ),
        )

    def auth_code(self, code: str) -> Row | None:
        return self.one("SELECT * FROM auth_codes WHERE code = ?", (code,))

    def use_auth_code(self, code: str, now: float) -> bool:
        """Mark the code used; False when it already was."""
        changed = self.execute(
            "UPDATE auth_codes SET used_at = ? WHERE code = ? AND used_at IS NULL", (now, code)
        )
        return changed == 1

    # --- companies, lists, projects ------------------------------------------------------------

    def companies(self) -> list[Row]:
        return self.all("SELECT * FROM companies ORDER BY seq")

    def company(self, company_id: int) -> Row | None:
        return self.one("SELECT * FROM companies WHERE id = ?", (company_id,))

    def wbs_segments(self, company_id: int) -> list[Row]:
        return self.all(
            "SELECT * FROM wbs_segments WHERE company_id = ? ORDER BY position", (company_id,)
        )

    def wbs_segment(self, segment_id: int) -> Row | None:
        return self.one("SELECT * FROM wbs_segments WHERE id = ?", (segment_id,))

    def standard_code_count(self, list_id: int) -> int:
        row = self.one("SELECT COUNT(*) AS n FROM standard_codes WHERE list_id = ?", (list_id,))
        return int(row["n"]) if row is not None else 0

    def standard_lists(self, company_id: int) -> list[Row]:
        return self.all(
            "SELECT * FROM standard_lists WHERE company_id = ? ORDER BY seq", (company_id,)
        )

    def standard_list(self, list_id: int) -> Row | None:
        return self.one("SELECT * FROM standard_lists WHERE id = ?", (list_id,))

    def standard_codes(self, list_id: int) -> list[Row]:
        return self.all("SELECT * FROM standard_codes WHERE list_id = ? ORDER BY seq", (list_id,))

    def insert_standard_code(
        self,
        *,
        list_id: int,
        parent_id: int | None,
        code: str,
        full_code: str,
        name: str,
        origin_id: str | None,
    ) -> int:
        with self.transaction():
            row = self.one("SELECT MAX(id) AS top, MAX(seq) AS seq FROM standard_codes")
            top = row["top"] if row and row["top"] is not None else STANDARD_CODE_ID_START - 1
            seq = row["seq"] if row and row["seq"] is not None else 0
            new_id = max(top + 1, STANDARD_CODE_ID_START)
            self.execute(
                "INSERT INTO standard_codes VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 1, ?, '[]')",
                (new_id, list_id, parent_id, code, full_code, name, origin_id, seq + 1),
            )
            return new_id

    def line_item_types(self, company_id: int) -> list[Row]:
        return self.all(
            "SELECT * FROM line_item_types WHERE company_id = ? ORDER BY seq", (company_id,)
        )

    def projects(self, company_id: int) -> list[Row]:
        return self.all("SELECT * FROM projects WHERE company_id = ? ORDER BY id", (company_id,))

    def project(self, project_id: int) -> Row | None:
        return self.one("SELECT * FROM projects WHERE id = ?", (project_id,))

    # --- project cost codes --------------------------------------------------------------------

    def sub_jobs(self, project_id: int) -> list[Row]:
        return self.all("SELECT * FROM sub_jobs WHERE project_id = ? ORDER BY seq", (project_id,))

    def sub_job(self, sub_job_id: int) -> Row | None:
        return self.one("SELECT * FROM sub_jobs WHERE id = ?", (sub_job_id,))

    def cost_codes(self, project_id: int, sub_job_id: int | None = None) -> list[Row]:
        if sub_job_id is None:
            return self.all(
                "SELECT * FROM cost_codes WHERE project_id = ? AND sub_job_id IS NULL "
                "AND deleted_at IS NULL ORDER BY position, id",
                (project_id,),
            )
        return self.all(
            "SELECT * FROM cost_codes WHERE project_id = ? AND sub_job_id = ? "
            "AND deleted_at IS NULL ORDER BY position, id",
            (project_id, sub_job_id),
        )

    def cost_code(self, code_id: int) -> Row | None:
        return self.one("SELECT * FROM cost_codes WHERE id = ? AND deleted_at IS NULL", (code_id,))

    def insert_cost_code(
        self,
        *,
        project_id: int,
        sub_job_id: int | None,
        parent_id: int | None,
        code: str,
        full_code: str,
        name: str,
        standard_cost_code_id: int | None,
        now: float,
    ) -> int:
        with self.transaction():
            top = self.one("SELECT MAX(id) AS top FROM cost_codes")
            top_id = top["top"] if top and top["top"] is not None else 0
            new_id = max(top_id + 1, PROJECT_CODE_ID_START)
            pos = self.one(
                "SELECT MAX(position) AS pos FROM cost_codes WHERE project_id = ?", (project_id,)
            )
            position = (pos["pos"] if pos and pos["pos"] is not None else 0) + 1
            self.execute(
                "INSERT INTO cost_codes (id, project_id, sub_job_id, parent_id, code, full_code, "
                "name, position, standard_cost_code_id, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new_id,
                    project_id,
                    sub_job_id,
                    parent_id,
                    code,
                    full_code,
                    name,
                    position,
                    standard_cost_code_id,
                    now,
                    now,
                ),
            )
            return new_id

    def update_cost_code(
        self,
        code_id: int,
        *,
        now: float,
        name: str | None = None,
        code: str | None = None,
        full_code: str | None = None,
    ) -> None:
        sets = ["updated_at = ?"]
        params: list[Any] = [now]
        for column, value in (("name", name), ("code", code), ("full_code", full_code)):
            if value is not None:
                sets.append(f"{column} = ?")
                params.append(value)
        params.append(code_id)
        self.execute(f"UPDATE cost_codes SET {', '.join(sets)} WHERE id = ?", params)


def new_origin_id() -> str:
    """What an ERP connector stamps on the records it owns."""
    return str(uuid.uuid4())
