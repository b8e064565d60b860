"""The select exercise: choosing a task, or none, for short cases (design section 6)."""
