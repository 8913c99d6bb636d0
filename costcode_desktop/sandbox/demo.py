"""The built-in demo seed: an ERP-integrated builder with projects in every state worth showing.

Company "Example Builders" (4264807) keeps the Sage 300 CRE Standard Cost Code List (id 11):
Procore's 300 default codes, one code with an unsupported delimiter ("02 410") and four codes
"newly added in Sage" (01-016, 03-360, 18, 18-100). `DEMO_PROJECT_STATES` says what each project
demonstrates. The demo user also belongs to "Example Builders West" (4264950), on Acumatica
(File → Switch Company): its list has two codes with `/`, which Acumatica refuses (only `-`)
though Sage 300 CRE would take them. Everything is deterministic: the same call gives the same
dict.
"""

from __future__ import annotations

import csv
import io
import uuid
import zlib
from collections.abc import Iterable, Mapping
from importlib import resources
from typing import Any

COMPANY_ID = 4264807
SERVICE_COMPANY_ID = 4264901
OTHER_COMPANY_ID = 5102345  # the demo user does not belong to it
ACUMATICA_COMPANY_ID = 4264950
ACUMATICA_LIST_ID = 41
ACUMATICA_LIST_NAME = "Acumatica Standard Cost Code List"
ERP_LIST_ID = 11
DEFAULT_LIST_ID = 12
SERVICE_LIST_ID = 21
OTHER_LIST_ID = 31
DEMO_USER_ID = 1
PM_USER_ID = 2

_BASE = 562_949_953_421_312
RIVERSIDE_CLINIC = _BASE
MAPLE_STREET_LIBRARY = _BASE + 1
HARBORVIEW_APARTMENTS = _BASE + 2
WESTGATE_OFFICE_PARK = _BASE + 3
LINCOLN_ELEMENTARY = _BASE + 4
ST_MARYS_GARAGE = _BASE + 5
CEDAR_RIDGE_FIRE_STATION = _BASE + 6
OAKMONT_WATER_PLANT = _BASE + 7
PINECREST_SENIOR_LIVING = _BASE + 8
DOWNTOWN_TRANSIT_CENTER = _BASE + 9
BAYSIDE_MARINA = _BASE + 10
SUMMIT_RIDGE_DATA_CENTER = _BASE + 11
EXECUTIVE_RESIDENCE = _BASE + 12
SERVICE_AGREEMENTS = _BASE + 20
NORTHWIND_HQ = _BASE + 30
HARBOR_POINT_MEDICAL = _BASE + 40
MESA_VERDE_SCHOOL = _BASE + 41

# Example Builders West's Acumatica list: (full code, name, parent). The two `/` codes are
# Acumatica's problem (it permits `-` only), flagged and never sent.
ACUMATICA_CODES: tuple[tuple[str, str, str | None], ...] = (
    ("01", "General Requirements", None),
    ("01-100", "Project Supervision", "01"),
    ("01-200", "Temporary Facilities", "01"),
    ("03", "Concrete", None),
    ("03-100", "Concrete Forming", "03"),
    ("03-200", "Concrete Reinforcing", "03"),
    ("03/300", "Cast-in-Place Concrete", "03"),
    ("05", "Metals", None),
    ("05-100", "Structural Steel Framing", "05"),
    ("05/500", "Metal Fabrications", "05"),
    ("09", "Finishes", None),
    ("09-900", "Painting and Coating", "09"),
)
ACUMATICA_SLASH_CODES = ("03/300", "05/500")

# Riverside Clinic's sub jobs (Sage 300 CRE Extras), each with its own cost code list.
RIVERSIDE_EXTRA_IN_SYNC = 8_100_001
RIVERSIDE_EXTRA_OUT_OF_DATE = 8_100_002
DEMO_SUB_JOB_STATES: dict[int, str] = {
    RIVERSIDE_EXTRA_IN_SYNC: "E01 Parking Deck Extra: in sync",
    RIVERSIDE_EXTRA_OUT_OF_DATE: (
        "E02 Owner Change Extras: missing 18 and 18-100; one description edited"
    ),
}

# Codes added in Sage after most projects were set up: (full code, name, parent).
NEW_IN_SAGE: tuple[tuple[str, str, str | None], ...] = (
    ("01-016", "Safety Manager", "01"),
    ("03-360", "Post-Tensioned Concrete", "03"),
    ("18", "Sustainability", None),
    ("18-100", "Solar Photovoltaic Systems", "18"),
)
# Sage allows only / - . as delimiters; this one uses a space and must be flagged, never sent.
UNSUPPORTED_CODE: tuple[str, str, str] = ("02 410", "Storm Drainage Structures", "02")

