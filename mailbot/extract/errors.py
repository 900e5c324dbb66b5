"""The one exception the readers raise for bad input: its text is the user's error line."""


class ExtractError(Exception):
    """A file that cannot be read, with a plain English reason ("encrypted PDF")."""
