"""The Discord front end: a thin layer of slash commands over EventService.

Only this package imports discord. Its settings are the `discord` section of `bot.config`
(`DiscordConfig`), which the CLI reads without loading discord.
"""
