"""How the window shares its room between the projects and the comparison.

Side by side, the comparison gets what its columns need to show typical descriptions uncut
and the projects list the rest (it can be narrowed, or collapsed to the splitter's handle with
the View menu's command). Below STACK_BELOW the two are stacked, projects above, so neither is
squeezed out of the window; widened again, they go back side by side as they were.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QSplitter, QWidget

from costcode_desktop.ui.kit.sizing import font_scale, width_changed

STACK_BELOW = 1100  # design px of the panes' width: narrower, the projects go on top
PROJECTS_LEAST = 340  # design px: the projects' width by default when room is short
PROJECTS_MOST = 0.45  # of the width: the comparison always keeps most of it
STACKED_PROJECTS = 0.34  # of the height, stacked
CHOSEN = 4  # px: a width further than this from the default was chosen
WIDTH_KEY, COLLAPSED_KEY = "panes/projects_width", "panes/projects_collapsed"
# The comparison's wanted width when the window closed: its place takes it at the next start.
WANTED_WIDTH_KEY = "panes/comparison_wanted_width"


@runtime_checkable
class Comparison(Protocol):
    def wanted_width(self) -> int: ...


class PendingComparison(QWidget):
    """The comparison's empty place while a staged start builds it: it asks for the width the
    comparison wanted last time, so the split stays put when the comparison takes its place."""

    def __init__(self, wanted: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("pendingComparison")
        self._wanted = max(wanted, 0)

    def wanted_width(self) -> int:
        return self._wanted


class PaneSplit(QObject):
    """Owns the splitter's sizes and orientation; says when the projects are collapsed."""

    collapsed_changed = Signal(bool)

    def __init__(self, splitter: QSplitter, compare: Comparison) -> None:
        super().__init__(splitter)
        self.splitter = splitter
        self._compare = compare
        self._collapsed = False
        self._open_width = 0  # the projects' width side by side when last open (0: default)
        self._arranged = False
        splitter.setChildrenCollapsible(False)
        splitter.setCollapsible(0, True)  # the projects fold away; the comparison never does
        splitter.setStretchFactor(0, 0)  # a wider window widens the comparison
        splitter.setStretchFactor(1, 1)
        splitter.splitterMoved.connect(self._moved)
        handle = splitter.handle(1)
        if handle is not None:  # there once both panes are in
            handle.setToolTip("Drag to widen or narrow the projects list, or to fold it away")
        self._arrange_timer = QTimer(self)
        self._arrange_timer.setSingleShot(True)
        self._arrange_timer.setInterval(0)
        self._arrange_timer.timeout.connect(self._arrange)
        splitter.installEventFilter(self)

    # -- state -----------------------------------------------------------------------------

    @property
    def stacked(self) -> bool:
        return self.splitter.orientation() is Qt.Orientation.Vertical

    @property
    def collapsed(self) -> bool:
        return self._collapsed

    def set_collapsed(self, collapsed: bool) -> None:
        if collapsed == self._collapsed:
            return
        self._collapsed = collapsed
        self._apply()
        self.collapsed_changed.emit(collapsed)

    def replace_comparison(self, compare: QWidget) -> None:
        """The comparison takes its place's room, then the split follows what it wants."""
        assert isinstance(compare, Comparison)
        old = self.splitter.replaceWidget(1, compare)
        self._compare = compare
        # The stretch is the widget's own (its size policy): the comparison takes it over.
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        if old is not None:
            old.deleteLater()
        self.refit()

    def refit(self) -> None:
        """The comparison wants another width (its columns were fitted to another project):
        side by side at the default width, share the room again; a width the user chose
        stays."""
        if not self.stacked and not self._collapsed and not self._open_width:
            self._apply()

    def restore(self, settings: QSettings) -> None:
        width = settings.value(WIDTH_KEY, 0, int)
        self._open_width = width if isinstance(width, int) and width > 0 else 0
        self.set_collapsed(bool(settings.value(COLLAPSED_KEY, False, bool)))
        if self._arranged:
            self._apply()

    def save(self, settings: QSettings) -> None:
        """The projects' width if someone chose one (a drag, or sizes set in code), so a width
        that merely followed the window keeps following it at the next start."""
        if self._arranged and not self.stacked and not self._collapsed:
            width, total = self.splitter.sizes()[0], sum(self.splitter.sizes())
            chosen = abs(width - self._default_width(total)) > CHOSEN
            self._open_width = width if chosen else 0
        settings.setValue(WIDTH_KEY, self._open_width)
        settings.setValue(COLLAPSED_KEY, self._collapsed)

    # -- layout ----------------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        # Only a new width matters (a banner shown above changes the height alone, and the
        # splitter then keeps the sizes it has: re-applying them would relayout both panes).
        # After the splitter has handled the resize itself: sizes set while it is still to
        # lay out for its new width would be redistributed by it (projects 393 px, not 340).
        if watched is self.splitter and width_changed(event):
            self._arrange_timer.start()
        return super().eventFilter(watched, event)

    def _arrange(self) -> None:
        """Stack or not for the width there is. Side by side the projects keep their width
        (the user's, or the default for this width) and the comparison takes the change;
        stacked, Qt shares a new height by the stretch factors."""
        splitter = self.splitter
        stack = splitter.width() < round(STACK_BELOW * font_scale(splitter))
        if self._arranged and stack and self.stacked:
            return
        self._arranged = True
        splitter.setOrientation(Qt.Orientation.Vertical if stack else Qt.Orientation.Horizontal)
        self._apply()

    def _apply(self) -> None:
        splitter = self.splitter
        total = max(splitter.width() if not self.stacked else splitter.height(), 1)
        if self._collapsed:
            splitter.setSizes([0, total])
        elif self.stacked:
            projects = round(total * STACKED_PROJECTS)
            splitter.setSizes([projects, total - projects])
        else:
            projects = self._side_width(total)
            splitter.setSizes([projects, total - projects])

    def _side_width(self, total: int) -> int:
        """The width the user chose, as far as it leaves the comparison most of the room."""
        if self._open_width:
            return min(self._open_width, self._most(total))
        return self._default_width(total)

    def _default_width(self, total: int) -> int:
        """What the comparison's columns do not need, between PROJECTS_LEAST and PROJECTS_MOST."""
        least = round(PROJECTS_LEAST * font_scale(self.splitter))
        return max(least, min(self._most(total), total - self._compare.wanted_width()))

    def _most(self, total: int) -> int:
        least = round(PROJECTS_LEAST * font_scale(self.splitter))
        return max(least, round(total * PROJECTS_MOST))

    def _moved(self, _position: int, _index: int) -> None:
        """A drag of the handle: to the edge collapses the projects, away opens them; side by
        side, the width it leaves them is theirs from now on."""
        projects = self.splitter.sizes()[0]
        open_now = projects > 0
        if open_now and not self.stacked:
            self._open_width = projects
        if open_now == self._collapsed:
            self._collapsed = not open_now
            self.collapsed_changed.emit(self._collapsed)
