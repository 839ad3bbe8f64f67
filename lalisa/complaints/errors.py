"""Why a workflow step was refused. The message names the step, the state and the reason."""

from lalisa.complaints.flow import STEP_LABELS
from lalisa.complaints.models import Status


class StepRefused(Exception):
    http_status = 409

    def __init__(self, step: str, state: str, reason: str):
        self.step = step
        self.state = state
        self.reason = reason
        label = Status(state).label if state in Status.values else (state or "baru")
        super().__init__(
            f"Langkah «{STEP_LABELS.get(step, step)}» ditolak pada status «{label}»: {reason}"
        )


class RoleRefused(StepRefused):
    """The actor may not take this step (wrong role, or not the dispatched team)."""

    http_status = 403


class TransitionRefused(StepRefused):
    """The step is not allowed from the complaint's current state."""

    http_status = 409


class InvalidStep(StepRefused):
    """The step lacks what it needs (a reason, a team, an outcome…)."""

    http_status = 400
