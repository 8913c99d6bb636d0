"""A comparison read back from the cache: its counts at once, its rows when first asked for.

Starting the window on 300 cached projects needs their counts for the projects list, not their
1,000 rows each: decoding and comparing every project would take about half a second before
anything could be shown. So the rows are worked out (about 2 ms for 1,000 codes) the first
time someone looks at them: the comparison pane, an export, a refresh's preview.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from costcode_desktop.costcodes import CompanyCodes, Comparison, ComparisonRow, DiffStatus, compare

from .codec import codes_from

log = logging.getLogger(__name__)


class SavedComparison(Comparison):
    """A `Comparison` whose rows come from the cached project codes, on first use.

    The counts were stored with the codes when the project was checked against this same
    company list (the cache recomputes them when the list has changed since), so counts and
    rows agree.
    """

    def __init__(
        self,
        company: CompanyCodes,
        codes: bytes,
        counts: Mapping[DiffStatus, int],
        locked_differences: int,
    ) -> None:
        # A frozen dataclass: fields are set the way its own __init__ sets them.
        object.__setattr__(self, "counts", dict(counts))
        object.__setattr__(self, "standard_by_id", company.by_id)
        object.__setattr__(self, "locked_differences", locked_differences)
        object.__setattr__(self, "connector", company.connector)
        object.__setattr__(self, "_company", company)
        object.__setattr__(self, "_codes", codes)
        object.__setattr__(self, "_rows", None)
        object.__setattr__(self, "_lock", threading.Lock())

    @property
    def rows(self) -> tuple[ComparisonRow, ...]:
        rows: tuple[ComparisonRow, ...] | None = self.__dict__["_rows"]
        if rows is None:
            with self.__dict__["_lock"]:  # the GUI and a worker may ask at the same time
                rows = self.__dict__["_rows"]
                if rows is None:
                    rows = self._work_out()
                    object.__setattr__(self, "_rows", rows)
                    object.__setattr__(self, "_codes", b"")
        return rows

    def _work_out(self) -> tuple[ComparisonRow, ...]:
        try:
            codes = codes_from(self.__dict__["_codes"])
        except (ValueError, TypeError):  # codec.unpacked turns zlib's and JSON's errors to these
            log.warning("a cached project's codes could not be read; showing none", exc_info=True)
            return ()
        return compare(self.__dict__["_company"], codes).rows


def saved_counts(company: CompanyCodes, codes: bytes) -> tuple[dict[DiffStatus, int], int]:
    """Counts worked out again from the codes: for a project checked against an older list."""
    comparison = compare(company, codes_from(codes))
    return dict(comparison.counts), comparison.locked_differences
