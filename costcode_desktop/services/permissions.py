"""Whether the user may change a project's cost codes: asked of Procore once per project.

The permission manifest costs one request a project. A session keeps the answers, so the bulk
preview, a dry run and the real run that follows ask once between them; checks of one project
from several threads at once wait for the first instead of asking again. A write refused with
403 afterwards corrects a kept "yes". Reloading the company forgets the kept refusals (not the
grants), so Admin given meanwhile is seen after a Reload without signing in again.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the client brings httpx, which a first paint does without
    from costcode_desktop.procore import CancelToken, ProcoreClient

Key = tuple[int, int]  # (company id, project id)


class PermissionCache:
    """Thread-safe answers of `can_manage_cost_codes`: True, False, or None (Procore won't say)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[Key, bool | None] = {}
        self._asking: dict[Key, threading.Event] = {}
        self.requests = 0  # manifests asked for, for tests and the log

    def known(self, company_id: int, project_id: int) -> bool:
        with self._lock:
            return (company_id, project_id) in self._answers

    def answer(self, company_id: int, project_id: int) -> bool | None:
        """The kept answer; None also when nothing is kept (see `known`)."""
        with self._lock:
            return self._answers.get((company_id, project_id))

    def check(
        self,
        client: ProcoreClient,
        company_id: int,
        project_id: int,
        *,
        cancel: CancelToken | None = None,
    ) -> bool | None:
        """The kept answer, or Procore's (asked once, whoever else is asking at the same time)."""
        key = (company_id, project_id)
        while True:
            with self._lock:
                if key in self._answers:
                    return self._answers[key]
                asking = self._asking.get(key)
                if asking is None:
                    asking = self._asking[key] = threading.Event()
                    break
            asking.wait()  # another thread is asking; its answer (or its failure) ends this
        try:
            allowed = client.can_manage_cost_codes(company_id, project_id, cancel=cancel)
            with self._lock:
                self.requests += 1
                self._answers[key] = allowed
            return allowed
        finally:
            with self._lock:
                del self._asking[key]
            asking.set()

    def refused(self, company_id: int, project_id: int) -> None:
        """Procore refused a write (403): keep "no" whatever the manifest said."""
        with self._lock:
            self._answers[(company_id, project_id)] = False

    def forget_refusals(self, company_id: int, project_ids: Iterable[int] | None = None) -> None:
        """Ask again about projects refused so far (all of the company's, or those listed)."""
        wanted = None if project_ids is None else set(project_ids)
        with self._lock:
            for key, allowed in list(self._answers.items()):
                if (
                    key[0] == company_id
                    and allowed is False
                    and (wanted is None or key[1] in wanted)
                ):
                    del self._answers[key]
