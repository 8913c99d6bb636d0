"""Benchmark: refresh 300 out-of-date projects x 1,000 codes at once, as the CLI and window do.

Measures, against a sandbox in its own process with 50 ms added to every API answer:
- wall time of the refresh at concurrency 1, 3 and 6 (no quota, so only latency and work count);
- API requests per project against the least the documented API allows for what each project
  needs (see `minimum_requests`);
- 429 answers with pacing on and off under a realistic quota (100 per 10 s, 3,600 per hour), and
  how long pacing held requests back;
- peak memory of the refreshing process (getrusage max RSS per run; tracemalloc peak in a run
  of its own, since tracing slows everything down).

Each configuration runs in a fresh child process (clean peak memory) against a fresh sandbox
(every project out of date again). It takes ten minutes or so with the quota runs.
Run: .venv/bin/python benchmarks/bulk.py [--projects 300] [--codes 1000] [--skip-quota]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from costcode_desktop.procore import ClientCredentials, ProcoreClient, custom_environment
from costcode_desktop.sandbox.synthetic import company_seed, project_copy, standard_codes
from costcode_desktop.services import read_company_list
from costcode_desktop.services.bulk import refresh_many
from costcode_desktop.services.history.store import HistoryStore
from costcode_desktop.services.session import Session

COMPANY_ID = 4264807
LIST_ID = 11
FIRST_PROJECT = 562949953500000
CLIENT_ID, CLIENT_SECRET = "bench", "bench-secret"
PAGE = 1000  # cost codes per page the client asks for (Procore allows up to 1,000 here)
SYNC_BATCH = 1000


def bulk_seed(projects: int, codes: int) -> tuple[dict[str, Any], list[tuple[int, int, int]]]:
    """Every project misses 1-5 company codes and has 1-3 edited descriptions.

    Returns the seed and, per project, (codes before, codes missing, descriptions drifted).
    """
    rng = random.Random(5)
    standard = standard_codes(codes)
    leaves = [i for i, c in enumerate(standard) if "parent" in c]
    entries, shape = [], []
    for p in range(projects):
        missing = set(rng.sample(leaves, k=rng.randint(1, 5)))
        drifted = set(rng.sample([i for i in leaves if i not in missing], k=rng.randint(1, 3)))
        cost_codes = project_copy(standard, missing=missing, drifted=drifted)
        shape.append((len(cost_codes), len(missing), len(drifted)))
        entries.append(
            {
                "id": FIRST_PROJECT + p,
                "name": f"Project {p:03d}",
                "project_number": f"25-{p:03d}",
                "is_erp_integrated": True,
                "standard_cost_code_list_id": LIST_ID,
                "cost_codes": cost_codes,
            }
        )
    seed = company_seed(
        company=(COMPANY_ID, "Bench Builders"),
        list_id=LIST_ID,
        codes=standard,
        projects=entries,
        app=(CLIENT_ID, CLIENT_SECRET),
        user={"id": 1, "login": "bench@example.com", "name": "Bench"},
    )
    return seed, shape


def minimum_requests(before: int, missing: int, drifted: int) -> int:
    """The least a verified refresh of one project can send with the documented API.

    Project detail (ERP flag and list), its code pages, the permission manifest (so a project
    without Admin is refused before anything is sent), one copy_subset call for every missing
    code with its ancestors, the sync batches, and the read-back pages.
    """
    after = before + missing
    return (
        1
        + math.ceil(before / PAGE)
        + 1
        + (1 if missing else 0)
        + math.ceil(drifted / SYNC_BATCH)
        + math.ceil(after / PAGE)
    )


def start_sandbox(seed_file: Path, hourly: int, spike: int) -> tuple[subprocess.Popen[str], str]:
    """The sandbox in its own process, as Procore would be: its work must not count as ours."""
    server = subprocess.Popen(
        [sys.executable, "-m", "costcode_desktop.sandbox", "--seed", str(seed_file),
         "--latency", "0.05", "--hourly-limit", str(hourly), "--spike-limit", str(spike)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    assert server.stdout is not None
    url = server.stdout.readline().split()[-1]
    return server, url


def one_run(args: argparse.Namespace) -> dict[str, Any]:
    """One configuration, in this (child) process; prints its figures as JSON."""
    if args.tracemalloc:
        tracemalloc.start()
    server, url = start_sandbox(Path(args.seed_file), args.hourly, args.spike)
    try:
        tokens = ClientCredentials(url, CLIENT_ID, CLIENT_SECRET)
        with ProcoreClient(url, tokens, pacing=not args.no_pacing) as client:
            started = time.perf_counter()
            # A service account names its company on /me and /companies.
            user = client.me(company_id=COMPANY_ID)
            companies = client.companies(company_id=COMPANY_ID)
            environment = custom_environment(url, url, key="bench", label="Bench")
            session = Session(environment, client, user, companies[0], companies, tokens)
            company_list = read_company_list(client, COMPANY_ID)
            projects = client.projects(COMPANY_ID, status="Active")
            setup_requests = client.request_count
            refresh_started = time.perf_counter()
            with HistoryStore(Path(tempfile.mkdtemp()) / "history.sqlite3") as history:
                run = refresh_many(
                    session, company_list, projects, history=history, concurrency=args.concurrency
                )
            finished = time.perf_counter()
            figures = {
                "concurrency": args.concurrency,
                "pacing": not args.no_pacing,
                "projects": len(projects),
                "summary": run.summary(),
                "refreshed": len(run.refreshed),
                "failed": len(run.failed),
                "verified_in_sync": sum(1 for r in run.results if r.verified_in_sync),
                "setup_seconds": refresh_started - started,
                "refresh_seconds": finished - refresh_started,
                "setup_requests": setup_requests,
                "refresh_requests": client.request_count - setup_requests,
                "token_requests": tokens.fetch_count,
                "throttled": client.throttled_count,
                "paced_pauses": client.pacing_stats.pauses,
                "paced_seconds": client.pacing_stats.seconds,
                "max_rss_mb": _max_rss_mb(),
            }
            if args.tracemalloc:
                figures["tracemalloc_peak_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            return figures
    finally:
        server.terminate()
        server.wait(10)


def _max_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, else KiB


def child(seed_file: Path, concurrency: int, *extra: str) -> dict[str, Any]:
    command = [sys.executable, __file__, "--one", "--seed-file", str(seed_file),
               "--concurrency", str(concurrency), *extra]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark run failed:\n{done.stderr}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=300)
    parser.add_argument("--codes", type=int, default=1000)
    parser.add_argument("--skip-quota", action="store_true", help="skip the pacing on/off runs")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--seed-file", help=argparse.SUPPRESS)
    parser.add_argument("--concurrency", type=int, default=3, help=argparse.SUPPRESS)
    parser.add_argument("--hourly", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--spike", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--no-pacing", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(one_run(args)))
        return 0

    folder = Path(tempfile.mkdtemp())
    seed, shape = bulk_seed(args.projects, args.codes)
    seed_file = folder / "seed.json"
    seed_file.write_text(json.dumps(seed))
    minimum = sum(minimum_requests(*s) for s in shape)
    print(
        f"Bulk refresh of {args.projects} out-of-date projects x {args.codes:,} codes "
        f"(1-5 missing, 1-3 drifted each), sandbox in its own process, 50 ms latency"
    )
    print(
        f"  least possible: {minimum} requests, {minimum / args.projects:.2f} per project "
        "(detail + code page + permission manifest + copy + sync + read-back page)"
    )

    print("Wall time of the refresh (no quota):")
    base = None
    for concurrency in (1, 3, 6):
        f = child(seed_file, concurrency)
        base = base or f["refresh_seconds"]
        per = f["refresh_requests"] / f["projects"]
        print(
            f"  concurrency {concurrency}: {f['refresh_seconds']:6.1f} s "
            f"(x{base / f['refresh_seconds']:.1f}), {f['refreshed']} refreshed, "
            f"{f['verified_in_sync']} verified in sync, {f['failed']} failed; "
            f"{f['refresh_requests']} requests = {per:.2f} per project "
            f"(+{f['setup_requests']} to read the company list and projects, "
            f"{f['token_requests']} token); max RSS {f['max_rss_mb']:.0f} MB"
        )

    f = child(seed_file, 3, "--tracemalloc")
    print(
        f"Peak memory at concurrency 3 (traced run): tracemalloc peak "
        f"{f['tracemalloc_peak_mb']:.0f} MB, max RSS {f['max_rss_mb']:.0f} MB"
    )

    if not args.skip_quota:
        print(
            "Quota 100 per 10 s and 3,600 per hour, concurrency 3 (the whole run needs "
            f"about {minimum + 6} requests: it fits in the hourly quota, and the 10-second "
            "quota sets the pace):"
        )
        for pacing in (True, False):
            extra = ["--hourly", "3600", "--spike", "100"] + ([] if pacing else ["--no-pacing"])
            f = child(seed_file, 3, *extra)
            print(
                f"  pacing {'on ' if pacing else 'off'}: {f['refresh_seconds']:6.1f} s, "
                f"{f['throttled']} answers 429, pacing held requests back {f['paced_pauses']} "
                f"times ({f['paced_seconds']:.0f} s summed over threads); "
                f"{f['refreshed']} refreshed, {f['failed']} failed; "
                f"{f['refresh_requests']} requests"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
