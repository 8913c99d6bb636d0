"""The domain: cost code records, validation, natural order, comparison and refresh plans.

What a refresh would do (plan, outlook) loads on first use (PEP 562): the window's first paint
compares nothing and plans nothing.
"""

from typing import TYPE_CHECKING

from costcode_desktop.lazy import lazy_names

from .codes import ProjectCode, StandardCode, natural_key
from .compare import CompanyCodes, Comparison, ComparisonRow, DiffStatus, compare
from .connectors import (
    AUTO,
    CHOICES,
    COMMON,
    CONNECTORS,
    SAGE_300,
    Connector,
    choose,
    code_problem,
    connector_by_key,
    detect,
)
from .cost_types import (
    CostType,
    codes_text,
    names_text,
    same_types,
)
from .words import plural

if TYPE_CHECKING:
    from .plan import (
        NO_DESCRIPTION_REASON,
        SYNC_BATCH_LIMIT,
        NameUpdate,
        RefreshPlan,
        SkippedCode,
        locked_reason,
        plan_refresh,
    )
    from .refresh_outlook import Outlook, outlook

_HOME = {  # name -> the module that defines it
    "Outlook": ".refresh_outlook",
    "outlook": ".refresh_outlook",
    "NO_DESCRIPTION_REASON": ".plan",
    "SYNC_BATCH_LIMIT": ".plan",
    "NameUpdate": ".plan",
    "RefreshPlan": ".plan",
    "SkippedCode": ".plan",
    "locked_reason": ".plan",
    "plan_refresh": ".plan",
}

__getattr__ = lazy_names(__name__, _HOME)

__all__ = [
    "AUTO",
    "CHOICES",
    "COMMON",
    "CONNECTORS",
    "NO_DESCRIPTION_REASON",
    "SAGE_300",
    "SYNC_BATCH_LIMIT",
    "CompanyCodes",
    "Comparison",
    "ComparisonRow",
    "Connector",
    "CostType",
    "DiffStatus",
    "NameUpdate",
    "Outlook",
    "ProjectCode",
    "RefreshPlan",
    "SkippedCode",
    "StandardCode",
    "choose",
    "code_problem",
    "codes_text",
    "compare",
    "connector_by_key",
    "detect",
    "locked_reason",
    "names_text",
    "natural_key",
    "outlook",
    "plan_refresh",
    "plural",
    "same_types",
]


def __dir__() -> list[str]:
    return sorted(__all__)
