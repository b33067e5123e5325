"""One cog per audience: Ask (everyone), Articles (moderators), Admin (admins)."""
