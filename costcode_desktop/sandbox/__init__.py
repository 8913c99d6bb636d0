"""A Procore-compatible HTTP server on loopback, for the demo and the tests.

Standard library only. See `seed.py` for the seed format and `faults.py` for fault injection.
"""

from __future__ import annotations

from .browser import SignInError
from .clock import SimulatedTime
from .demo import demo_seed
from .engine import RequestRecord
from .faults import FaultConfig
from .ratelimit import RateLimitConfig
from .seed import SeedError, load_seed
from .server import SandboxServer

__all__ = [
    "FaultConfig",
    "RateLimitConfig",
    "RequestRecord",
    "SandboxServer",
    "SeedError",
    "SignInError",
    "SimulatedTime",
    "demo_seed",
    "load_seed",
]
