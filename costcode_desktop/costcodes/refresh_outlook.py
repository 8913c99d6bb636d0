"""What a refresh will do to one project, in one sentence: what it sends and what it leaves.

Worked out from the refresh plan itself (plan.py), so the sentence and the refresh never
disagree: the codes it adds, the descriptions it fixes, and those that stay as they are
(descriptions locked by the ERP connector, codes it cannot send, codes only on the
project). The sentence names the connector in use (the comparison carries it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .compare import Comparison, DiffStatus
from .connectors import SAGE_300, Connector
from .plan import NO_DESCRIPTION_REASON, plan_refresh
from .words import plural


@dataclass(frozen=True)
class Outlook:
    add: int  # codes copied from the company list
    fix: int  # descriptions put back to the company's
    locked: int  # descriptions that differ on records the ERP connector owns
    unsupported: int  # codes the connector cannot send, the project lacks or describes otherwise
    no_description: int  # differing descriptions the company list leaves blank
    only_on_project: int  # never deleted
    connector: Connector = SAGE_300  # whose lock and rules the sentence names

    @property
    def changes(self) -> bool:
        return bool(self.add or self.fix)

    def sentence(self) -> str:
        """'Refresh will add 2 codes and fix 1 description; 3 descriptions locked by Sage 300
        CRE stay as they are.' or 'Nothing to refresh: …'."""
        leaves = self.leaves()
        if self.changes:
            text = f"Refresh will {self.does()}"
            return f"{text}; {leaves}." if leaves else f"{text}."
        if leaves:
            return f"Nothing to refresh: {leaves}."
        return "Nothing to refresh: the project matches the company list."

    def does(self) -> str:
        """'add 2 codes and fix 1 description', or '' when a refresh sends nothing."""
        parts = []
        if self.add:
            parts.append(f"add {plural(self.add, 'code')}")
        if self.fix:
            parts.append(f"fix {plural(self.fix, 'description')}")
        return _joined(parts)

    def leaves(self) -> str:
        """'3 descriptions locked by Sage 300 CRE and 1 unsupported code stay as they are', or
        ''."""
        parts = []
        if self.locked:
            parts.append(f"{plural(self.locked, 'description')} locked by {self.connector.system}")
        if self.unsupported:
            parts.append(plural(self.unsupported, "unsupported code"))
        if self.no_description:
            parts.append(f"{plural(self.no_description, 'code')} with no company description")
        if self.only_on_project:
            parts.append(f"{plural(self.only_on_project, 'code')} only on the project")
        if not parts:
            return ""
        total = self.locked + self.unsupported + self.no_description + self.only_on_project
        verb = "stays as it is" if total == 1 else "stay as they are"
        return f"{_joined(parts)} {verb}"


def outlook(comparison: Comparison) -> Outlook:
    """What refreshing the project of this comparison sends, and what it leaves."""
    plan = plan_refresh(comparison)
    return Outlook(
        add=len(plan.to_add),
        fix=len(plan.updates),
        locked=comparison.locked_differences,
        unsupported=comparison.count(DiffStatus.UNSUPPORTED),
        no_description=sum(1 for s in plan.skipped if s.reason == NO_DESCRIPTION_REASON),
        only_on_project=comparison.count(DiffStatus.ONLY_ON_PROJECT),
        connector=comparison.connector,
    )


def _joined(parts: Sequence[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(parts) <= 1:
        return "".join(parts)
    return f"{', '.join(parts[:-1])} and {parts[-1]}"
