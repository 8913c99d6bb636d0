"""The one way the sandbox reads JSON text: request bodies, seed files and its own columns.

A client may send JSON nested so deeply that the parser runs out of stack: RecursionError,
which is not a ValueError and would drop the connection with a traceback. Here every way of
not being JSON is one NotJson, whose text says where and why. (The sandbox imports nothing else
of the package, so it has its own copy of this small guard.)
"""

from __future__ import annotations

import json
from typing import Any


class NotJson(ValueError):
    """Not JSON the sandbox can read; str() says why, and where when the parser knows."""


def read_json(content: bytes | str) -> Any:
    """JSON text (bytes must be UTF-8) to Python values, or NotJson."""
    try:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        return json.loads(text)
    except RecursionError:
        raise NotJson("it is nested too deeply to read") from None
    except UnicodeDecodeError:
        raise NotJson("it is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise NotJson(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except ValueError as exc:  # a number of more digits than Python converts
        raise NotJson(str(exc)) from None
