"""Is the bot working? `python -m bot health` answers in one line per check, exit 0 or 1.

* database: DATABASE_PATH opens read-only and its schema is the one this version ships;
* outbox: nothing queued has waited longer than BACKLOG_LIMIT;
* bot api: the running bot had an answer from the Bot API within SILENCE_LIMIT. Its heartbeat
  asks getMe every two minutes and writes the time into the database, so the check works from
  any process (a cron job, systemd, a container's HEALTHCHECK) and in polling and webhook mode
  alike. Not checked in console mode.
"""
