"""Procore's page sizes and batch limits: plain numbers the client and the request budget share
(without the client's import of httpx, which a first paint does without)."""

from __future__ import annotations

SYNC_BATCH_SIZE = 1000  # Procore's documented maximum for cost_codes/sync
PROJECTS_PAGE_SIZE = 300  # projects v1.1: "The max page size is 300 projects"
COST_CODES_PAGE_SIZE = 1000
SUB_JOBS_PAGE_SIZE = 1000  # not documented; pagination follows Procore's Total and Link anyway
COMPANIES_PAGE_SIZE = 100
