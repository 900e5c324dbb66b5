"""What the readers raise: ExtractError for bad input (its text is the user's error line),
Stopped when the worker is asked to stop in the middle of a mail."""


class ExtractError(Exception):
    """A file that cannot be read, with a plain English reason ("encrypted PDF")."""


class Stopped(Exception):
    """The worker is stopping (SIGTERM): parsing was abandoned, nothing was recorded, and
    the mail in hand stays claimed, so its next sighting processes it again."""
