"""What a check or a refresh acts on: a project's own cost code list, or one of its sub jobs'.

In Procore a Sage 300 CRE Extra is a sub job of the project with a cost code list of its own,
filled from the company list as the project's is (docs/procore-api.md, "Sub jobs"). A target's
key is the project's id for the project itself (as everywhere before sub jobs), and
(project id, sub job id) for a sub job, so maps keyed by project id keep working.
"""

from __future__ import annotations

from dataclasses import dataclass

from costcode_desktop.procore.records import Project, SubJob

TargetKey = int | tuple[int, int]


@dataclass(frozen=True)
class Target:
    project: Project
    sub_job: SubJob | None = None

    @property
    def key(self) -> TargetKey:
        return target_key(self.project, self.sub_job)

    @property
    def sub_job_id(self) -> int | None:
        return None if self.sub_job is None else self.sub_job.id

    @property
    def label(self) -> str:
        """'25-001 Name' for a project; '25-001 / E01 Extra name' for a sub job."""
        return target_label(self.project, self.sub_job)


def target_key(project: Project, sub_job: SubJob | None) -> TargetKey:
    return project.id if sub_job is None else (project.id, sub_job.id)


def target_label(project: Project, sub_job: SubJob | None) -> str:
    number = (project.project_number or "").strip()
    if sub_job is None:
        return f"{number} {project.name}".strip()
    return f"{number or project.name} / {sub_job.code} {sub_job.name}".strip()


def as_target(item: Project | Target) -> Target:
    return item if isinstance(item, Target) else Target(item)
