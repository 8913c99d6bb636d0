"""Refresh one project from the company list: add missing codes, update descriptions, verify.

This is the documented equivalent of Procore's Refresh Cost Codes button (see the API
reference, "No public refresh endpoint"). Nothing is ever deleted. A code is reported as added
only when this run's own copy created it (the copy's answer names what it created; an answer
lost on the way is judged by reading the project again) and the read-back shows it: a code
another run added meanwhile is not this run's change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from costcode_desktop.costcodes import (
    Comparison,
    NameUpdate,
    RefreshPlan,
    StandardCode,
    locked_reason,
    outlook,
    plural,
)
from costcode_desktop.costcodes import plan_refresh as make_plan
from costcode_desktop.procore import CancelToken
from costcode_desktop.procore.errors import (
    Cancelled,
    ConnectionFailed,
    InvalidRequest,
    MalformedResponse,
    NotFound,
    PermissionDenied,
    ProcoreError,
    ServerError,
)
from costcode_desktop.procore.records import CopyFailure, Project, SubJob

from .company import CompanyList, read_comparison, refusal_reason
from .permissions import PermissionCache
from .refresh_outcome import RefreshOutcome
from .text import quoted

if TYPE_CHECKING:  # annotations only: the client brings httpx, which a first paint does without
    from costcode_desktop.procore import ProcoreClient

log = logging.getLogger(__name__)

Progress = Callable[[str], None]
COPY_ATTEMPTS = 3  # a copy that may have landed is re-read and re-planned before another try
_LOCK_WORDS = ("erp", "managed", "locked", "origin", "sage", "integration")


@dataclass(frozen=True, slots=True)
class CodeIssue:
    full_code: str
    name: str
    reason: str
    request_id: str | None = None


@dataclass(frozen=True)
class RefreshResult:
    project: Project
    outcome: RefreshOutcome
    message: str
    before: Comparison | None = None
    after: Comparison | None = None
    plan: RefreshPlan | None = None
    added: tuple[StandardCode, ...] = ()
    updated: tuple[NameUpdate, ...] = ()
    skipped: tuple[CodeIssue, ...] = ()
    failed: tuple[CodeIssue, ...] = ()
    dry_run: bool = False
    error: ProcoreError | None = field(default=None, repr=False)
    sub_job: SubJob | None = None  # the sub job refreshed; None: the project's own list

    @property
    def verified_in_sync(self) -> bool:
        """The project read back after the refresh has nothing left to add or update."""
        return self.after is not None and self.after.in_sync

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)

    @property
    def would_change(self) -> bool:
        """A dry run found changes to send, and nothing (permission, list) refuses them."""
        return (
            self.dry_run
            and self.outcome is RefreshOutcome.UNCHANGED
            and self.plan is not None
            and not self.plan.is_empty
        )


def refresh_project(
    client: ProcoreClient,
    company_list: CompanyList,
    project_id: int,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    cancel: CancelToken | None = None,
    on_writes: Callable[[RefreshPlan], None] | None = None,
    listed: Project | None = None,
    before: Comparison | None = None,
    permissions: PermissionCache | None = None,
    sub_job: SubJob | None = None,
) -> RefreshResult:
    """Bring one project (or with `sub_job` that sub job's list) in line with the company
    list and say exactly what happened.

    `on_writes` is called once with the plan, just before the first change is sent: from then
    on the project is finished and read back whatever happens, so a caller can stop offering to
    cancel it, and record what is about to be sent (the history's intent).

    What a status read already found is not read again: `listed` (the project as listed, with
    its cost code list and ERP flag) and `before` (its comparison, when the caller judges it
    fresh: see bulk.REUSE_FOR). A refresh then sends at most the permission check (once per
    project per session, through `permissions`), the copy, the sync and the read-back. Acting
    on a comparison a little old is safe: copying a code the project gained meanwhile is
    refused by Procore as a duplicate, a sync only writes the company's own descriptions, and
    what the result reports comes from the read-back, not from the plan.
    """
    run = _Refresh(client, company_list, progress or (lambda _message: None), cancel)
    run.on_writes = on_writes
    run.permissions = permissions
    if sub_job is None:
        return run.execute(project_id, dry_run, listed, before)
    run.sub_job_id = sub_job.id
    # The messages name the sub job ("'Riverside Clinic / E02 Owner Change Extras' ..."); the
    # result keeps the project as it is, with the sub job beside it.
    named = None
    if listed is not None:
        named = replace(listed, name=f"{listed.name} / {sub_job.code} {sub_job.name}")
    result = run.execute(project_id, dry_run, named, before)
    project = listed if listed is not None and result.project == named else result.project
    return replace(result, project=project, sub_job=sub_job)


class _Refresh:
    def __init__(
        self,
        client: ProcoreClient,
        company_list: CompanyList,
        progress: Progress,
        cancel: CancelToken | None,
    ) -> None:
        self.client = client
        self.company_list = company_list
        self.company_id = company_list.company_id
        self.progress = progress
        self.cancel = cancel
        self.copy_failures: dict[int | str, CopyFailure] = {}  # by standard id and full code
        self.copy_error: ProcoreError | None = None
        self.update_errors: dict[int, tuple[str, str | None]] = {}
        self.on_writes: Callable[[RefreshPlan], None] | None = None
        self.landed: set[int] = set()  # standard ids of the codes this run's copies created
        self.permissions: PermissionCache | None = None
        # A sub job's list is written through the same calls with sub_job_id; the permission
        # asked is still the project's (its Admin tool holds the sub jobs).
        self.sub_job_id: int | None = None

    def read(self, project: Project, cancel: CancelToken | None) -> Comparison:
        return read_comparison(
            self.client, self.company_list, project.id, sub_job_id=self.sub_job_id, cancel=cancel
        )

    def execute(
        self,
        project_id: int,
        dry_run: bool,
        listed: Project | None = None,
        known: Comparison | None = None,
    ) -> RefreshResult:
        if listed is not None and listed.id == project_id and not listed.needs_detail:
            project = listed
        else:
            self.progress("Reading the project")
            try:
                project = self.client.project(self.company_id, project_id, cancel=self.cancel)
            except (NotFound, PermissionDenied) as exc:
                stand_in = listed or Project(project_id, f"Project {project_id}", None, True)
                return RefreshResult(
                    stand_in, RefreshOutcome.REFUSED, str(exc), error=exc, dry_run=dry_run
                )
        refusal = refusal_reason(project, self.company_list)
        if refusal is not None:
            return RefreshResult(project, RefreshOutcome.REFUSED, refusal, dry_run=dry_run)

        if known is not None:
            before = known
        else:
            self.progress("Reading its cost codes")
            before = self.read(project, self.cancel)
        plan = make_plan(before)
        skipped = tuple(CodeIssue(s.full_code, s.name, s.reason) for s in plan.skipped)
        if plan.is_empty:
            return RefreshResult(
                project,
                RefreshOutcome.UNCHANGED,
                _plan_message(project, before, dry_run),
                before,
                before,
                plan,
                skipped=skipped,
                dry_run=dry_run,
            )
        if self.cancel is not None:
            self.cancel.raise_if_cancelled()
        # Asked in a dry run too: a project that will be refused is reported as refused there.
        if self.allowed(project) is False:
            sent = " Nothing would be sent (dry run)." if dry_run else " Nothing was sent."
            return RefreshResult(
                project,
                RefreshOutcome.REFUSED,
                no_admin_message(project) + sent,
                before,
                before,
                plan,
                skipped=skipped,
                dry_run=dry_run,
            )
        if dry_run:
            return RefreshResult(
                project,
                RefreshOutcome.UNCHANGED,
                _plan_message(project, before, dry_run),
                before,
                before,
                plan,
                skipped=skipped,
                dry_run=True,
            )

        if self.on_writes is not None:
            self.on_writes(plan)
        try:
            if plan.to_add:
                self.copy(project, before, plan)
            if plan.updates:
                self.update_names(project, plan)
        except PermissionDenied as exc:
            if self.permissions is not None:
                self.permissions.refused(self.company_id, project.id)
            message = no_admin_message(project)
            return self.finish(project, before, plan, skipped, exc.with_message(message))
        except Cancelled as exc:
            return self.finish(project, before, plan, skipped, exc)
        return self.finish(project, before, plan, skipped, None)

    def allowed(self, project: Project) -> bool | None:
        """May the user change this project's codes? Kept for the session when it can be."""
        cache = self.permissions
        if cache is None or not cache.known(self.company_id, project.id):
            self.progress("Checking your permission")
        if cache is None:
            return self.client.can_manage_cost_codes(
                self.company_id, project.id, cancel=self.cancel
            )
        return cache.check(self.client, self.company_id, project.id, cancel=self.cancel)

    def copy(self, project: Project, before: Comparison, plan: RefreshPlan) -> None:
        self.progress(f"Adding {plural(len(plan.to_add), 'code')}")
        copy_ids = plan.copy_ids
        present = _present(before)
        by_full_code = {code.full_code: code.id for code in plan.to_add}
        for attempt in range(1, COPY_ATTEMPTS + 1):
            try:
                result = self.client.copy_subset_from_standard_list(
                    self.company_id,
                    project.id,
                    self.company_list.list.id,
                    copy_ids,
                    sub_job_id=self.sub_job_id,
                    cancel=self.cancel,
                )
            except (ConnectionFailed, ServerError, MalformedResponse) as exc:
                # The copy may have landed: look before trying again, never copy blindly.
                log.warning("copy to project %s failed (attempt %d): %s", project.id, attempt, exc)
                self.copy_error = exc
                read = self.read(project, self.cancel)
                # What appeared since the last look, of what was sent, is this copy's.
                now_present = _present(read)
                self.landed |= (set(copy_ids) & now_present) - present
                present = now_present
                fresh = make_plan(read)
                if not fresh.to_add:
                    return
                copy_ids = fresh.copy_ids
                continue
            self.copy_error = None
            for created in result.created:
                standard_id = created.standard_cost_code_id or by_full_code.get(created.full_code)
                if standard_id is not None:
                    self.landed.add(standard_id)
            for failure in result.failures:
                # Procore's failures are the project's duplicates: their full code always
                # names them, the standard code's id only when the duplicate is linked.
                if failure.standard_cost_code_id is not None:
                    self.copy_failures[failure.standard_cost_code_id] = failure
                if failure.full_code:
                    self.copy_failures[failure.full_code] = failure
            return

    def update_names(self, project: Project, plan: RefreshPlan) -> None:
        self.progress(f"Updating {plural(len(plan.updates), 'description')}")
        for batch in plan.update_batches():
            pairs = [(u.cost_code_id, u.new_name) for u in batch]
            try:
                result = self.client.sync_cost_codes(
                    self.company_id,
                    project.id,
                    pairs,
                    sub_job_id=self.sub_job_id,
                    cancel=self.cancel,
                )
            except InvalidRequest:
                # Some servers refuse a whole batch for one locked record: go one by one.
                self.update_one_by_one(project, batch)
                continue
            except (ConnectionFailed, ServerError, MalformedResponse) as exc:
                for update in batch:
                    self.update_errors[update.cost_code_id] = (str(exc), exc.request_id)
                continue
            request_id = result.request_ids[0] if result.request_ids else None
            for item in result.errors:
                if item.id is not None:
                    self.update_errors[item.id] = (item.message, request_id)

    def update_one_by_one(self, project: Project, batch: Sequence[NameUpdate]) -> None:
        for update in batch:
            try:
                self.client.update_cost_code(
                    self.company_id,
                    project.id,
                    update.cost_code_id,
                    update.new_name,
                    code=update.code,
                    parent_id=update.parent_id,
                    sub_job_id=self.sub_job_id,
                    cancel=self.cancel,
                )
            except (InvalidRequest, NotFound, ConnectionFailed, ServerError) as exc:
                reason = exc.detail or str(exc)
                self.update_errors[update.cost_code_id] = (reason, exc.request_id)

    def finish(
        self,
        project: Project,
        before: Comparison,
        plan: RefreshPlan,
        skipped: tuple[CodeIssue, ...],
        error: ProcoreError | None,
    ) -> RefreshResult:
        self.progress("Checking the result")
        try:
            after = self.read(project, None)  # verification runs even after a cancel
        except ProcoreError as exc:
            return RefreshResult(
                project,
                RefreshOutcome.FAILED,
                f"The changes were sent but {quoted(project.name)} could not be read back to check "
                f"them: {exc} Reload to see where it stands.",
                before,
                None,
                plan,
                skipped=skipped,
                error=exc,
            )
        added, failed = self.check_additions(after, plan, error)
        updated, locked, failed_updates = self.check_updates(after, plan, error)
        failed += failed_updates
        all_skipped = skipped + tuple(locked)
        outcome = RefreshOutcome.FAILED if failed else RefreshOutcome.REFRESHED
        if not failed and not added and not updated:
            outcome = RefreshOutcome.UNCHANGED
        if isinstance(error, PermissionDenied) and not added and not updated:
            outcome = RefreshOutcome.REFUSED
            failed = []
        message = _result_message(
            project, outcome, added, updated, all_skipped, failed, after, error
        )
        return RefreshResult(
            project,
            outcome,
            message,
            before,
            after,
            plan,
            added,
            tuple(updated),
            all_skipped,
            tuple(failed),
            error=error,
        )

    def check_additions(
        self, after: Comparison, plan: RefreshPlan, error: ProcoreError | None
    ) -> tuple[tuple[StandardCode, ...], list[CodeIssue]]:
        """Which planned codes this run added (its copy created them and the project has them
        now), and why the others are not there. A code the project has that another run added
        is neither: it is not this run's change, and nothing failed."""
        present = _present(after)
        added = tuple(code for code in plan.to_add if code.id in present & self.landed)
        failed = [self.copy_issue(code, error) for code in plan.to_add if code.id not in present]
        return added, failed

    def check_updates(
        self, after: Comparison, plan: RefreshPlan, error: ProcoreError | None
    ) -> tuple[list[NameUpdate], list[CodeIssue], list[CodeIssue]]:
        """(updated, skipped as locked, failed), judged by the names read back."""
        names = {row.project.id: row.project.name for row in after.rows if row.project is not None}
        updated: list[NameUpdate] = []
        locked: list[CodeIssue] = []
        failed: list[CodeIssue] = []
        for update in plan.updates:
            if names.get(update.cost_code_id) == update.new_name:
                updated.append(update)
                continue
            reason, request_id = self.update_errors.get(update.cost_code_id, ("", None))
            if error is None and any(word in reason.lower() for word in _LOCK_WORDS):
                why = locked_reason(self.company_list.connector)
                locked.append(CodeIssue(update.full_code, update.old_name, why))
                continue
            reason = reason or _why_not_done(error, "The description was not updated.")
            request_id = request_id or (error.request_id if error else None)
            failed.append(CodeIssue(update.full_code, update.old_name, reason, request_id))
        return updated, locked, failed

    def copy_issue(self, code: StandardCode, error: ProcoreError | None) -> CodeIssue:
        failure = self.copy_failures.get(code.id) or self.copy_failures.get(code.full_code)
        if failure is not None:
            return CodeIssue(code.full_code, code.name, failure.reason)
        cause = error or self.copy_error
        return CodeIssue(
            code.full_code,
            code.name,
            _why_not_done(cause, "Procore did not add the code."),
            cause.request_id if cause else None,
        )


def _present(comparison: Comparison) -> set[int]:
    """The standard ids of the company's codes the project has."""
    return {
        row.standard.id
        for row in comparison.rows
        if row.standard is not None and row.project is not None
    }


def no_admin_message(project: Project) -> str:
    return (
        f"You need 'Admin' on the Admin tool of {quoted(project.name)} in Procore to refresh its "
        "cost codes. Ask a Procore administrator for it, then try again."
    )


def _why_not_done(error: ProcoreError | None, default: str) -> str:
    if isinstance(error, Cancelled):
        return "Not done: the refresh was cancelled."
    return str(error) if error is not None else default


def _plan_message(project: Project, before: Comparison, dry_run: bool) -> str:
    """What a refresh sends and leaves, in the words the comparison pane uses (outlook)."""
    said = outlook(before)
    leaves = said.leaves()
    if not said.changes:
        text = f"{quoted(project.name)} already matches the company list; nothing to change."
        return f"{text} {leaves[:1].upper()}{leaves[1:]}." if leaves else text
    text = f"A refresh of {quoted(project.name)} would {said.does()}"
    text += f"; {leaves}." if leaves else "."
    return text + (" Nothing was sent (dry run)." if dry_run else "")


def _result_message(
    project: Project,
    outcome: RefreshOutcome,
    added: Sequence[StandardCode],
    updated: Sequence[NameUpdate],
    skipped: Sequence[CodeIssue],
    failed: Sequence[CodeIssue],
    after: Comparison,
    error: ProcoreError | None,
) -> str:
    if outcome is RefreshOutcome.REFUSED and error is not None:
        return str(error)
    done = []
    if added:
        done.append(f"added {plural(len(added), 'code')}")
    if updated:
        done.append(f"updated {plural(len(updated), 'description')}")
    text = f"{quoted(project.name)}: " + (" and ".join(done) if done else "nothing changed")
    text += "."
    if skipped:
        text += f" {plural(len(skipped), 'code').capitalize()} skipped."
    if failed:
        text += f" {plural(len(failed), 'code').capitalize()} failed."
    if isinstance(error, Cancelled):
        text += " Cancelled part-way."
    if after.in_sync:
        text += " Verified: the project now matches the company list."
    else:
        left = after.differences
        text += f" Checked: {plural(left, 'difference')} {'remains' if left == 1 else 'remain'}."
    return text
