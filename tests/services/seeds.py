"""A small company in every state a refresh must handle."""

from __future__ import annotations

import copy
from typing import Any

COMPANY = 4264807
ERP_LIST = 11
OTHER_LIST = 12
P_DRIFTED = 562949953421312
P_IN_SYNC = 562949953421313
P_NOT_ERP = 562949953421314
P_OTHER_LIST = 562949953421315
P_NO_ADMIN = 562949953421316
P_HIDDEN = 562949953421317

_STANDARD = [
    {"full_code": "01", "name": "General Requirements"},
    {"full_code": "01-100", "name": "Project Manager", "parent": "01"},
    {"full_code": "01-200", "name": "Superintendent", "parent": "01"},
    {"full_code": "01-300", "name": "Temporary Facilities", "parent": "01"},
    {"full_code": "03", "name": "Concrete"},
    {"full_code": "03-100", "name": "Concrete Forming", "parent": "03"},
    {"full_code": "03-200", "name": "Concrete Reinforcing", "parent": "03"},
    {"full_code": "03_300", "name": "Cast-in-Place Concrete", "parent": "03"},
    {"full_code": "10", "name": "Specialties"},
    {"full_code": "2", "name": "Existing Conditions"},
    {"full_code": "2-100", "name": "Demolition", "parent": "2"},
]


def _in_sync_codes() -> list[dict[str, Any]]:
    return [dict(c) for c in _STANDARD if c["full_code"] != "03_300"]


def small_seed() -> dict[str, Any]:
    drifted = [
        {"full_code": "01", "name": "General Requirements"},
        {"full_code": "01-100", "name": "Project Manager - J. Smith", "parent": "01"},
        {"full_code": "01-200", "name": "Super", "parent": "01", "origin_id": "SAGE-01-200"},
        {"full_code": "01-900", "name": "Owner Allowance", "parent": "01", "standard": False},
        {"full_code": "10", "name": "Specialties"},
    ]
    projects: list[dict[str, Any]] = [
        _project(P_DRIFTED, "Riverside Clinic", "23-104", drifted),
        _project(P_IN_SYNC, "Harbor View Lofts", "23-105", _in_sync_codes()),
        _project(P_NOT_ERP, "Maple Street Garage", "23-106", [], is_erp_integrated=False),
        _project(P_OTHER_LIST, "Oak Ridge School", "23-107", [], list_id=OTHER_LIST),
        _project(P_NO_ADMIN, "Pine Hill Offices", "23-108", drifted[:1]),
        _project(P_HIDDEN, "Secret Warehouse", "23-109", []),
    ]
    return copy.deepcopy(
        {
            "app": {"client_id": "test-client", "client_secret": "test-secret", "acts_as_user": 1},
            "users": [
                {
                    "id": 1,
                    "login": "ap@example.com",
                    "name": "A. P. Clerk",
                    "project_admin": [p["id"] for p in projects if p["id"] != P_NO_ADMIN],
                    "projects": [p["id"] for p in projects if p["id"] != P_HIDDEN],
                }
            ],
            "companies": [
                {
                    "id": COMPANY,
                    "name": "Example Builders",
                    "standard_cost_code_lists": [
                        {
                            "id": ERP_LIST,
                            "name": "Sage 300 CRE Standard Cost Code List",
                            "is_erp_list": True,
                            "codes": _STANDARD,
                        },
                        {
                            "id": OTHER_LIST,
                            "name": "Procore Default List",
                            "is_erp_list": False,
                            "codes": [{"full_code": "01", "name": "General Requirements"}],
                        },
                    ],
                    "projects": projects,
                }
            ],
        }
    )


def _project(
    pid: int,
    name: str,
    number: str,
    codes: list[dict[str, Any]],
    *,
    is_erp_integrated: bool = True,
    list_id: int = ERP_LIST,
) -> dict[str, Any]:
    return {
        "id": pid,
        "name": name,
        "project_number": number,
        "active": True,
        "origin_id": f"job-{number}" if is_erp_integrated else None,  # the ERP connector's
        "is_erp_integrated": is_erp_integrated,
        "standard_cost_code_list_id": list_id,
        "cost_codes": codes,
    }
