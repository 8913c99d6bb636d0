"""What an endpoint sees: the request, the state, the signed-in user and Procore's access rules."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .store import Row, Store, scope_contains
from .wire import ApiError, Request, error_body, errors, fits_id, int_param

# Procore's words (tutorial_mpz.md): the first line is the error, the rest explains it.
MISSING_COMPANY_HEADER = "Missing Procore-Company-Id header!"
MISSING_COMPANY_HEADER_HELP = (
    "Each call your application makes to the Procore API must contain a request header that "
    "includes the Procore-Company-Id field. This request header field specifies the id of the "
    "company into which you are making the call."
)

if TYPE_CHECKING:
    from .clock import SandboxClock


@dataclass(slots=True)
class Context:
    request: Request
    store: Store
    clock: SandboxClock
    token_lifetime: float
    args: dict[str, str] = field(default_factory=dict)
    user: Row | None = None
    client_id: str | None = None
    grant_type: str | None = None  # of the bearer token: "client_credentials" is a service account
    company_id: int | None = None  # from the Procore-Company-Id header, once checked

    def now(self) -> float:
        return self.clock.now()

    @property
    def signed_in(self) -> Row:
        if self.user is None:  # routes without auth never call this
            raise errors(401, "Not signed in")
        return self.user

    # --- companies -----------------------------------------------------------------------------

    def belongs_to(self, company_id: int) -> bool:
        return scope_contains(self.signed_in["companies"], company_id)

    @property
    def service_account(self) -> bool:
        return self.grant_type == "client_credentials"

    def check_company_header(self) -> int:
        """Procore-Company-Id: required (400); unknown or not the user's company (403).

        The status of a missing header is not documented (nor is its body beyond the text):
        400 in the generic error model, with Procore's text as the message.
        """
        raw = self.request.header("procore-company-id")
        if raw is None or not raw.strip():
            body = error_body(400, MISSING_COMPANY_HEADER, reason="missing_company_header")
            body["error"] = MISSING_COMPANY_HEADER_HELP
            raise ApiError(400, body)
        try:
            company_id = int(raw.strip())
        except ValueError:
            company_id = None
        if company_id is None or not fits_id(company_id):
            raise errors(403, f"Unknown company: {raw.strip()!r}", reason="unknown_company")
        company = self.store.company(company_id)
        if company is None or not self.belongs_to(company_id):
            raise errors(403, f"You do not have access to company {company_id}", reason="forbidden")
        self.company_id = company_id
        return company_id

    def company_param(self) -> Row:
        """The `company_id` query parameter: required, and must match the header (403)."""
        company_id = int_param(self.request, "company_id", required=True)
        assert company_id is not None
        if company_id != self.company_id:
            raise errors(
                403,
                f"company_id {company_id} does not match the Procore-Company-Id header "
                f"({self.company_id})",
                reason="company_mismatch",
                fields="company_id",
            )
        company = self.store.company(company_id)
        if company is None:  # the header check already proved it exists
            raise errors(404, "Company not found")
        return company

    # --- projects ------------------------------------------------------------------------------

    def can_see(self, project: Row) -> bool:
        user = self.signed_in
        return scope_contains(user["companies"], project["company_id"]) and scope_contains(
            user["projects"], project["id"]
        )

    def is_admin(self, project: Row) -> bool:
        return self.can_see(project) and scope_contains(
            self.signed_in["project_admin"], project["id"]
        )

    def visible_project(self, project_id: int) -> Row:
        """The project, or 404 when unknown, invisible, or in another company than the header's."""
        project = self.store.project(project_id)
        if project is None or not self.can_see(project) or project["company_id"] != self.company_id:
            raise errors(404, f"Project {project_id} not found")
        return project

    def require_admin(self, project: Row) -> None:
        if not self.is_admin(project):
            raise errors(
                403,
                "You do not have permission to modify cost codes on this project: 'Admin' on the "
                "project's Admin tool is required",
                reason="forbidden",
            )
