"""Keep Python's cyclic garbage collector from stalling the window.

A loaded company holds hundreds of thousands of small objects (codes, comparison rows). A full
collection walks all of them while holding the GIL, which froze the window for 50-120 ms at a
time during a refresh (benchmarks/gui.py). Once a load or refresh settles, the objects it left
behind are moved out of the collector's sight with gc.freeze(): they are plain data without
reference cycles, so reference counting still frees them when they are dropped.
"""

from __future__ import annotations

import gc


def settle() -> None:
    """Call when results have reached the models; cheap (it moves lists, it does not walk them)."""
    gc.freeze()
