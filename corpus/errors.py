"""Errors whose messages are fit to show to the person who caused them."""


class CorpusError(Exception):
    """Base class: the message is shown to the user as it is."""


class FetchFailed(CorpusError):
    """A page could not be fetched (network error, bad status, too large, wrong type)."""


class FetchRefused(FetchFailed):
    """A URL or page was refused (unsafe address, scheme or port; too large; not a page). `reason` names the
    rule in one word ("address", "port", "too_large", "content_type", ...), for counting refusals."""

    def __init__(self, message: str, reason: str = "other") -> None:
        super().__init__(message)
        self.reason = reason


class NotAnArticle(CorpusError):
    """A page or file held no article text worth indexing."""


class BadRecord(CorpusError):
    """An import record is malformed."""


class UnsupportedFile(CorpusError):
    """A local file has a type we do not read."""


class DuplicateArticle(CorpusError):
    """The article is already held (same canonical URL and text, or same text). `carried_by` is the outlet
    recorded as also carrying the held article, when the duplicate is its verbatim copy at another outlet."""

    def __init__(self, message: str, existing_id: int, carried_by: str | None = None) -> None:
        super().__init__(message)
        self.existing_id = existing_id
        self.carried_by = carried_by


class ArticleNotFound(CorpusError):
    """No held article matches the given URL or id."""


class StoreBusy(CorpusError):
    """The article store stayed locked by another writer (another eventbot process) for too long."""
