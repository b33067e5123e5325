"""eventbot: the application (service, command line, Discord front end)."""

__version__ = "0.1.0"
