"""How one project's refresh ended. Apart from the refresh itself: every start reads the
history's last refreshed times by it, and the refresh (the plan, the permissions) loads later."""

from __future__ import annotations

import enum


class RefreshOutcome(enum.Enum):
    REFRESHED = "refreshed"  # changes made and verified by reading the project again
    UNCHANGED = "unchanged"  # nothing to add or update (or a dry run)
    REFUSED = "refused"  # cannot be refreshed from the company list; nothing was sent
    FAILED = "failed"  # some change did not happen; see `failed` and `message`
