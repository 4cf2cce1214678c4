"""Other ways to build the same bot, in the same benchmark run: PTB's ConversationHandler with
SQLite group commit, and aiogram 3's FSM on SQLite (both need the `bench` extra:
`pip install -e ".[bench]"`)."""
