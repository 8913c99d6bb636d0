"""The refresh history: the SQLite store, the window's queries and the history exports."""

from .store import HistoryError, HistoryStore, open_history_or_none

__all__ = ["HistoryError", "HistoryStore", "open_history_or_none"]