DEMO_PROJECT_STATES: dict[int, str] = {
    RIVERSIDE_CLINIC: "in sync; two sub jobs (Extras), one in sync and one out of date",
    MAPLE_STREET_LIBRARY: "in sync",
    HARBORVIEW_APARTMENTS: "missing all four new codes and the unsupported 02 410",
    WESTGATE_OFFICE_PARK: "missing 18 and 18-100 (a new division with its child)",
    LINCOLN_ELEMENTARY: "missing 01-016 and 03-360; two descriptions edited on the project",
    ST_MARYS_GARAGE: "all codes present; four descriptions edited on the project",
    CEDAR_RIDGE_FIRE_STATION: "missing 01-016; three project-only codes",
    OAKMONT_WATER_PLANT: "missing 18 and 18-100; ERP-locked codes with other descriptions",
    PINECREST_SENIOR_LIVING: "inactive; missing the four new codes",
    DOWNTOWN_TRANSIT_CENTER: "not ERP-integrated",
    BAYSIDE_MARINA: "uses the Procore Default List, not the ERP list",
    SUMMIT_RIDGE_DATA_CENTER: "demo user is not Admin; missing the four new codes",
    EXECUTIVE_RESIDENCE: "not visible to the demo user",
    HARBOR_POINT_MEDICAL: "Acumatica: missing 01-200 and the two / codes Acumatica refuses",
    MESA_VERDE_SCHOOL: "Acumatica: missing the two / codes only (nothing to send)",
}

# The desktop app's loopback redirect is http://127.0.0.1:<port>/callback, or localhost for
# settings from before that choice; Procore matches redirect URIs exactly, so every port the app
# may fall back to is registered, under both names.
DEMO_REDIRECT_PORTS = (8765, 8766, 8767, 8768, 8769)
DEMO_REDIRECT_URIS: tuple[str, ...] = tuple(
    f"http://{host}:{port}/callback"
    for port in DEMO_REDIRECT_PORTS
    for host in ("localhost", "127.0.0.1")
)

_NAMESPACE = uuid.UUID("6f1c1f0e-8a39-4c57-9d3e-0c7d3f5b2a10")


def _origin(kind: str, key: str) -> str:
    """A stable stand-in for the id hh2 stamps on the records it owns."""
    return str(uuid.uuid5(_NAMESPACE, f"{kind}:{key}"))


def default_codes() -> list[tuple[str, str, str | None]]:
    """Procore's published default list: (full code, name, parent full code)."""
    data = resources.files(__package__).joinpath("data/procore_default_cost_codes.csv")
    text = data.read_text(encoding="utf-8")
    return [
        (row["full_code"], row["name"], row["parent_full_code"] or None)
        for row in csv.DictReader(io.StringIO(text))
    ]


def _code(full_code: str, name: str, parent: str | None, **extra: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"full_code": full_code, "name": name}
    if parent is not None:
        entry["parent"] = parent
    entry.update(extra)
    return entry


# A code's default cost types on the company's Sage list (every code has some).
_TYPE_MIXES = (["L", "M", "S"], ["M", "S"], ["L", "M"], ["S"], ["L", "M", "E"])


def default_cost_types(full_code: str) -> list[str]:
    if full_code == "01" or full_code.startswith("01-"):
        return ["L"]  # general requirements: people
    return _TYPE_MIXES[zlib.crc32(full_code.encode("utf-8")) % len(_TYPE_MIXES)]


