"""Made-up companies of any size, in the seed format of `seed.py`, for benchmarks and load tests.

Only the parts every large seed shares live here: a company list of divisions with codes under
them, a project's copy of it with some codes left out or edited, and the one-company, one-list
envelope around the projects. Each caller decides which codes a project misses or edits, since
that is what a benchmark or test is about.
"""

from __future__ import annotations

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
