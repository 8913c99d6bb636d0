"""Custom item data roles shared by models, views and tests."""

from __future__ import annotations

from PySide6.QtCore import Qt

_BASE = int(Qt.ItemDataRole.UserRole)

SORT_ROLE = _BASE + 1  # native value to sort on (numbers as numbers, dates as timestamps)
PROJECT_ID_ROLE = _BASE + 2
STATE_ROLE = _BASE + 3  # ProjectState, or None while checking
DIFF_STATUS_ROLE = _BASE + 4  # DiffStatus of a comparison row
ROW_ROLE = _BASE + 5  # the ComparisonRow itself
WORD_DIFF_ROLE = _BASE + 6  # [(text, changed)] spans of a differing description
LOCKED_ROLE = _BASE + 7  # the project code is owned by the ERP connector
TARGET_KEY_ROLE = _BASE + 8  # a row's project id, or (project id, sub job id) for a sub job
