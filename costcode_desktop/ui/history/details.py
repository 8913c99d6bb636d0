"""The lower two panes of the history window: the selected run's projects, then the code changes
of the selected project.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, QObject, Slot
from PySide6.QtWidgets import QWidget

from costcode_desktop.costcodes.words import plural
from costcode_desktop.services.history.query import project_matches
from costcode_desktop.services.history.store import RunDetails, RunStatus, RunSummary
from costcode_desktop.ui.history.models import (
    CHANGE_CODE,
    CHANGE_DESCRIPTION,
    CHANGE_KIND,
    CHANGE_REASON,
    PROJECT_MESSAGE,
    PROJECT_NAME,
    PROJECT_NUMBER,
    PROJECT_OUTCOME,
    ChangesModel,
    ProjectsInRunModel,
    run_look,
)
from costcode_desktop.ui.history.tables import (
    TablePane,
    history_table,
    select_row,
    set_column_widths,
    source_rows,
)
from costcode_desktop.ui.kit.when import locale_date_time

NO_RUN_TITLE = "Projects in the selected run"
NO_PROJECT_TITLE = "Code changes of the selected project"
SELECT_A_RUN = "Select a run to see what it did to each project."


class RunDetailsPanes(QObject):
    """Shows one run in two panes; the window places `projects_pane` and `changes_pane`."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.shown: RunDetails | None = None  # what the panes show
        self.projects_model = ProjectsInRunModel(parent)
        self.projects_view, self.projects_proxy = history_table(
            parent, "historyProjectsView", "Projects in the selected run", self.projects_model
        )
        counts = dict.fromkeys(range(PROJECT_OUTCOME + 1, PROJECT_MESSAGE), 64)
        set_column_widths(
            self.projects_view,
            {PROJECT_NUMBER: 84, PROJECT_NAME: 210, PROJECT_OUTCOME: 120, **counts},
        )
        self.projects_view.selectionModel().currentRowChanged.connect(self._project_selected)

        self.changes_model = ChangesModel(parent)
        self.changes_view, self.changes_proxy = history_table(
            parent, "historyChangesView", "Code changes of the selected project", self.changes_model
        )
        set_column_widths(
            self.changes_view,
            {CHANGE_KIND: 100, CHANGE_CODE: 96, CHANGE_DESCRIPTION: 400, CHANGE_REASON: 300},
        )

        self.projects_pane = TablePane(NO_RUN_TITLE, self.projects_view, parent)
        self.changes_pane = TablePane(NO_PROJECT_TITLE, self.changes_view, parent)
        self.run_heading = self.projects_pane.title  # says which run the projects belong to
        self.run_heading.setObjectName("historyRunHeading")
        self.projects_pane.show_message(SELECT_A_RUN)
        self.changes_pane.show_message("Select a project to see its code changes.")

    def show_heading(self, run: RunSummary) -> None:
        """Name the run and sum up what it did, above its projects."""
        look = run_look(run)
        when = locale_date_time(run.started_at)
        parts = [
            f"Run of {when} by {run.user}",
            look.label + (" (dry run)" if run.dry_run else ""),
            plural(run.projects, "project"),
            f"{run.added} added",
            f"{run.updated} updated",
        ]
        if run.skipped:
            parts.append(f"{run.skipped} skipped")
        if run.failed:
            parts.append(f"{run.failed} failed")
        self.run_heading.setText(" · ".join(parts))

    def show_loading(self) -> None:
        self.shown = None
        self.projects_model.clear()
        self.changes_model.clear()
        self.projects_pane.show_message("Loading…")
        self.changes_pane.show_message("")

    def show_details(self, details: RunDetails, words: Sequence[str]) -> None:
        """Show the run's projects, the first that matches the project filter `words` selected."""
        self.shown = details
        self.show_heading(details.run)
        self.projects_model.set_projects(details.projects)
        self.changes_model.clear()
        if details.projects:
            self.projects_pane.show_table()
            first = next(
                (p.project_id for p in details.projects if project_matches(p, words)),
                details.projects[0].project_id,
            )
            self.select_project(first)
        else:
            text = (
                "The run stopped before any project was recorded."
                if details.run.status is RunStatus.INTERRUPTED
                else "No project was recorded in this run."
            )
            self.projects_pane.show_message(text)
            self.changes_pane.title.setText(NO_PROJECT_TITLE)
            self.changes_pane.show_message("")

    def show_no_run(self) -> None:
        self.shown = None
        self.run_heading.setText(NO_RUN_TITLE)
        self.projects_model.clear()
        self.changes_model.clear()
        self.projects_pane.show_message(SELECT_A_RUN)
        self.changes_pane.title.setText(NO_PROJECT_TITLE)
        self.changes_pane.show_message("")

    def set_visible(self, visible: bool) -> None:
        """With no run listed, the sentence saying why gets the whole window."""
        self.projects_pane.setVisible(visible)
        self.changes_pane.setVisible(visible)

    def select_project(self, project_id: int) -> bool:
        """Select a project of the shown run; False when the run has no such project."""
        proxy = self.projects_proxy
        for row, source in enumerate(source_rows(proxy)):
            if self.projects_model.entry_at(source).project_id == project_id:
                select_row(self.projects_view, proxy.index(row, 0))
                return True
        return False

    @Slot(QModelIndex, QModelIndex)
    def _project_selected(self, current: QModelIndex, _previous: QModelIndex | None = None) -> None:
        if not current.isValid():
            return
        entry = self.projects_model.entry_at(self.projects_proxy.mapToSource(current).row())
        number = f"{entry.project_number} " if entry.project_number else ""
        self.changes_pane.title.setText(f"Code changes — {number}{entry.project_name}")
        self.changes_model.set_changes(entry.changes)
        if entry.changes:
            self.changes_pane.show_table()
        else:
            self.changes_pane.show_message("No code was added, updated, skipped or failed here.")
