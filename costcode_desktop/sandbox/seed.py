"""Seed files: the initial state of a sandbox, as JSON.

A seed is one JSON object. Keys not listed here are allowed and ignored.

```json
{
  "app": {"client_id": "demo-client", "client_secret": "demo-secret", "acts_as_user": 1,
          "redirect_uris": ["http://127.0.0.1:8765/callback"]},
  "users": [{"id": 1, "login": "ap@example.com", "name": "A. P. Clerk", "password": "demo",
             "project_admin": "all", "projects": "all", "companies": [4264807]}],
  "companies": [{
    "id": 4264807, "name": "Example Builders", "is_active": true, "my_company": true,
    "standard_cost_code_lists": [{"id": 11, "name": "Sage 300 CRE Standard Cost Code List",
      "is_erp_list": true, "available_to_use_on_new_projects": true,
      "codes": [{"full_code": "01", "name": "General Requirements"},
                {"full_code": "01-100", "name": "Project Manager", "parent": "01",
                 "id": 10000000001, "origin_id": "7f3a…", "active": true}]}],
    "projects": [{"id": 562949953421312, "name": "Riverside Clinic", "project_number": "23-104",
      "display_name": "23-104 - Riverside Clinic", "active": true, "stage": "Bidding",
      "is_erp_integrated": true, "standard_cost_code_list_id": 11,
      "cost_codes": [{"full_code": "01", "name": "General Requirements"},
                     {"full_code": "01-900", "name": "Owner Allowance", "parent": "01",
                      "standard": false}]}]
  }]
}
```

`app` (required)
    `client_id`, `client_secret` (strings, required): the credentials every grant of
    `/oauth/token` requires. `acts_as_user` (required): the user id a client-credentials token
    acts for (tokens from the authorization-code grant act for the user who signed in).
    `redirect_uris` (optional list of absolute URIs, default none): the redirect URIs registered
    for the authorization-code grant. `/oauth/authorize` and the code exchange accept only an exact
    match (no dynamic ports or paths, as on Procore); `urn:ietf:wg:oauth:2.0:oob` (the
    installed-app variant: the sign-in page shows the code) is always accepted, listed or not.
    `name` (optional string, default "CostCodeSync"): the app name the sign-in page shows.
`users` (required, at least one)
    `id` (int), `login`, `name` (strings) are required; logins are unique ignoring case.
    `password` (optional string): what the sign-in page of `/oauth/authorize` accepts together
    with the login (the login ignoring case, the password exactly); a user without a password
    cannot sign in there. `project_admin`: `"all"` (default) or a list of project ids on which the
    user has 'Admin' (may write cost codes). `projects`: `"all"` (default) or the list of project
    ids the user can see at all; other projects answer 404 and are never listed. `companies`:
    `"all"` (default) or the list of company ids the user belongs to.
`companies` (required)
    `id` (int), `name` required; `is_active`, `my_company` (default true).
    `standard_cost_code_lists`: `id` (int), `name` required; `is_erp_list` (default false),
    `available_to_use_on_new_projects` (default true), `codes`.
    `projects`: `id` (int), `name` required; `project_number`, `display_name` (default
    "<number> - <name>"), `stage`, `origin_id` (strings or null), `active` (default true),
    `is_erp_integrated` (default false), `standard_cost_code_list_id` (a list of the same company,
    or null), `cost_codes`, `sub_jobs`.
    `sub_jobs` (Sage Extras): `id` (int), `code` (unique on the project), `name` required;
    `origin_id`; `cost_codes`, the sub job's own list (its parents within that list).
    `cost_types` (optional): the company's cost types (List Line Item Types), each `code`, `name`
    required, `base_type` (default "other"), `origin_id`; default Sage 300 CRE's categories
    L Labor, M Material, S Subcontract, E Equipment, O Other.

Cost codes (standard and project)
    `full_code`, `name` required. `parent`: the parent's full code; the `code` segment is the full
    code minus the parent's full code and one delimiter (`01-100` under `01` has code `100`; a code
    without parent has code = full code). `id` optional (otherwise assigned: standard codes from
    10,000,000,000, project codes from 562,949,953,500,000, so ids exceed 32 bits). `origin_id`
    (string) marks a record owned by the ERP connector (locked); `origin_data` (string) optional.
    Standard codes may say `"active": false`. `cost_types` (optional list of cost type codes,
    e.g. `["L", "M"]`): on a standard code, the company's default types for it; on a project
    code, the types assigned to it (default: its standard code's defaults). Codes copied through
    the API arrive with none, as in Procore.
    A project code whose full code is on the project's standard list is linked to that standard code
    (`standard_cost_code_id`) unless it says `"standard": false`. Without `parent`, a linked project
    code's parent is the project code whose full code is the standard parent's full code.

Ids are positive and below 2**63 (64-bit signed integers, as SQLite and Procore keep them); text
must be valid Unicode (JSON's `\\ud800` escapes of lone surrogates are refused).

Errors raise `SeedError` naming the place, e.g.
`companies[0].projects[2].cost_codes[5]: parent '01' not found`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .cost_types import SAGE_CATEGORIES
from .jsontext import NotJson, read_json
from .seedmodel import (
    DEFAULT_APP_NAME,
    MAX_ID,
    OOB_REDIRECT_URI,
    PROJECT_CODE_ID_START,
    STANDARD_CODE_ID_START,
    AppSpec,
    CompanySpec,
    ProjectCodeSpec,
    ProjectSpec,
    Seed,
    StandardCodeSpec,
    StandardListSpec,
    SubJobSpec,
    UserSpec,
)

_T = TypeVar("_T")


class SeedError(ValueError):
    """The seed is not usable; the message names the offending key or path."""


def load_seed(path: str | Path) -> dict[str, Any]:
    """Read a seed file and validate it; the raw dict is returned for SandboxServer."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise SeedError(f"{path}: cannot read seed file ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise SeedError(f"{path}: seed file is not UTF-8 text") from exc
    try:
        data = read_json(text)
    except NotJson as exc:
        raise SeedError(f"{path}: invalid JSON: {exc}") from None
    try:
        parse_seed(data)
    except SeedError as exc:
        raise SeedError(f"{path}: {exc}") from exc
    if not isinstance(data, dict):  # parse_seed already refused it; keeps mypy informed
        raise SeedError(f"{path}: the seed must be a JSON object")
    return data


