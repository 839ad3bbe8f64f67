"""DESIGN.md's default targets. Measured from receipt."""

DEFAULT_TARGETS = [
    # priority, stage, amount, unit
    ("urgent", "verify", 15, "minutes"),
    ("urgent", "on_site", 60, "minutes"),
    ("normal", "verify", 1, "working_days"),
    ("normal", "dispatch", 3, "working_days"),
    ("normal", "done", 5, "working_days"),
]
