"""The validated form of a seed: every id assigned, every parent resolved."""

from __future__ import annotations

from dataclasses import dataclass

STANDARD_CODE_ID_START = 10_000_000_000
# The largest id: SQLite's INTEGER (and Procore's ids) are 64-bit signed; Python binding a
# larger int raises OverflowError, so every id from outside is checked against this first.
MAX_ID = 2**63 - 1
PROJECT_CODE_ID_START = 562_949_953_500_000
# The installed-app ("out of band") redirect: the sign-in page shows the code instead of
# redirecting. Always allowed, registered or not.
OOB_REDIRECT_URI = "urn:ietf:wg:oauth:2.0:oob"
DEFAULT_APP_NAME = "CostCodeSync"


@dataclass(frozen=True, slots=True)
class AppSpec:
    client_id: str
    client_secret: str
    acts_as_user: int
    redirect_uris: tuple[str, ...] = ()
    name: str = DEFAULT_APP_NAME  # shown on the sign-in page


@dataclass(frozen=True, slots=True)
class UserSpec:
    id: int
    login: str
    name: str
    password: str | None
    # None means "all".
    project_admin: frozenset[int] | None
    projects: frozenset[int] | None
    companies: frozenset[int] | None


@dataclass(frozen=True, slots=True)
class StandardCodeSpec:
    id: int
    list_id: int
    parent_id: int | None
    code: str
    full_code: str
    name: str
    origin_id: str | None
    origin_data: str | None
    active: bool
    cost_types: tuple[str, ...] = ()  # the company's default cost types, by code


@dataclass(frozen=True, slots=True)
class StandardListSpec:
    id: int
    company_id: int
    name: str
    is_erp_list: bool
    available_to_use_on_new_projects: bool
    codes: tuple[StandardCodeSpec, ...]


@dataclass(frozen=True, slots=True)
class ProjectCodeSpec:
    id: int
    project_id: int
    parent_id: int | None
    code: str
    full_code: str
    name: str
    origin_id: str | None
    origin_data: str | None
    standard_cost_code_id: int | None
    position: int
    cost_types: tuple[str, ...] = ()  # assigned cost types, by code


@dataclass(frozen=True, slots=True)
class SubJobSpec:
    """A sub job (a Sage Extra): its own cost code list within the project."""

    id: int
    code: str
    name: str
    origin_id: str | None
    codes: tuple[ProjectCodeSpec, ...]


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    id: int
    company_id: int
    name: str
    display_name: str
    project_number: str | None
    active: bool
    stage: str | None
    origin_id: str | None
    is_erp_integrated: bool
    standard_cost_code_list_id: int | None
    codes: tuple[ProjectCodeSpec, ...]
    sub_jobs: tuple[SubJobSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class CompanySpec:
    id: int
    name: str
    is_active: bool
    my_company: bool
    lists: tuple[StandardListSpec, ...]
    projects: tuple[ProjectSpec, ...]
    # (code, name, base_type, origin_id); the Sage categories unless the seed names its own
    cost_types: tuple[tuple[str, str, str, str | None], ...] = ()


@dataclass(frozen=True, slots=True)
class Seed:
    """A validated seed with every id assigned and every parent resolved."""

    app: AppSpec
    users: tuple[UserSpec, ...]
    companies: tuple[CompanySpec, ...]