# --- small typed readers ---------------------------------------------------------------------


def _obj(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise SeedError(f"{where}: expected an object")
    return value


def _list(obj: Mapping[str, Any], key: str, where: str, *, required: bool = False) -> list[Any]:
    if key not in obj or obj[key] is None:
        if required:
            raise SeedError(f"{where}: missing required key '{key}'")
        return []
    value = obj[key]
    if not isinstance(value, list):
        raise SeedError(f"{where}.{key}: expected a list")
    return value


def _int(obj: Mapping[str, Any], key: str, where: str) -> int:
    if key not in obj:
        raise SeedError(f"{where}: missing required key '{key}'")
    value = obj[key]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise SeedError(f"{where}.{key}: expected a positive integer, got {value!r}")
    if value > MAX_ID:  # SQLite's INTEGER, as Procore's ids: 64 bits, signed
        raise SeedError(f"{where}.{key}: {value} is too large for an id (at most {MAX_ID})")
    return value


def _opt_int(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    if obj.get(key) is None:
        return None
    return _int(obj, key, where)


def _str(obj: Mapping[str, Any], key: str, where: str) -> str:
    if key not in obj:
        raise SeedError(f"{where}: missing required key '{key}'")
    value = obj[key]
    if not isinstance(value, str) or not value.strip():
        raise SeedError(f"{where}.{key}: expected a non-empty string, got {value!r}")
    return _unicode(value, f"{where}.{key}")


def _opt_str(obj: Mapping[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise SeedError(f"{where}.{key}: expected a string or null, got {value!r}")
    return _unicode(value, f"{where}.{key}")


def _unicode(value: str, where: str) -> str:
    """`value`, if it can be stored: JSON's \\ud800 escapes give lone surrogates, which are not
    text (no UTF-8 for them) and which SQLite refuses."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise SeedError(
            f"{where}: not valid text (a lone surrogate {value[exc.start]!r} at position "
            f"{exc.start})"
        ) from None
    return value


def _bool(obj: Mapping[str, Any], key: str, where: str, default: bool) -> bool:
    value = obj.get(key, default)
    if not isinstance(value, bool):
        raise SeedError(f"{where}.{key}: expected true or false, got {value!r}")
    return value


def _cost_types(obj: Mapping[str, Any], where: str) -> tuple[str, ...] | None:
    """A code's cost types by code ("L", "M"), or None when the entry names none."""
    if obj.get("cost_types") is None:
        return None
    codes = []
    for index, value in enumerate(_list(obj, "cost_types", where)):
        if not isinstance(value, str) or not value.strip():
            raise SeedError(f"{where}.cost_types[{index}]: expected a cost type code")
        codes.append(value)
    return tuple(dict.fromkeys(codes))


def _company_cost_types(
    company: Mapping[str, Any], where: str
) -> tuple[tuple[str, str, str, str | None], ...]:
    """The company's cost types: as the seed lists them, else Sage 300 CRE's categories."""
    if company.get("cost_types") is None:
        return tuple(
            (code, name, base, f"sage-category-{code}") for code, name, base in SAGE_CATEGORIES
        )
    found: dict[str, tuple[str, str, str, str | None]] = {}
    for index, raw in enumerate(_list(company, "cost_types", where)):
        here = f"{where}.cost_types[{index}]"
        entry = _obj(raw, here)
        code = _str(entry, "code", here)
        if code in found:
            raise SeedError(f"{here}: duplicate cost type code '{code}'")
        found[code] = (
            code,
            _str(entry, "name", here),
            _opt_str(entry, "base_type", here) or "other",
            _opt_str(entry, "origin_id", here),
        )
    return tuple(found.values())


def _check_cost_types(company: CompanySpec, where: str) -> None:
    known = {code for code, *_rest in company.cost_types}
    codes = [c for lst in company.lists for c in lst.codes]
    codes += [c for project in company.projects for c in project.codes]  # type: ignore[misc]
    for code in codes:
        unknown = [t for t in code.cost_types if t not in known]
        if unknown:
            raise SeedError(
                f"{where}: code '{code.full_code}' names unknown cost type '{unknown[0]}'"
            )


def _scope(obj: Mapping[str, Any], key: str, where: str) -> frozenset[int] | None:
    value = obj.get(key, "all")
    if value == "all":
        return None
    if not isinstance(value, list) or any(
        isinstance(v, bool) or not isinstance(v, int) for v in value
    ):
        raise SeedError(f'{where}.{key}: expected "all" or a list of integer ids')
    return frozenset(value)


class _Ids:
    """Hands out ids from a start value, skipping ids the seed gave explicitly."""

    def __init__(self, start: int, taken: set[int]) -> None:
        self._next = start
        self._taken = taken

    def take(self) -> int:
        while self._next in self._taken:
            self._next += 1
        self._taken.add(self._next)
        return self._next


class _Unique:
    """Remembers where each id was used so that a duplicate names both places."""

    def __init__(self, what: str) -> None:
        self._what = what
        self._seen: dict[object, str] = {}

    def add(self, value: object, where: str) -> None:
        if value in self._seen:
            raise SeedError(
                f"{where}: duplicate {self._what} {value!r} (already used at {self._seen[value]})"
            )
        self._seen[value] = where

    def __contains__(self, value: object) -> bool:
        return value in self._seen


def _segment(full_code: str, parent_full: str | None, where: str) -> str:
    if parent_full is None:
        return full_code
    if not full_code.startswith(parent_full) or len(full_code) < len(parent_full) + 2:
        raise SeedError(
            f"{where}: full code '{full_code}' must be the parent's full code '{parent_full}' "
            "plus a delimiter and a segment"
        )
    return full_code[len(parent_full) + 1 :]


def _explicit_code_ids(raw_codes: Sequence[Any], where: str, unique: _Unique) -> set[int]:
    ids: set[int] = set()
    for i, raw in enumerate(raw_codes):
        here = f"{where}[{i}]"
        code = _obj(raw, here)
        explicit = _opt_int(code, "id", here)
        if explicit is not None:
            unique.add(explicit, f"{here}.id")
            ids.add(explicit)
    return ids


# --- the parser --------------------------------------------------------------------------------


def parse_seed(seed: object) -> Seed:
    """Validate a seed dict and resolve ids and parents; raises SeedError naming the place."""
    root = _obj(seed, "seed")
    raw_app = _obj(root.get("app"), "app") if "app" in root else None
    if raw_app is None:
        raise SeedError("seed: missing required key 'app'")
    app = AppSpec(
        client_id=_str(raw_app, "client_id", "app"),
        client_secret=_str(raw_app, "client_secret", "app"),
        acts_as_user=_int(raw_app, "acts_as_user", "app"),
        redirect_uris=_redirect_uris(raw_app),
        name=_str(raw_app, "name", "app") if "name" in raw_app else DEFAULT_APP_NAME,
    )

    companies_raw = _list(root, "companies", "seed", required=True)
    company_ids = _Unique("company id")
    list_ids = _Unique("standard cost code list id")
    project_ids = _Unique("project id")
    std_code_ids = _Unique("standard cost code id")
    project_code_ids = _Unique("cost code id")
    sub_job_ids = _Unique("sub job id")

    # First pass: explicit code ids, so that assigned ids never collide with them.
    taken_std: set[int] = set()
    taken_project: set[int] = set()
    for c, raw_company in enumerate(companies_raw):
        company = _obj(raw_company, f"companies[{c}]")
        for li, raw_list in enumerate(
            _list(company, "standard_cost_code_lists", f"companies[{c}]")
        ):
            here = f"companies[{c}].standard_cost_code_lists[{li}]"
            codes = _list(_obj(raw_list, here), "codes", here)
            taken_std |= _explicit_code_ids(codes, f"{here}.codes", std_code_ids)
        for pi, raw_project in enumerate(_list(company, "projects", f"companies[{c}]")):
            here = f"companies[{c}].projects[{pi}]"
            codes = _list(_obj(raw_project, here), "cost_codes", here)
            taken_project |= _explicit_code_ids(codes, f"{here}.cost_codes", project_code_ids)
            for si, raw_job in enumerate(_list(_obj(raw_project, here), "sub_jobs", here)):
                job_here = f"{here}.sub_jobs[{si}]"
                job_codes = _list(_obj(raw_job, job_here), "cost_codes", job_here)
                taken_project |= _explicit_code_ids(
                    job_codes, f"{job_here}.cost_codes", project_code_ids
                )
    std_ids = _Ids(STANDARD_CODE_ID_START, taken_std)
    code_ids = _Ids(PROJECT_CODE_ID_START, taken_project)

    companies: list[CompanySpec] = []
    std_by_id: dict[int, StandardCodeSpec] = {}
    for c, raw_company in enumerate(companies_raw):
        where = f"companies[{c}]"
        company = _obj(raw_company, where)
        company_id = _int(company, "id", where)
        company_ids.add(company_id, f"{where}.id")
        lists: list[StandardListSpec] = []
        for li, raw_list in enumerate(_list(company, "standard_cost_code_lists", where)):
            here = f"{where}.standard_cost_code_lists[{li}]"
            std_list = _parse_list(_obj(raw_list, here), here, company_id, list_ids, std_ids)
            lists.append(std_list)
            std_by_id.update((code.id, code) for code in std_list.codes)
        lists_by_id = {lst.id: lst for lst in lists}
        projects = [
            _parse_project(
                _obj(raw_project, f"{where}.projects[{pi}]"),
                f"{where}.projects[{pi}]",
                company_id,
                lists_by_id,
                std_by_id,
                project_ids,
                sub_job_ids,
                code_ids,
            )
            for pi, raw_project in enumerate(_list(company, "projects", where))
        ]
        spec = CompanySpec(
            id=company_id,
            name=_str(company, "name", where),
            is_active=_bool(company, "is_active", where, True),
            my_company=_bool(company, "my_company", where, True),
            lists=tuple(lists),
            projects=tuple(projects),
            cost_types=_company_cost_types(company, where),
        )
        _check_cost_types(spec, where)
        companies.append(spec)

    users = _parse_users(root, company_ids, project_ids)
    if app.acts_as_user not in {u.id for u in users}:
        raise SeedError(f"app.acts_as_user: unknown user id {app.acts_as_user}")
    return Seed(app=app, users=tuple(users), companies=tuple(companies))


def _redirect_uris(raw_app: Mapping[str, Any]) -> tuple[str, ...]:
    uris: list[str] = []
    for i, uri in enumerate(_list(raw_app, "redirect_uris", "app")):
        where = f"app.redirect_uris[{i}]"
        if not isinstance(uri, str) or not uri.strip():
            raise SeedError(f"{where}: expected a non-empty string, got {uri!r}")
        _unicode(uri, where)
        if uri != OOB_REDIRECT_URI:
            parts = urlsplit(uri)
            if not parts.scheme or (parts.scheme in ("http", "https") and not parts.hostname):
                raise SeedError(f"{where}: {uri!r} is not an absolute URI")
            if "#" in uri:
                raise SeedError(f"{where}: {uri!r} must not have a fragment (#...)")
        uris.append(uri)
    return tuple(uris)


def _parse_users(
    root: Mapping[str, Any], company_ids: _Unique, project_ids: _Unique
) -> list[UserSpec]:
    raw_users = _list(root, "users", "seed", required=True)
    if not raw_users:
        raise SeedError("users: at least one user is required")
    user_ids = _Unique("user id")
    logins = _Unique("login")
    users: list[UserSpec] = []
    for u, raw_user in enumerate(raw_users):
        where = f"users[{u}]"
        user = _obj(raw_user, where)
        user_id = _int(user, "id", where)
        user_ids.add(user_id, f"{where}.id")
        login = _str(user, "login", where)
        logins.add(login.lower(), f"{where}.login")
        spec = UserSpec(
            id=user_id,
            login=login,
            name=_str(user, "name", where),
            password=_opt_str(user, "password", where),
            project_admin=_scope(user, "project_admin", where),
            projects=_scope(user, "projects", where),
            companies=_scope(user, "companies", where),
        )
        for key, scope, known in (
            ("project_admin", spec.project_admin, project_ids),
            ("projects", spec.projects, project_ids),
            ("companies", spec.companies, company_ids),
        ):
            for value in sorted(scope or ()):
                if value not in known:
                    kind = "company" if key == "companies" else "project"
                    raise SeedError(f"{where}.{key}: unknown {kind} id {value}")
        users.append(spec)
    return users


def _parse_list(
    raw: Mapping[str, Any], where: str, company_id: int, list_ids: _Unique, ids: _Ids
) -> StandardListSpec:
    list_id = _int(raw, "id", where)
    list_ids.add(list_id, f"{where}.id")
    by_full: dict[str, StandardCodeSpec] = {}
    raw_codes = _list(raw, "codes", where)
    pending = list(_code_entries(raw_codes, f"{where}.codes"))
    assigned = [_opt_int(entry, "id", here) or ids.take() for here, entry in pending]
    # Parents may be listed after their children: resolve shortest full codes first.
    order = sorted(range(len(pending)), key=lambda i: len(pending[i][1]["full_code"]))
    resolved: dict[int, StandardCodeSpec] = {}
    for i in order:
        here, entry = pending[i]
        full_code = entry["full_code"]
        if full_code in by_full:
            raise SeedError(f"{here}: duplicate full code '{full_code}' in this list")
        parent_full = _opt_str(entry, "parent", here)
        parent = _find_parent(by_full, parent_full, here)
        spec = StandardCodeSpec(
            id=assigned[i],
            list_id=list_id,
            parent_id=parent.id if parent else None,
            code=_check_code(entry, here, _segment(full_code, parent_full, here)),
            full_code=full_code,
            name=entry["name"],
            origin_id=_opt_str(entry, "origin_id", here),
            origin_data=_opt_str(entry, "origin_data", here),
            active=_bool(entry, "active", here, True),
            cost_types=_cost_types(entry, here) or (),
        )
        by_full[full_code] = spec
        resolved[i] = spec
    codes = [resolved[i] for i in range(len(pending))]
    return StandardListSpec(
        id=list_id,
        company_id=company_id,
        name=_str(raw, "name", where),
        is_erp_list=_bool(raw, "is_erp_list", where, False),
        available_to_use_on_new_projects=_bool(
            raw, "available_to_use_on_new_projects", where, True
        ),
        codes=tuple(codes),
    )


def _code_entries(raw_codes: Sequence[Any], where: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    for i, raw in enumerate(raw_codes):
        here = f"{where}[{i}]"
        entry = _obj(raw, here)
        _str(entry, "full_code", here)
        _str(entry, "name", here)
        yield here, entry


def _check_code(entry: Mapping[str, Any], where: str, derived: str) -> str:
    given = _opt_str(entry, "code", where)
    if given is not None and given != derived:
        raise SeedError(
            f"{where}.code: '{given}' does not match the segment '{derived}' of its full code"
        )
    return derived


def _parse_project(
    raw: Mapping[str, Any],
    where: str,
    company_id: int,
    lists: Mapping[int, StandardListSpec],
    std_by_id: Mapping[int, StandardCodeSpec],
    project_ids: _Unique,
    sub_job_ids: _Unique,
    ids: _Ids,
) -> ProjectSpec:
    project_id = _int(raw, "id", where)
    project_ids.add(project_id, f"{where}.id")
    name = _str(raw, "name", where)
    number = _opt_str(raw, "project_number", where)
    list_id = _opt_int(raw, "standard_cost_code_list_id", where)
    std_list = None
    if list_id is not None:
        std_list = lists.get(list_id)
        if std_list is None:
            known = ", ".join(str(i) for i in lists) or "none"
            raise SeedError(
                f"{where}.standard_cost_code_list_id: unknown list id {list_id} "
                f"(company {company_id} has lists: {known})"
            )
    std_by_full = {code.full_code: code for code in std_list.codes} if std_list else {}

    codes = _parse_codes(raw, where, project_id, std_by_full, std_by_id, ids)
    sub_jobs = tuple(
        _parse_sub_job(
            _obj(entry, f"{where}.sub_jobs[{si}]"),
            f"{where}.sub_jobs[{si}]",
            project_id,
            std_by_full,
            std_by_id,
            sub_job_ids,
            ids,
        )
        for si, entry in enumerate(_list(raw, "sub_jobs", where))
    )
    codes_taken = {job.code for job in sub_jobs}
    if len(codes_taken) != len(sub_jobs):
        raise SeedError(f"{where}.sub_jobs: a sub job code is used twice on this project")
    return ProjectSpec(
        id=project_id,
        company_id=company_id,
        name=name,
        display_name=_opt_str(raw, "display_name", where)
        or (f"{number} - {name}" if number else name),
        project_number=number,
        active=_bool(raw, "active", where, True),
        stage=_opt_str(raw, "stage", where),
        origin_id=_opt_str(raw, "origin_id", where),
        is_erp_integrated=_bool(raw, "is_erp_integrated", where, False),
        standard_cost_code_list_id=list_id,
        codes=codes,
        sub_jobs=sub_jobs,
    )


def _parse_sub_job(
    raw: Mapping[str, Any],
    where: str,
    project_id: int,
    std_by_full: Mapping[str, StandardCodeSpec],
    std_by_id: Mapping[int, StandardCodeSpec],
    sub_job_ids: _Unique,
    ids: _Ids,
) -> SubJobSpec:
    sub_job_id = _int(raw, "id", where)
    sub_job_ids.add(sub_job_id, f"{where}.id")
    return SubJobSpec(
        id=sub_job_id,
        code=_str(raw, "code", where),
        name=_str(raw, "name", where),
        origin_id=_opt_str(raw, "origin_id", where),
        codes=_parse_codes(raw, where, project_id, std_by_full, std_by_id, ids),
    )


def _parse_codes(
    raw: Mapping[str, Any],
    where: str,
    project_id: int,
    std_by_full: Mapping[str, StandardCodeSpec],
    std_by_id: Mapping[int, StandardCodeSpec],
    ids: _Ids,
) -> tuple[ProjectCodeSpec, ...]:
    """One biller's codes (the project's or a sub job's), parents resolved within it."""
    by_full: dict[str, ProjectCodeSpec] = {}
    pending = list(_code_entries(_list(raw, "cost_codes", where), f"{where}.cost_codes"))
    assigned = [_opt_int(entry, "id", here) or ids.take() for here, entry in pending]
    order = sorted(range(len(pending)), key=lambda i: len(pending[i][1]["full_code"]))
    resolved: dict[int, ProjectCodeSpec] = {}
    for i in order:
        here, entry = pending[i]
        full_code = entry["full_code"]
        if full_code in by_full:
            raise SeedError(f"{here}: duplicate full code '{full_code}' on this project")
        linked = None
        if _bool(entry, "standard", here, True):
            linked = std_by_full.get(full_code)
        parent_full = _opt_str(entry, "parent", here)
        if parent_full is None and linked is not None and linked.parent_id is not None:
            parent_full = std_by_id[linked.parent_id].full_code
        parent = _find_parent(by_full, parent_full, here)
        spec = ProjectCodeSpec(
            id=assigned[i],
            project_id=project_id,
            parent_id=parent.id if parent else None,
            code=_check_code(entry, here, _segment(full_code, parent_full, here)),
            full_code=full_code,
            name=entry["name"],
            origin_id=_opt_str(entry, "origin_id", here),
            origin_data=_opt_str(entry, "origin_data", here),
            standard_cost_code_id=linked.id if linked else None,
            position=i + 1,
            # A seeded code was assigned its types long ago: the company's defaults by default.
            cost_types=_own_or_default(_cost_types(entry, here), linked),
        )
        by_full[full_code] = spec
        resolved[i] = spec
    return tuple(resolved[i] for i in range(len(pending)))


__all__ = [
    "PROJECT_CODE_ID_START",
    "STANDARD_CODE_ID_START",
    "AppSpec",
    "CompanySpec",
    "ProjectCodeSpec",
    "ProjectSpec",
    "Seed",
    "SeedError",
    "StandardCodeSpec",
    "StandardListSpec",
    "SubJobSpec",
    "UserSpec",
    "load_seed",
    "parse_seed",
]


def _own_or_default(
    own: tuple[str, ...] | None, linked: StandardCodeSpec | None
) -> tuple[str, ...]:
    if own is not None:
        return own
    return linked.cost_types if linked is not None else ()


def _find_parent(by_full: Mapping[str, _T], parent_full: str | None, here: str) -> _T | None:
    """The already-read code a seed entry names as its parent, or a SeedError naming the place."""
    if parent_full is None:
        return None
    parent = by_full.get(parent_full)
    if parent is None:
        raise SeedError(f"{here}: parent '{parent_full}' not found")
    return parent
