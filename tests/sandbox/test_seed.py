"""Seed validation: clear errors naming the place, ids assigned, codes linked and parented."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from costcode_desktop.sandbox import SeedError, load_seed
from costcode_desktop.sandbox.seed import (
    PROJECT_CODE_ID_START,
    STANDARD_CODE_ID_START,
    parse_seed,
)


def minimal() -> dict[str, Any]:
    return {
        "app": {"client_id": "c", "client_secret": "s", "acts_as_user": 1},
        "users": [{"id": 1, "login": "a@example.com", "name": "A", "project_admin": "all"}],
        "companies": [
            {
                "id": 10,
                "name": "Co",
                "standard_cost_code_lists": [
                    {
                        "id": 11,
                        "name": "ERP",
                        "is_erp_list": True,
                        "codes": [
                            {"full_code": "01", "name": "General"},
                            {"full_code": "01-100", "name": "PM", "parent": "01"},
                            {"full_code": "01-100.10", "name": "Senior PM", "parent": "01-100"},
                        ],
                    }
                ],
                "projects": [
                    {
                        "id": 562949953421312,
                        "name": "P",
                        "project_number": "1",
                        "standard_cost_code_list_id": 11,
                        "is_erp_integrated": True,
                        "cost_codes": [
                            {"full_code": "01", "name": "General"},
                            {"full_code": "01-100", "name": "PM edited"},
                            {
                                "full_code": "01-900",
                                "name": "Own",
                                "parent": "01",
                                "standard": False,
                            },
                        ],
                    }
                ],
            }
        ],
    }


def test_minimal_seed_resolves_ids_parents_and_links() -> None:
    seed = parse_seed(minimal())
    std = {c.full_code: c for c in seed.companies[0].lists[0].codes}
    assert [c.id for c in seed.companies[0].lists[0].codes] == [
        STANDARD_CODE_ID_START,
        STANDARD_CODE_ID_START + 1,
        STANDARD_CODE_ID_START + 2,
    ]
    assert std["01-100"].code == "100"
    assert std["01-100"].parent_id == std["01"].id
    assert std["01-100.10"].code == "10"
    assert std["01"].code == "01"

    project = seed.companies[0].projects[0]
    codes = {c.full_code: c for c in project.codes}
    assert codes["01"].id == PROJECT_CODE_ID_START
    assert codes["01-100"].standard_cost_code_id == std["01-100"].id
    assert codes["01-100"].parent_id == codes["01"].id  # inferred through the standard parent
    assert codes["01-900"].standard_cost_code_id is None
    assert codes["01-900"].parent_id == codes["01"].id
    assert codes["01-900"].code == "900"
    assert project.display_name == "1 - P"
    assert seed.users[0].projects is None  # "all"


def test_explicit_ids_are_kept_and_never_reassigned() -> None:
    raw = minimal()
    codes = raw["companies"][0]["standard_cost_code_lists"][0]["codes"]
    codes[1]["id"] = STANDARD_CODE_ID_START  # taken explicitly by the second code
    seed = parse_seed(raw)
    ids = [c.id for c in seed.companies[0].lists[0].codes]
    assert ids[1] == STANDARD_CODE_ID_START
    assert len(set(ids)) == 3


def test_standard_false_keeps_code_unlinked_even_if_on_list() -> None:
    raw = minimal()
    raw["companies"][0]["projects"][0]["cost_codes"][1]["standard"] = False
    raw["companies"][0]["projects"][0]["cost_codes"][1]["parent"] = "01"
    code = parse_seed(raw).companies[0].projects[0].codes[1]
    assert code.standard_cost_code_id is None


def test_extra_keys_are_ignored() -> None:
    raw = minimal()
    raw["comment"] = "hello"
    raw["companies"][0]["whatever"] = [1, 2]
    parse_seed(raw)


Mutation = Callable[[dict[str, Any]], object]


def _company(raw: dict[str, Any]) -> dict[str, Any]:
    company: dict[str, Any] = raw["companies"][0]
    return company


CASES: list[tuple[str, Mutation, str]] = [
    ("no app", lambda r: r.pop("app"), "missing required key 'app'"),
    ("no secret", lambda r: r["app"].pop("client_secret"), "app: missing required key"),
    ("acts as unknown", lambda r: r["app"].update(acts_as_user=9), "app.acts_as_user"),
    ("no users", lambda r: r.update(users=[]), "users: at least one user"),
    (
        "duplicate user",
        lambda r: r["users"].append(dict(r["users"][0], login="b@example.com")),
        "users[1].id: duplicate user id 1",
    ),
    (
        "bad admin scope",
        lambda r: r["users"][0].update(project_admin="some"),
        "users[0].project_admin",
    ),
    (
        "unknown project in scope",
        lambda r: r["users"][0].update(projects=[5]),
        "users[0].projects: unknown project id 5",
    ),
    (
        "unknown company in scope",
        lambda r: r["users"][0].update(companies=[5]),
        "users[0].companies: unknown company id 5",
    ),
    (
        "company id not int",
        lambda r: _company(r).update(id="10"),
        "companies[0].id: expected a positive integer",
    ),
    (
        "unknown std parent",
        lambda r: _company(r)["standard_cost_code_lists"][0]["codes"][1].update(parent="02"),
        "companies[0].standard_cost_code_lists[0].codes[1]: parent '02' not found",
    ),
    (
        "duplicate std full code",
        lambda r: _company(r)["standard_cost_code_lists"][0]["codes"].append(
            {"full_code": "01", "name": "again"}
        ),
        "duplicate full code '01'",
    ),
    (
        "duplicate std id",
        lambda r: [c.update(id=5) for c in _company(r)["standard_cost_code_lists"][0]["codes"][:2]],
        "codes[1].id: duplicate standard cost code id 5",
    ),
    (
        "code not under parent",
        lambda r: _company(r)["standard_cost_code_lists"][0]["codes"][1].update(full_code="02-100"),
        "must be the parent's full code '01'",
    ),
    (
        "code segment mismatch",
        lambda r: _company(r)["standard_cost_code_lists"][0]["codes"][1].update(code="999"),
        "codes[1].code: '999' does not match",
    ),
    (
        "missing name",
        lambda r: _company(r)["standard_cost_code_lists"][0]["codes"][0].pop("name"),
        "codes[0]: missing required key 'name'",
    ),
    (
        "unknown list",
        lambda r: _company(r)["projects"][0].update(standard_cost_code_list_id=99),
        "companies[0].projects[0].standard_cost_code_list_id: unknown list id 99",
    ),
    (
        "unknown project parent",
        lambda r: _company(r)["projects"][0]["cost_codes"][2].update(parent="05"),
        "companies[0].projects[0].cost_codes[2]: parent '05' not found",
    ),
    (
        "inferred parent missing",
        lambda r: _company(r)["projects"][0]["cost_codes"].pop(0),
        "companies[0].projects[0].cost_codes[0]: parent '01' not found",
    ),
    (
        "duplicate project id",
        lambda r: _company(r)["projects"].append(dict(_company(r)["projects"][0], cost_codes=[])),
        "companies[0].projects[1].id: duplicate project id",
    ),
    (
        "duplicate project code id",
        lambda r: [c.update(id=7) for c in _company(r)["projects"][0]["cost_codes"][:2]],
        "cost_codes[1].id: duplicate cost code id 7",
    ),
    (
        "bad bool",
        lambda r: _company(r)["projects"][0].update(active="yes"),
        "companies[0].projects[0].active: expected true or false",
    ),
    ("companies not list", lambda r: r.update(companies={}), "seed.companies: expected a list"),
]


@pytest.mark.parametrize(("mutate", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_seeds_name_the_place(mutate: Mutation, message: str) -> None:
    raw = copy.deepcopy(minimal())
    mutate(raw)
    with pytest.raises(SeedError) as info:
        parse_seed(raw)
    assert message in str(info.value)
    assert isinstance(info.value, ValueError)


def test_load_seed_reads_and_validates(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    path.write_text(json.dumps(minimal()), encoding="utf-8")
    assert load_seed(path)["app"]["client_id"] == "c"


def test_load_seed_errors_name_file_and_place(tmp_path: Path) -> None:
    path = tmp_path / "seed.json"
    with pytest.raises(SeedError, match="cannot read seed file"):
        load_seed(path)
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SeedError, match=r"seed.json: invalid JSON: .* at line 1"):
        load_seed(path)
    raw = minimal()
    raw["companies"][0]["projects"][0]["cost_codes"][2]["parent"] = "05"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(SeedError, match=r"seed.json: companies\[0\].projects\[0\].cost_codes\[2\]"):
        load_seed(path)
    path.write_text("[]", encoding="utf-8")
    with pytest.raises(SeedError, match="expected an object"):
        load_seed(path)


def test_server_refuses_bad_seed_dict() -> None:
    from costcode_desktop.sandbox import SandboxServer

    raw = minimal()
    raw["app"]["acts_as_user"] = 42
    with pytest.raises(SeedError, match="acts_as_user"):
        SandboxServer(raw)
