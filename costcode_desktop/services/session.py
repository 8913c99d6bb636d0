"""A signed-in connection to one Procore company: what the GUI and CLI work through."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any

from costcode_desktop.procore import (
    CancelToken,
    ClientCredentials,
    Environment,
    ProcoreClient,
    TokenSource,
    custom_environment,
)
from costcode_desktop.procore.records import Company, User
from costcode_desktop.services import paths


@dataclass
class Session:
    environment: Environment
    client: ProcoreClient
    user: User
    company: Company  # the one the window shows; switching company changes only this
    companies: list[Company]
    tokens: TokenSource | None = field(default=None, repr=False)
    _owned: list[Any] = field(default_factory=list, repr=False)  # things to stop on close

    def close(self) -> None:
        self.client.close()
        for thing in reversed(self._owned):
            with contextlib.suppress(Exception):
                stop = getattr(thing, "stop", None) or thing.close
                stop()
        self._owned.clear()

    @property
    def signed_in_text(self) -> str:
        return f"{self.user.name} · {self.company.name} · {self.environment.label}"


def open_demo_session(*, reset: bool = False, cancel: CancelToken | None = None) -> Session:
    """Start the built-in sandbox in this process and sign in to its demo company.

    Its state lives in the user data folder, so refreshes made in the demo are still there the
    next time; `reset` starts from the seed again.
    """
    from costcode_desktop.sandbox import SandboxServer, demo_seed

    seed = demo_seed()
    server = SandboxServer(seed, db_path=paths.demo_database(), reset=reset).start()
    try:
        environment = custom_environment(server.url, server.url, key="demo", label="Demo")
        tokens = ClientCredentials(environment.login_url, server.client_id, server.client_secret)
        client = ProcoreClient(environment.api_url, tokens)
        user = client.me(cancel=cancel)
        companies = client.companies(cancel=cancel)
        wanted = int(seed["companies"][0]["id"])
        company = next((c for c in companies if c.id == wanted), companies[0])
    except BaseException:
        server.stop()
        raise
    return Session(environment, client, user, company, companies, tokens, [tokens, server])
