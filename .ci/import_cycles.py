"""Fail when modules of costcode_desktop import each other in a cycle.

    .venv/bin/python .ci/import_cycles.py [PACKAGE]

lint-imports' `acyclic_siblings` contract (pyproject.toml) compares sibling *packages* and
leaves out a package's own `__init__`; this looks at single modules, with the same graph
(grimp, TYPE_CHECKING imports included). Each group of modules that reach one another is
printed with its imports (module and line) and one cycle through it; exit status 1 if any.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Iterator, Mapping
from pathlib import Path

import grimp

ROOT = Path(__file__).resolve().parent.parent
Graph = Mapping[str, frozenset[str]]


def import_graph(graph: grimp.ImportGraph) -> dict[str, frozenset[str]]:
    return {
        module: frozenset(graph.find_modules_directly_imported_by(module))
        for module in graph.modules
    }


def strongly_connected(edges: Graph) -> Iterator[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that can each reach the others."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    if len(group) > 1 or node in edges.get(node, ()):
                        yield sorted(group)


def shortest_cycle(start: str, group: set[str], edges: Graph) -> list[str]:
    """A shortest path from start back to start inside group (breadth first)."""
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for successor in sorted(edges[node] & group):
            if successor == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if successor not in came_from:
                came_from[successor] = node
                queue.append(successor)
    raise AssertionError(f"{start} is on no cycle")


def where(graph: grimp.ImportGraph, importer: str, imported: str) -> str:
    details = graph.get_import_details(importer=importer, imported=imported)
    lines = ", ".join(f"l.{detail['line_number']}" for detail in details)
    return f"{importer} -> {imported} ({lines})" if lines else f"{importer} -> {imported}"


def main(argv: list[str]) -> int:
    package = argv[0] if argv else "costcode_desktop"
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(package, cache_dir=None)
    edges = import_graph(graph)
    # Imports made only under `if TYPE_CHECKING:` are marked: they make no cycle at run time,
    # but are still a dependency in both directions.
    runtime = import_graph(
        grimp.build_graph(package, cache_dir=None, exclude_type_checking_imports=True)
    )
    groups = list(strongly_connected(edges))
    if not groups:
        print(f"No import cycles among the {len(edges)} modules of {package}.")
        return 0
    plural = "s" if len(groups) > 1 else ""
    print(f"Import cycles in {package}: {len(groups)} group{plural} of modules in a cycle.")
    for number, group in enumerate(groups, start=1):
        members = set(group)
        count = f"{len(group)} modules" if len(group) > 1 else "1 module"
        print(f"\n{number}. {count}: {', '.join(group)}")
        print("   imports inside the group (remove some to break the cycle):")
        for importer in group:
            for imported in sorted(edges[importer] & members):
                note = "" if imported in runtime[importer] else "  [TYPE_CHECKING only]"
                print(f"   - {where(graph, importer, imported)}{note}")
        print(f"   a cycle: {' -> '.join(shortest_cycle(group[0], members, edges))}")
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
