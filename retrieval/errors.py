"""Errors of asking whose messages are shown to the user as they are."""


class RetrievalError(Exception):
    """Base class."""


class EmptyQuestion(RetrievalError):
    """The question has no words."""


class BadFilter(RetrievalError):
    """A question filter (since, until) has a bad value."""
