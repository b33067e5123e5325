"""The Discord front end: a thin layer of slash commands over EventService.

Only this package imports discord (and `bot.chat.settings` does not, so the CLI can read the
settings without loading it).
"""
