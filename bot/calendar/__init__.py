"""Calendar files (.ics) for whatever the bot invites citizens to: webinars, job clubs."""
