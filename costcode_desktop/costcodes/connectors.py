"""Each ERP connector's rules for the codes Procore takes from it, and which connector a list is.

One table, so that a rule changes in one place. The sources behind every rule are listed in
docs/procore-api.md ("ERP connectors and their code rules"); where no source states a rule for a
connector, that connector gets the common rule (what every connector accepts), never a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from .codes import StandardCode
from .text import quoted

UNKNOWN = "unknown"
AUTO = "auto"  # the setting's value for "tell from the company's ERP list's name"


@dataclass(frozen=True)
class Connector:
    """What one ERP connector accepts in a cost code, and how a Procore list names it."""

    key: str
    name: str  # as the user reads it: "Sage 300 CRE"
    delimiters: str  # allowed between sections
    max_lengths: tuple[int, ...] = ()  # the usual limit first, the largest is the hard one
    needs_delimiter: bool = False  # a code with no children has at least one delimiter
    one_delimiter_type: bool = False  # the whole list uses one kind of delimiter
    parent_chain_required: bool = False  # every code but a division hangs under a parent
    unique_names: bool = False  # no two codes share a description (case does not count)
    has_cost_types: bool = True
    # False: no source gives this connector's delimiters, so the common ones apply, said so.
    delimiters_sourced: bool = True
    name_words: tuple[str, ...] = ()  # words in the ERP list's name that mean this connector

    @property
    def known(self) -> bool:
        return self.key != UNKNOWN

    @property
    def system(self) -> str:
        """The accounting system in a sentence: 'Sage 300 CRE', or 'your ERP system'."""
        return self.name if self.known else "your ERP system"

    @property
    def connector_words(self) -> str:
        """'the Sage 300 CRE connector', or 'the ERP connector'."""
        return f"the {self.name} connector" if self.known else "the ERP connector"

    @property
    def rules_words(self) -> str:
        """One line on which rules the app applies: for the comparison's header and the CLI."""
        rules = [f"{self.delimiter_words} between sections"]
        if self.length_words:
            rules.append(f"at most {self.length_words}")
        if self.needs_delimiter:
            rules.append("a delimiter in every code that is not a parent")
        if self.one_delimiter_type:
            rules.append("one delimiter type throughout")
        if self.parent_chain_required:
            rules.append("every code under its parent")
        if self.unique_names:
            rules.append("unique descriptions")
        listed = ", ".join(rules)
        if not self.known:
            return f"Unknown ERP connector: common rules applied ({listed})"
        return f"{self.name} code rules: {listed}"

    @property
    def subject(self) -> str:
        """Who a message says makes the rule: the connector, or the common rules."""
        return self.name if self.known else "the common rules (ERP connector unknown)"

    def verb(self, word: str) -> str:
        return word + "s" if self.known else word

    @property
    def max_length(self) -> int | None:
        return max(self.max_lengths) if self.max_lengths else None

    @property
    def delimiter_words(self) -> str:
        """'only / - and .' or 'only -', for messages."""
        shown = list(self.delimiters)
        if len(shown) == 1:
            return f"only {shown[0]}"
        return f"only {' '.join(shown[:-1])} and {shown[-1]}"

    @property
    def length_words(self) -> str:
        """'12 characters (15 in free-form format)'; empty without a limit."""
        if not self.max_lengths:
            return ""
        first, *more = self.max_lengths
        extra = f" ({more[0]} in free-form format)" if more else ""
        return f"{first} characters{extra}"

    @cached_property
    def _valid(self) -> re.Pattern[str]:
        separators = re.escape(self.delimiters)
        return re.compile(rf"[A-Za-z0-9]+(?:[{separators}][A-Za-z0-9]+)*")

    def code_problem(self, full_code: str) -> str | None:
        """Why this connector cannot carry the code on its own, or None when it can."""
        problem = self._shape_problem(full_code)
        if problem is not None:
            return problem
        limit = self.max_length
        if limit is not None and len(full_code) > limit:
            return (
                f"The code has {len(full_code)} characters; {self.subject} "
                f"{self.verb('allow')} at most {self.length_words}."
            )
        return None

    def _shape_problem(self, full_code: str) -> str | None:
        if self._valid.fullmatch(full_code):
            return None
        if not full_code.strip():
            return "The code is empty."
        if full_code != full_code.strip():
            return "The code has spaces at the start or end."
        allowed = f"{self.subject} {self.verb('allow')} {self.delimiter_words}"
        if not self.delimiters_sourced:
            allowed = (
                f"the common rules allow {self.delimiter_words} (no source gives {self.name}'s)"
            )
        for char in full_code:
            if char in self.delimiters or (char.isascii() and char.isalnum()):
                continue
            if char.isspace():
                return f"The code uses a space as a separator; {allowed}"
            if char.isalnum():
                who = f"{self.subject} {self.verb('allow')}"
                return f"The code contains '{char}'; {who} only A-Z and 0-9."
            return f"The code uses '{char}' as a separator; {allowed}"
        return "The code has an empty section (two separators together, or one at an end)."

    def delimiters_in(self, full_code: str) -> set[str]:
        return {char for char in full_code if char in self.delimiters}


