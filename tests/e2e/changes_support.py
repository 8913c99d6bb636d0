"""What the concurrency and kill tests compare: the changes a sandbox really holds against the
changes costcode-sync reported and the history recorded."""

from __future__ import annotations

import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from costcode_desktop.procore import ClientCredentials, ProcoreClient
from costcode_desktop.sandbox.synthetic import company_seed, project_copy, standard_codes
from costcode_desktop.services.history.store import ChangeKind, HistoryStore

COMPANY = 4264808
CLIENT = ("changes-client", "changes-secret")
FIRST_PROJECT = 562949953500000

Change = tuple[int, str, str]  # (project id, "added" or "updated", full code)


def seed(projects: int) -> dict[str, Any]:
    """Every project misses some codes and has one description edited."""
    standard = standard_codes(120, per_division=20)  # 6 divisions of 19 codes
    rows = []
    for p in range(projects):
        missing = {i for i in range(len(standard)) if i % 20 and i % 7 == p % 7}
        drifted = {1 + (p % 19)}  # one code under the first division
        rows.append(
            {
                "id": FIRST_PROJECT + p,
                "name": f"Project {p:02d}",
                "project_number": f"27-{p:03d}",
                "active": True,
                "is_erp_integrated": True,
                "standard_cost_code_list_id": 12,
                "cost_codes": project_copy(standard, missing=missing, drifted=drifted),
            }
        )
    return company_seed(
        company=(COMPANY, "Example Builders"),
        list_id=12,
        codes=standard,
        projects=rows,
        app=CLIENT,
        user={"id": 1, "login": "ap@example.com", "name": "A. P.", "project_admin": "all"},
        list_name="Sage 300 CRE",
    )


def command(url: str, home: Path, *options: str) -> tuple[list[str], dict[str, str]]:
    """costcode-sync refresh --all-out-of-date --json against the sandbox, with its own home."""
    exe = str(Path(sys.executable).parent / "costcode-sync")
    args = [exe, "--base-url", url, "--client-id", CLIENT[0], "--client-secret", CLIENT[1],
            "--company", str(COMPANY), "refresh", "--all-out-of-date", "--json"]  # fmt: skip
    args += options
    return args, {**os.environ, "COSTCODESYNC_HOME": str(home)}


def real_changes(url: str, start: dict[str, Any]) -> set[Change]:
    """What the sandbox holds now that the seed did not: codes added, descriptions changed."""
    projects = start["companies"][0]["projects"]
    seeded = {p["id"]: {c["full_code"]: c["name"] for c in p["cost_codes"]} for p in projects}
    found: set[Change] = set()
    with ProcoreClient(url, ClientCredentials(url, *CLIENT)) as client:
        for project_id, before in seeded.items():
            codes = client.cost_codes(COMPANY, project_id)
            assert max(Counter(c.full_code for c in codes).values()) == 1, "duplicate codes"
            for code in codes:
                if code.full_code not in before:
                    found.add((project_id, "added", code.full_code))
                elif before[code.full_code] != code.name:
                    found.add((project_id, "updated", code.full_code))
    return found


def recorded_changes(home: Path) -> Counter[Change]:
    """Every added or updated code the history holds, counted (more than once: over-claimed)."""
    recorded: Counter[Change] = Counter()
    with HistoryStore(home / "data" / "history.sqlite3") as history:
        for run in history.runs(limit=1000):
            for entry in history.run_details(run.id).projects:
                for change in entry.changes:
                    if change.kind in (ChangeKind.ADDED, ChangeKind.UPDATED):
                        recorded[(entry.project_id, change.kind.value, change.full_code)] += 1
    return recorded


def reported_changes(report: dict[str, Any]) -> Counter[Change]:
    """The added and updated codes of costcode-sync's --json report of a run."""
    found: Counter[Change] = Counter()
    for project in report["projects"]:
        pid = project["project"]["id"]
        found.update((pid, "added", c["full_code"]) for c in project["added"])
        found.update((pid, "updated", u["full_code"]) for u in project["updated"])
    return found
