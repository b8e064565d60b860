"""`bshtrain export`: grades per trainee and criterion, as CSV for an LMS or a DataFrame.

One row per trainee in the gradebook. For every exercise: whether it was submitted, the total
(nbgrader's, late penalty applied) and its maximum, the points of every grade cell (one per
criterion), and a flag for parts still to be graded by hand, which nbgrader's own export
counts as 0 without saying so. An exercise not submitted has empty points.

    from bshtrain.instructor.export import grades_frame
    frame = grades_frame()            # the course found from the working folder
"""

from __future__ import annotations

from pathlib import Path

from bshtrain.instructor.course import Course, find_course
from bshtrain.instructor.gradebook import read_cohort

ID_COLUMNS = ["student_id", "first_name", "last_name", "email"]


def grades_frame(course: Course | Path | str | None = None, exercises: list[str] | None = None):
    """A pandas DataFrame: one row per trainee; per exercise `<ex>_submitted`, `<ex>_total`,
    `<ex>_max`, `<ex>_<cell>` for each grade cell, `<ex>_ungraded_by_hand` (1 while a part
    graded by hand has no grade yet) and `<ex>_ungraded_parts` (their names)."""
    import pandas as pd

    if not isinstance(course, Course):
        course = find_course(Path(course) if course is not None else None)
    cohort = read_cohort(course, exercises)
    rows = []
    for student in sorted(cohort.students):
        first, last, email = cohort.students[student]
        row: dict[str, object] = {"student_id": student, "first_name": first,
                                  "last_name": last, "email": email}
        for exercise, graded in cohort.exercises.items():
            cells = cohort.cells.get(exercise, [])
            sub = graded.get(student)
            row[f"{exercise}_submitted"] = int(sub is not None)
            row[f"{exercise}_total"] = sub.score if sub else None
            row[f"{exercise}_max"] = sum(points for _, _, points in cells)
            for name, _by_hand, _points in cells:
                cell = sub.cells.get(name) if sub else None
                row[f"{exercise}_{name}"] = None if cell is None else cell.score
            ungraded = sub.ungraded if sub else []
            row[f"{exercise}_ungraded_by_hand"] = int(bool(ungraded)) if sub else None
            row[f"{exercise}_ungraded_parts"] = ";".join(ungraded)
        rows.append(row)
    columns = list(ID_COLUMNS)
    for exercise in cohort.exercises:
        columns += [f"{exercise}_submitted", f"{exercise}_total", f"{exercise}_max"]
        columns += [f"{exercise}_{name}" for name, _, _ in cohort.cells.get(exercise, [])]
        columns += [f"{exercise}_ungraded_by_hand", f"{exercise}_ungraded_parts"]
    frame = pd.DataFrame(rows, columns=columns)
    for column in frame.columns:
        if column.endswith(("_submitted", "_ungraded_by_hand")):
            frame[column] = frame[column].astype("Int64")
    return frame


def export_csv(course: Course, out: Path, exercises: list[str] | None = None) -> tuple[int, int]:
    """Write the grades CSV atomically; (rows, columns) written."""
    frame = grades_frame(course, exercises)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    frame.to_csv(tmp, index=False)
    tmp.replace(out)
    return frame.shape
