"""Benchmarks of the comparison core and of a full status read against the sandbox.

Targets: comparing a 20,000-code company list with a 20,000-code project under 50 ms; a status
of 200 projects x 1,000 codes making no more requests than the documented API requires.
Run: .venv/bin/python benchmarks/compare.py [--projects 200] [--codes 1000]
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from costcode_desktop.costcodes import (
    CompanyCodes,
    ProjectCode,
    StandardCode,
    compare,
    plan_refresh,
)
from costcode_desktop.costcodes.codes import natural_key
from costcode_desktop.procore import ClientCredentials, ProcoreClient
from costcode_desktop.sandbox import RateLimitConfig, SandboxServer
from costcode_desktop.sandbox.synthetic import company_seed, standard_codes
from costcode_desktop.services import check_projects, read_company_list

COMPANY_ID = 4264807
LIST_ID = 11


def standard_list(size: int) -> list[StandardCode]:
    codes: list[StandardCode] = []
    per_division = 499
    division = 0
    while len(codes) < size:
        division += 1
        div = StandardCode(
            len(codes) + 1, f"{division:02d}", f"{division:02d}", f"Div {division}", None
        )
        codes.append(div)
        for n in range(min(per_division, size - len(codes))):
            codes.append(
                StandardCode(
                    len(codes) + 1,
                    f"{division:02d}-{n:03d}",
                    f"{n:03d}",
                    f"Code {division}.{n}",
                    div.id,
                )
            )
    random.Random(1).shuffle(codes)  # Procore returns them in no useful order
    return codes


def project_list(standard: list[StandardCode], size: int) -> list[ProjectCode]:
    rng = random.Random(2)
    project = [
        ProjectCode(
            10**12 + s.id,
            s.full_code,
            s.code,
            s.name if rng.random() > 0.05 else s.name + " (edited)",
            None,
            s.id,
        )
        for s in standard
        if rng.random() > 0.05
    ]
    extra = size - len(project)
    project += [
        ProjectCode(2 * 10**12 + k, f"99-{k:04d}", f"{k:04d}", "Extra", None, None)
        for k in range(extra)
    ]
    return project[:size]


def timed(fn: Callable[[], Any], runs: int, reset: Callable[[], None] | None = None) -> list[float]:
    times = []
    for _ in range(runs):
        if reset:
            reset()
        gc.collect()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float], target: float | None = None) -> None:
    median = statistics.median(times)
    verdict = ""
    if target is not None:
        verdict = f"  target < {target:.0f} ms: {'met' if median < target else 'MISSED'}"
    print(f"  {label:<46} median {median:7.1f} ms  min {min(times):7.1f} ms{verdict}")


def bench_compare(size: int, runs: int) -> None:
    standard = standard_list(size)
    project = project_list(standard, size)
    print(f"Comparison: {len(standard):,} company x {len(project):,} project codes ({runs} runs)")
    prepared = CompanyCodes(standard)
    result = compare(prepared, project)
    print("  rows:", len(result.rows), {s.value: n for s, n in result.counts.items()})
    report(
        "compare one project (company list prepared)",
        timed(lambda: compare(prepared, project), runs),
        50,
    )
    report(
        "cold: prepare company list + compare",
        timed(lambda: compare(standard, project), runs, natural_key.cache_clear),
        50,
    )
    report(
        "prepare company list only (once per company)",
        timed(lambda: CompanyCodes(standard), runs, natural_key.cache_clear),
    )
    report("plan a refresh from the comparison", timed(lambda: plan_refresh(result), runs))


def status_seed(projects: int, codes: int) -> dict[str, Any]:
    standard = standard_codes(codes)
    rng = random.Random(3)
    project_entries = []
    for p in range(projects):
        drop = set(rng.sample(range(len(standard)), k=rng.choice([0, 0, 2, 5])))
        kept = [dict(c) for i, c in enumerate(standard) if i not in drop or "parent" not in c]
        project_entries.append(
            {
                "id": 562949953421312 + p,
                "name": f"Project {p:03d}",
                "project_number": f"25-{p:03d}",
                "active": True,
                "is_erp_integrated": True,
                "standard_cost_code_list_id": LIST_ID,
                "cost_codes": kept,
            }
        )
    return company_seed(
        company=(COMPANY_ID, "Bench Builders"),
        list_id=LIST_ID,
        codes=standard,
        projects=project_entries,
        app=("bench", "bench-secret"),
        user={"id": 1, "login": "bench@example.com", "name": "Bench", "project_admin": "all"},
    )


def bench_status(projects: int, codes: int) -> None:
    print(f"Status of {projects} projects x {codes:,} codes against the sandbox on loopback")
    seed = status_seed(projects, codes)
    start = time.perf_counter()
    # Unlimited: this measures the work of a status; benchmarks/requests.py measures the limits.
    server = SandboxServer(seed, rate_limits=RateLimitConfig(hourly=0, spike=0)).start()
    print(f"  sandbox seeded and started in {time.perf_counter() - start:.1f} s")
    try:
        tokens = ClientCredentials(server.url, server.client_id, server.client_secret)
        with ProcoreClient(server.url, tokens) as client:
            start = time.perf_counter()
            company_list = read_company_list(client, COMPANY_ID)
            listed = client.projects(COMPANY_ID, status="All")
            statuses = list(check_projects(client, company_list, listed))
            elapsed = time.perf_counter() - start
            made = client.request_count
    finally:
        server.stop()
    out_of_date = sum(1 for s in statuses if s.comparison is not None and not s.comparison.in_sync)
    code_pages = -(-codes // 1000)
    minimum = 1 + code_pages + -(-projects // 300) + projects * (1 + code_pages)
    print(
        f"  {len(statuses)} projects checked, {out_of_date} out of date, in {elapsed:.1f} s "
        f"({elapsed / max(1, projects) * 1000:.0f} ms per project)"
    )
    print(
        f"  API requests made: {made} (+ {tokens.fetch_count} token request); minimum with the "
        f"documented API: {minimum} (lists 1, company codes {code_pages}, project pages "
        f"{-(-projects // 300)}, per project 1 detail + {code_pages} code page)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--projects", type=int, default=200)
    parser.add_argument("--codes", type=int, default=1000)
    args = parser.parse_args(argv)
    bench_compare(args.size, args.runs)
    bench_status(args.projects, args.codes)
    return 0


if __name__ == "__main__":
    sys.exit(main())
