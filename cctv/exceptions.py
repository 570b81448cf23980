"""Domain errors of the estate, on the bases in accounts.exceptions."""

from accounts.exceptions import InvalidInput, WrongState


class CameraNotFound(InvalidInput):
    pass


class FaultTransitionNotAllowed(WrongState):
    pass


class ImportRejected(InvalidInput):
    """An import with at least one bad row: nothing was written. `errors` names every row."""

    def __init__(self, detail: str, *, errors: list[dict]):
        super().__init__(detail)
        self.errors = errors
