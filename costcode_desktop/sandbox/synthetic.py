"""Made-up companies of any size, in the seed format of `seed.py`, for benchmarks and load tests.

Only the parts every large seed shares live here: a company list of divisions with codes under
them, a project's copy of it with some codes left out or edited, and the one-company, one-list
envelope around the projects. Each caller decides which codes a project misses or edits, since
that is what a benchmark or test is about.
"""

from __future__ import annotations

import random
from typing import Any

ERP_LIST_NAME = "Sage 300 CRE Standard Cost Code List"


def standard_codes(total: int, per_division: int = 50) -> list[dict[str, Any]]:
    """About `total` company codes: divisions '01', '02', … each followed by its codes
    '01-000', '01-001', … (the division counts in `per_division`)."""
    divisions = max(1, total // per_division)
    codes: list[dict[str, Any]] = []
    for d in range(1, divisions + 1):
        codes.append({"full_code": f"{d:02d}", "name": f"Division {d}"})
        for n in range(total // divisions - 1):
            codes.append(
                {"full_code": f"{d:02d}-{n:03d}", "name": f"Code {d}.{n}", "parent": f"{d:02d}"}
            )
    return codes


def project_copy(
    standard: list[dict[str, Any]], *, missing: set[int], drifted: set[int]
) -> list[dict[str, Any]]:
    """A project's copy of `standard`: without the codes at the `missing` indexes, and with
    " (edited)" after the description of those at the `drifted` ones."""
    codes = []
    for i, code in enumerate(standard):
        if i in missing:
            continue
        kept = dict(code)
        if i in drifted:
            kept["name"] += " (edited)"
        codes.append(kept)
    return codes


def company_seed(
    *,
    company: tuple[int, str],
    list_id: int,
    codes: list[dict[str, Any]],
    projects: list[dict[str, Any]],
    app: tuple[str, str],
    user: dict[str, Any],
    list_name: str = ERP_LIST_NAME,
) -> dict[str, Any]:
    """A seed with one app (client id, secret) acting as `user`, and one company (id, name)
    whose ERP list holds `codes`."""
    client_id, client_secret = app
    company_id, company_name = company
    return {
        "app": {"client_id": client_id, "client_secret": client_secret, "acts_as_user": user["id"]},
        "users": [user],
        "companies": [
            {
                "id": company_id,
                "name": company_name,
                "standard_cost_code_lists": [
                    {"id": list_id, "name": list_name, "is_erp_list": True, "codes": codes}
                ],
                "projects": projects,
            }
        ],
    }


MIXED_ERP_LIST, MIXED_OTHER_LIST = 11, 12
MIXED_FIRST_PROJECT = 562_949_953_600_000
MIXED_FIRST_SUB_JOB = 9_100_000
SUB_JOBS_EVERY = 8  # with sub_jobs: one project in eight has sub jobs (Sage Extras)


def mixed_company_seed(
    projects: int, codes: int, *, seed: int = 12, sub_jobs: bool = False
) -> dict[str, Any]:
    """A company like a real one: `projects` projects on a `codes`-code Sage list, in every state.

    Every tenth project is inactive, every fifteenth not ERP-integrated, every thirtieth on another
    list, every twentieth one where the user is not Admin; of the rest about half are out of date
    (1-5 codes missing, 0-3 descriptions edited). Each project says what it is in `_kind` (ignored
    by the seed parser). With `sub_jobs`, every SUB_JOBS_EVERY-th project also has 1 to 3 sub
    jobs, each its own copy of the list, about half of them out of date; the projects are the
    same either way. The same arguments give the same seed.
    """
    rng = random.Random(seed)
    standard = standard_codes(codes)
    leaves = [i for i, c in enumerate(standard) if "parent" in c]
    entries: list[dict[str, Any]] = []
    no_admin: list[int] = []
    for p in range(projects):
        project_id = MIXED_FIRST_PROJECT + p
        entry: dict[str, Any] = {
            "id": project_id,
            "name": f"Project {p:03d}",
            "project_number": f"26-{p:03d}",
            "is_erp_integrated": True,
            "standard_cost_code_list_id": MIXED_ERP_LIST,
            "stage": rng.choice(["Pre-Construction", "Course of Construction", "Bidding"]),
        }
        kind = "in sync"
        if p % 30 == 11:
            kind, entry["standard_cost_code_list_id"] = "on another list", MIXED_OTHER_LIST
        elif p % 15 == 7:
            kind, entry["is_erp_integrated"] = "not ERP-integrated", False
        elif p % 20 == 3:
            kind = "without Admin"
            no_admin.append(project_id)
        elif p % 10 == 9:
            kind, entry["active"] = "inactive", False
        elif rng.random() < 0.55:
            kind = "out of date"
        if entry["is_erp_integrated"]:
            entry["origin_id"] = f"job-{p:03d}"  # what the ERP connector stamps on its projects
        missing: set[int] = set()
        drifted: set[int] = set()
        if kind in ("out of date", "without Admin", "inactive"):
            missing = set(rng.sample(leaves, k=rng.randint(1, 5)))
            rest = [i for i in leaves if i not in missing]
            drifted = set(rng.sample(rest, k=rng.randint(0, 3)))
        listed = standard if kind != "on another list" else standard[:3]
        entry["cost_codes"] = project_copy(listed, missing=missing, drifted=drifted)
        entry["_kind"] = kind
        entries.append(entry)
    if sub_jobs:
        _add_sub_jobs(entries, listed_codes=standard, leaves=leaves, rng=random.Random(seed + 1))
    built = company_seed(
        company=(4264807, "Mixed Builders"),
        list_id=MIXED_ERP_LIST,
        codes=standard,
        projects=entries,
        app=("mixed-client", "mixed-secret"),
        user={
            "id": 1,
            "login": "ap@example.com",
            "name": "A. P. Clerk",
            "project_admin": [e["id"] for e in entries if e["id"] not in no_admin],
        },
    )
    built["companies"][0]["standard_cost_code_lists"].append(
        {"id": MIXED_OTHER_LIST, "name": "Procore Default List", "codes": standard[:3]}
    )
    return built


def _add_sub_jobs(
    entries: list[dict[str, Any]],
    *,
    listed_codes: list[dict[str, Any]],
    leaves: list[int],
    rng: random.Random,
) -> None:
    """Sub jobs E01, E02, … on every SUB_JOBS_EVERY-th project, from a random stream of their
    own, so the projects stay as they are without sub jobs."""
    next_id = MIXED_FIRST_SUB_JOB
    for p, entry in enumerate(entries):
        if p % SUB_JOBS_EVERY != 5:
            continue
        jobs = []
        for j in range(rng.randint(1, 3)):
            missing: set[int] = set()
            if rng.random() < 0.5:
                missing = set(rng.sample(leaves, k=rng.randint(1, 3)))
            jobs.append(
                {
                    "id": next_id,
                    "code": f"E{j + 1:02d}",
                    "name": f"Extra {j + 1} of {entry['name']}",
                    "cost_codes": project_copy(listed_codes, missing=missing, drifted=set()),
                }
            )
            next_id += 1
        entry["sub_jobs"] = jobs
