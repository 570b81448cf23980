from accounts.exceptions import InvalidInput, WrongState


class TransitionNotAllowed(WrongState):
    """A workflow move the request's state does not allow (409, with the moves that are)."""


class ReasonRequired(InvalidInput):
    pass


class UploadRejected(InvalidInput):
    pass
