"""Errors meant for people: the message says what happened and what to do."""


class UserError(Exception):
    """Printed as one plain-language line, no traceback; the CLI exits with ``exit_code``."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int | None = None):
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code