# What every connector below accepts: `-` between sections (the one delimiter every sourced
# connector allows) and at most 12 characters (Sage 300 CRE's usual limit, the shortest
# found). A connector whose length no source gives has no length rule; one whose delimiters no
# source gives gets these, and its messages say so.
COMMON = Connector(UNKNOWN, "Unknown ERP connector", "-", (12,))

CONNECTORS: tuple[Connector, ...] = (
    Connector("sage300", "Sage 300 CRE", "/-.", (12, 15), name_words=("sage 300",)),
    Connector("sage100", "Sage 100 Contractor", "/-.", name_words=("sage 100",)),
    Connector("acumatica", "Acumatica", "-", name_words=("acumatica",)),
    Connector("cmic", "CMiC", "-", name_words=("cmic",)),
    Connector(
        "intacct",
        "Sage Intacct",
        "-.",
        needs_delimiter=True,
        one_delimiter_type=True,
        parent_chain_required=True,
        unique_names=True,
        name_words=("intacct",),
    ),
    Connector(
        "quickbooks_desktop",
        "QuickBooks Desktop",
        COMMON.delimiters,
        (96,),
        has_cost_types=False,
        delimiters_sourced=False,
        name_words=("quickbooks desktop", "quickbooks"),
    ),
    Connector(
        "quickbooks_online",
        "QuickBooks Online",
        COMMON.delimiters,
        needs_delimiter=True,
        has_cost_types=False,
        delimiters_sourced=False,
        name_words=("quickbooks online", "qbo"),
    ),
    Connector(
        "spectrum",
        "Viewpoint Spectrum",
        COMMON.delimiters,
        name_words=("spectrum",),
        delimiters_sourced=False,
    ),
    Connector(
        "vista",
        "Viewpoint Vista",
        COMMON.delimiters,
        name_words=("vista", "ryvit"),
        delimiters_sourced=False,
    ),
)
SAGE_300 = CONNECTORS[0]
_BY_KEY = {connector.key: connector for connector in (*CONNECTORS, COMMON)}
CHOICES: tuple[str, ...] = (AUTO, *(connector.key for connector in CONNECTORS))


def connector_by_key(key: str) -> Connector:
    """The connector a setting names; the common rules for a key no connector has."""
    return _BY_KEY.get(key, COMMON)


def detect(list_name: str) -> Connector:
    """The connector an ERP list's name says ('Sage 300 CRE Standard Cost Code List'), the
    longest matching words winning ('QuickBooks Online' over 'QuickBooks'); COMMON if none."""
    name = " ".join(list_name.casefold().split())
    best: tuple[int, Connector] = (0, COMMON)
    for connector in CONNECTORS:
        for words in connector.name_words:
            if len(words) > best[0] and re.search(rf"\b{re.escape(words)}\b", name):
                best = (len(words), connector)
    return best[1]


