"""The one way the application reads JSON text: Procore's answers, error bodies and sign-in,
and (through services) the settings file and the cache.

A hostile or broken server or file may hold anything: text that is not JSON, bytes that are not
UTF-8, numbers of more digits than Python converts, or JSON nested so deeply that the parser
runs out of stack. The last raises RecursionError, which is not a ValueError, so it would escape
every `except ValueError` as a traceback; here all of them become one NotJson.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any


class NotJson(ValueError):
    """The text is not JSON this application can read; str() says why, in a few words."""


class TooDeep(NotJson):
    """JSON nested deeper than the parser's stack: a hostile or broken answer or file."""

    def __init__(self) -> None:
        super().__init__("it is nested too deeply to read")


def read_json(content: bytes | str, *, parse_constant: Callable[[str], Any] | None = None) -> Any:
    """JSON text (bytes must be UTF-8) to Python values, or NotJson. `parse_constant` is
    json.loads's: what NaN and Infinity become (it may raise to refuse them)."""
    try:
        return json.loads(content, parse_constant=parse_constant)
    except RecursionError:
        raise TooDeep() from None
    except json.JSONDecodeError as exc:
        raise NotJson(f"{exc.msg} at line {exc.lineno}, column {exc.colno}") from None
    except UnicodeDecodeError:
        raise NotJson("it is not UTF-8 text") from None
    except ValueError as exc:  # a number of more digits than Python converts
        raise NotJson(str(exc)) from None
