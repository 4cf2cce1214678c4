"""The command line, `python -m bot ...`: main.py parses it and runs the sub-command's handler
from subcommands.py; invite.py, admin.py (staff, audit) and risk.py do the work behind theirs."""
