"""Errors the command line prints as one readable line instead of a traceback."""


class UserError(Exception):
    """A problem the user can fix: a busy port, an unknown source, a missing file."""
