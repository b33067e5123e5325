"""Errors of the application layer whose messages are shown to the user as they are."""


class ServiceError(Exception):
    """Base class."""


class EmptyQuestion(ServiceError):
    """The question has no words."""


class RebuildRunning(ServiceError):
    """A rebuild is already in progress."""


class BadFilter(ServiceError):
    """A question filter (source, since, until) has a bad value."""


class NoServer(ServiceError):
    """Each server has its own corpus, and this request came from outside any server."""