def choose(setting: str, list_name: str) -> Connector:
    """The user's or IT's choice, or, set to 'auto' (or to nothing this app knows), the list's."""
    if setting in _BY_KEY and setting != UNKNOWN:
        return _BY_KEY[setting]
    return detect(list_name)


def choice_label(key: str) -> str:
    """How the settings dialog names a choice."""
    if key == AUTO:
        return "From the company's ERP list"
    return connector_by_key(key).name


def code_problem(full_code: str, connector: Connector) -> str | None:
    """Why the connector cannot carry this code on its own, or None when it can."""
    return connector.code_problem(full_code)


def list_problems(codes: Sequence[StandardCode], connector: Connector) -> dict[int, str]:
    """Each code's own problem under the connector: its own shape and length, then the rules
    that look at the whole list (Sage Intacct's). A code's first problem is the one given."""
    problems: dict[int, str] = {}
    for code in codes:
        problem = connector.code_problem(code.full_code)
        if problem is not None:
            problems[code.id] = problem
    for rule in _LIST_RULES:
        for code_id, problem in rule(codes, connector).items():
            problems.setdefault(code_id, problem)
    return problems


def _flat_leaves(codes: Sequence[StandardCode], connector: Connector) -> dict[int, str]:
    """A code without a delimiter is refused unless it is a parent (Intacct: '01' for 01-123)."""
    if not connector.needs_delimiter:
        return {}
    parents = {code.parent_id for code in codes}
    return {
        code.id: f"The code has no delimiter; {connector.name} needs at least one "
        f"({connector.delimiter_words}) in every code that is not a parent."
        for code in codes
        if code.id not in parents and not connector.delimiters_in(code.full_code)
    }


def _mixed_delimiters(codes: Sequence[StandardCode], connector: Connector) -> dict[int, str]:
    """The list's own delimiter is the one most of its codes use; a code using another is out."""
    if not connector.one_delimiter_type:
        return {}
    used = Counter(char for code in codes for char in connector.delimiters_in(code.full_code))
    if len(used) < 2:
        return {}
    main = max(sorted(used), key=lambda char: used[char])
    return {
        code.id: f"The code uses '{other}' where the list uses '{main}'; {connector.name} needs "
        "one delimiter type throughout the list."
        for code in codes
        for other in sorted(connector.delimiters_in(code.full_code) - {main})[:1]
    }


def _orphans(codes: Sequence[StandardCode], connector: Connector) -> dict[int, str]:
    """A code at the top of the list must be a division: its sections after the first all
    zeros (01-00-000), or none (01). Another there breaks the parent chain. (A parent id missing
    from the list is every connector's problem: see compare._walk_tree.)"""
    if not connector.parent_chain_required:
        return {}
    return {
        code.id: f"The code has no parent code on the list; {connector.name} needs every "
        "code under its parent (01-04-100 under 01-04-000, under 01-00-000)."
        for code in codes
        if code.parent_id is None and not _is_division(code.full_code, connector)
    }


def _is_division(full_code: str, connector: Connector) -> bool:
    sections = re.split(f"[{re.escape(connector.delimiters)}]", full_code)
    return all(not section.strip("0") for section in sections[1:])


def _repeated_names(codes: Sequence[StandardCode], connector: Connector) -> dict[int, str]:
    """Names that differ only in capitals are the same name."""
    if not connector.unique_names:
        return {}
    counts = Counter(code.name.casefold() for code in codes)
    return {
        code.id: f"Another code on the list has the description {quoted(code.name)}; "
        f"{connector.name} needs every description to be unique (capitals do not count)."
        for code in codes
        if counts[code.name.casefold()] > 1
    }


_LIST_RULES = (_flat_leaves, _mixed_delimiters, _orphans, _repeated_names)