def _project_codes(
    codes: Iterable[tuple[str, str, str | None]],
    *,
    missing: Iterable[str] = (),
    renamed: Mapping[str, str] | None = None,
    locked: Iterable[str] = (),
    project_number: str = "",
    cost_types: Mapping[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """A project's codes; each has its standard code's cost types unless `cost_types` says."""
    skip = set(missing)
    renamed = renamed or {}
    locked_set = set(locked)
    own_types = cost_types or {}
    result = []
    for full_code, name, _parent in codes:
        if full_code in skip:
            continue
        entry: dict[str, Any] = {"full_code": full_code, "name": renamed.get(full_code, name)}
        if full_code in own_types:
            entry["cost_types"] = own_types[full_code]
        if full_code in locked_set:
            entry["origin_id"] = _origin("job-cost-code", f"{project_number}/{full_code}")
            entry["origin_data"] = "Sage 300 CRE job cost code"
        result.append(entry)
    return result


def _project(
    project_id: int,
    name: str,
    number: str,
    codes: list[dict[str, Any]],
    *,
    list_id: int | None = ERP_LIST_ID,
    erp: bool = True,
    active: bool = True,
    stage: str = "Course of Construction",
) -> dict[str, Any]:
    return {
        "id": project_id,
        "name": name,
        "project_number": number,
        "active": active,
        "stage": stage,
        "origin_id": _origin("job", number) if erp else None,
        "is_erp_integrated": erp,
        "standard_cost_code_list_id": list_id,
        "cost_codes": codes,
    }


def demo_seed() -> dict[str, Any]:
    """The built-in demo seed (a fresh dict on every call)."""
    csv_codes = default_codes()
    erp_codes = [*csv_codes, UNSUPPORTED_CODE, *NEW_IN_SAGE]
    new = [full for full, _name, _parent in NEW_IN_SAGE]
    erp_list = {
        "id": ERP_LIST_ID,
        "name": "Sage 300 CRE Standard Cost Code List",
        "is_erp_list": True,
        "available_to_use_on_new_projects": True,
        "codes": [
            _code(
                full,
                name,
                parent,
                origin_id=_origin("standard-cost-code", full),
                cost_types=default_cost_types(full),
            )
            for full, name, parent in erp_codes
        ],
    }
    default_list = {
        "id": DEFAULT_LIST_ID,
        "name": "Procore Default List",
        "is_erp_list": False,
        "available_to_use_on_new_projects": False,
        "codes": [_code(full, name, parent) for full, name, parent in csv_codes],
    }

    def erp_project(project_id: int, name: str, number: str, **kwargs: Any) -> dict[str, Any]:
        project_kwargs = {k: kwargs.pop(k) for k in ("active", "stage") if k in kwargs}
        extra = kwargs.pop("extra", [])
        codes = _project_codes(erp_codes, project_number=number, **kwargs) + extra
        return _project(project_id, name, number, codes, **project_kwargs)

    projects = [
        # Cost types assigned on the project that differ from the company's defaults.
        erp_project(
            RIVERSIDE_CLINIC,
            "Riverside Clinic",
            "23-104",
            cost_types={"03-300": ["M"], "09-900": ["L", "M", "S", "E"]},
        ),
        erp_project(MAPLE_STREET_LIBRARY, "Maple Street Library Renovation", "23-117"),
        erp_project(
            HARBORVIEW_APARTMENTS,
            "Harborview Apartments",
            "24-002",
            missing=[*new, UNSUPPORTED_CODE[0]],
        ),
        erp_project(
            WESTGATE_OFFICE_PARK, "Westgate Office Park - Building C", "24-015", missing=new[2:]
        ),
        erp_project(
            LINCOLN_ELEMENTARY,
            "Lincoln Elementary School Addition",
            "24-021",
            missing=new[:2],
            renamed={"01-010": "Project Manager - J. Smith", "03-300": "Footings & Pile Caps"},
        ),
        erp_project(
            ST_MARYS_GARAGE,
            "St. Mary's Hospital Parking Garage",
            "24-033",
            renamed={
                "01-010": "Project Manager - R. Álvarez",
                "07-400": "Façade Panels, Roofing & Siding",
                "09-900": "Paints and Coatings (Interior/Exterior)",
                "16-500": 'Lighting - "Phase 2" Fixtures',
            },
        ),
        erp_project(
            CEDAR_RIDGE_FIRE_STATION,
            "Cedar Ridge Fire Station No. 4",
            "24-040",
            missing=new[:1],
            extra=[
                _code("01-900", "Owner Allowance", "01", standard=False),
                _code("01-910", "Permit Fees (Reimbursable)", "01", standard=False),
                _code("17-900", "Owner Contingency", "17", standard=False),
            ],
        ),
        erp_project(
            OAKMONT_WATER_PLANT,
            "Oakmont Water Treatment Plant Upgrade",
            "24-051",
            missing=new[2:],
            renamed={
                "01-010": "Project Manager - K. Osei",
                "02-200": "Site Prep - Phase 1",
                "02-300": "Earthwork & Mass Grading",
                "03-210": "CIP Concrete",
            },
            locked=["02-200", "02-300", "03-210", "15-400", "16-100"],
        ),
        erp_project(
            PINECREST_SENIOR_LIVING,
            "Pinecrest Senior Living",
            "22-088",
            missing=new,
            active=False,
            stage="Warranty",
        ),
        _project(
            DOWNTOWN_TRANSIT_CENTER,
            "Downtown Transit Center Tenant Improvements",
            "24-060",
            _project_codes(csv_codes[:120]),
            erp=False,
            stage="Pre-Construction",
        ),
        _project(
            BAYSIDE_MARINA,
            "Bayside Marina Boardwalk",
            "24-072",
            _project_codes(csv_codes),
            list_id=DEFAULT_LIST_ID,
        ),
        erp_project(SUMMIT_RIDGE_DATA_CENTER, "Summit Ridge Data Center", "24-080", missing=new),
        erp_project(
            EXECUTIVE_RESIDENCE, "Executive Residence (Confidential)", "24-099", missing=new
        ),
    ]
    projects[0]["sub_jobs"] = [
        {
            "id": RIVERSIDE_EXTRA_IN_SYNC,
            "code": "E01",
            "name": "Parking Deck Extra",
            "origin_id": _origin("extra", "23-104/E01"),
            "cost_codes": _project_codes(erp_codes),
        },
        {
            "id": RIVERSIDE_EXTRA_OUT_OF_DATE,
            "code": "E02",
            "name": "Owner Change Extras",
            "origin_id": _origin("extra", "23-104/E02"),
            "cost_codes": _project_codes(
                erp_codes, missing=new[2:], renamed={"01-010": "Project Manager - Extras"}
            ),
        },
    ]

    service_codes = [
        ("100", "Service Labor", None),
        ("100-010", "Technician", "100"),
        ("100-020", "Helper", "100"),
        ("200", "Materials", None),
        ("200-010", "Parts", "200"),
        ("300", "Subcontract", None),
    ]
    other_codes = [("01", "General Conditions", None), ("01-100", "Supervision", "01")]
    acumatica_codes = list(ACUMATICA_CODES)
    acumatica_projects = [
        _project(
            project_id,
            name,
            number,
            _project_codes(acumatica_codes, missing=missing),
            list_id=ACUMATICA_LIST_ID,
        )
        for project_id, name, number, missing in (
            (
                HARBOR_POINT_MEDICAL,
                "Harbor Point Medical Office",
                "W-101",
                ["01-200", *ACUMATICA_SLASH_CODES],
            ),
            (MESA_VERDE_SCHOOL, "Mesa Verde Elementary", "W-102", list(ACUMATICA_SLASH_CODES)),
        )
    ]
    visible = [p["id"] for p in projects if p["id"] != EXECUTIVE_RESIDENCE] + [SERVICE_AGREEMENTS]
    visible += [p["id"] for p in acumatica_projects]
    return {
        "app": {
            "client_id": "demo-client",
            "client_secret": "demo-secret",
            "acts_as_user": DEMO_USER_ID,
            "redirect_uris": [*DEMO_REDIRECT_URIS, "urn:ietf:wg:oauth:2.0:oob"],
        },
        "users": [
            {
                "id": DEMO_USER_ID,
                "login": "ap@example.com",
                "name": "A. P. Clerk",
                "password": "demo",
                "companies": [COMPANY_ID, SERVICE_COMPANY_ID, ACUMATICA_COMPANY_ID],
                "projects": visible,
                "project_admin": [p for p in visible if p != SUMMIT_RIDGE_DATA_CENTER],
            },
            {
                "id": PM_USER_ID,
                "login": "jsmith@example.com",
                "name": "J. Smith",
                "password": "demo",
                "companies": [COMPANY_ID],
                "projects": "all",
                "project_admin": [LINCOLN_ELEMENTARY],
            },
            {
                "id": 3,
                "login": "ops@northwind.example",
                "name": "Northwind Operations",
                "password": "demo",
                "companies": [OTHER_COMPANY_ID],
            },
        ],
        "companies": [
            {
                "id": COMPANY_ID,
                "name": "Example Builders",
                "standard_cost_code_lists": [erp_list, default_list],
                "projects": projects,
            },
            {
                "id": SERVICE_COMPANY_ID,
                "name": "Example Builders Service Co.",
                "my_company": False,
                "standard_cost_code_lists": [
                    {
                        "id": SERVICE_LIST_ID,
                        "name": "Service Cost Codes",
                        "codes": [_code(*code) for code in service_codes],
                    }
                ],
                "projects": [
                    _project(
                        SERVICE_AGREEMENTS,
                        "Service Agreements 2024",
                        "SV-2024",
                        _project_codes(service_codes),
                        list_id=SERVICE_LIST_ID,
                        erp=False,
                    )
                ],
            },
            {
                "id": ACUMATICA_COMPANY_ID,
                "name": "Example Builders West",
                "standard_cost_code_lists": [
                    {
                        "id": ACUMATICA_LIST_ID,
                        "name": ACUMATICA_LIST_NAME,
                        "is_erp_list": True,
                        "available_to_use_on_new_projects": True,
                        "codes": [
                            _code(full, name, parent, origin_id=_origin("acumatica-code", full))
                            for full, name, parent in acumatica_codes
                        ],
                    }
                ],
                "projects": acumatica_projects,
            },
            {
                "id": OTHER_COMPANY_ID,
                "name": "Northwind Contractors",
                "standard_cost_code_lists": [
                    {
                        "id": OTHER_LIST_ID,
                        "name": "Sage 300 CRE Standard Cost Code List",
                        "is_erp_list": True,
                        "codes": [_code(*code) for code in other_codes],
                    }
                ],
                "projects": [
                    _project(
                        NORTHWIND_HQ,
                        "Northwind HQ Expansion",
                        "N-001",
                        _project_codes(other_codes),
                        list_id=OTHER_LIST_ID,
                    )
                ],
            },
        ],
    }
