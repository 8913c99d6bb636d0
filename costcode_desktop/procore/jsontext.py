"""The one way the client reads JSON text from the network (answers, error bodies, sign-in).

A hostile or broken server may send anything: text that is not JSON, bytes that are not UTF-8,
or JSON nested so deeply that the parser runs out of stack. The last raises RecursionError,
which is not a ValueError, so it would escape every `except ValueError` as a traceback; here
all three become one NotJson.
"""

from __future__ import annotations

import json
from typing import Any

TOO_DEEP = "it is nested too deeply to read"


class NotJson(ValueError):
    """The text is not JSON this application can read; str() says why, in a few words."""


def read_json(content: bytes | str) -> Any:
    """JSON text to Python values, or NotJson."""
    try:
        return json.loads(content)
    except RecursionError:
        raise NotJson(TOO_DEEP) from None
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError, too many digits
        raise NotJson(str(exc)) from None
