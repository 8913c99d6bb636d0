"""Hostile seed files give the seed loader's error naming the place, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from costcode_desktop.sandbox import SandboxServer, SeedError, load_seed
from costcode_desktop.sandbox.cli import main

from .test_seed import minimal

BIG = 2**63


def _with(path: tuple[str | int, ...], value: object) -> str:
    seed: Any = minimal()
    target = seed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return json.dumps(seed)


PROJECT = ("companies", 0, "projects", 0)
CODE = (*PROJECT, "cost_codes", 1)

# (seed text, what the error must say)
BAD_SEEDS = {
    "nested 100,000 deep": ('{"app": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply"),
    "a company id of 2**63": (_with(("companies", 0, "id"), BIG), "companies[0].id: "),
    "a code id of 2**64": (_with((*CODE, "id"), 2**64), "cost_codes[1].id: "),
    "a lone surrogate": (
        _with((*CODE, "name"), "Own PM").replace('"Own PM"', '"Own \\ud800PM"'),
        "cost_codes[1].name: not valid text",
    ),
    "a lone surrogate in the app": (
        _with(("app", "client_secret"), "s").replace('"s"', '"\\udc00"'),
        "app.client_secret: not valid text",
    ),
    "a negative id": (_with(("users", 0, "id"), -1), "users[0].id: expected a positive integer"),
    "an id as text": (_with((*PROJECT, "id"), "5"), "projects[0].id: expected a positive integer"),
    "a list that is an object": (
        _with((*PROJECT, "cost_codes"), {}),
        "cost_codes: expected a list",
    ),
    "a number of 5,000 digits": ('{"app": ' + "9" * 5000 + "}", "invalid JSON"),
    "not UTF-8": ('{"app": "\xff"}', "not UTF-8"),
}


@pytest.mark.parametrize(("text", "says"), list(BAD_SEEDS.values()), ids=list(BAD_SEEDS))
def test_load_seed_names_the_place(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / "seed.json"
    path.write_bytes(text.encode("latin-1" if "\xff" in text else "utf-8"))
    with pytest.raises(SeedError) as caught:
        load_seed(path)
    assert says in str(caught.value)
    assert str(caught.value).startswith(str(path))


@pytest.mark.parametrize(("text", "says"), list(BAD_SEEDS.values()), ids=list(BAD_SEEDS))
def test_the_sandbox_command_refuses_them_in_one_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], text: str, says: str
) -> None:
    path = tmp_path / "seed.json"
    path.write_bytes(text.encode("latin-1" if "\xff" in text else "utf-8"))
    assert main(["--seed", str(path)]) == 2
    err = capfd.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1
    assert err.startswith("costcode-sandbox: error: bad seed: ")
    assert says in err


@pytest.mark.parametrize(
    ("path", "value", "place"),
    [
        (("companies", 0, "id"), BIG, "companies[0].id"),
        (("app", "client_id"), "c\ud800", "app.client_id"),
        (("app", "redirect_uris"), ["http://localhost/\udfff"], "app.redirect_uris[0]"),
        ((*PROJECT, "stage"), "\ud800", "projects[0].stage"),
    ],
)
def test_a_seed_given_as_a_dict_is_checked_the_same(
    path: tuple[str | int, ...], value: object, place: str
) -> None:
    seed: Any = minimal()
    target = seed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(SeedError, match=place.replace("[", r"\[").replace("]", r"\]")):
        SandboxServer(seed)


def test_the_largest_id_is_still_accepted() -> None:
    seed: Any = minimal()
    seed["companies"][0]["id"] = BIG - 1
    seed["users"][0]["companies"] = [BIG - 1]
    with SandboxServer(seed) as server:
        assert server.companies() == [(BIG - 1, "Co")]
