"""Job clubs (issue 12) from the command line: `python -m bot club create | list | edit |
cancel-session | cancel`, as the issue's contract names them, and the broadcast filter
`--club` / `--no-club`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli

LINK = "https://meet.example/club-1"
CREATE = ("club", "create", "--title-da", "Jobklub", "--title-en", "Job club", "--consultant",
          "62", "--start", "2030-01-07 14:00", "--weeks", "6", "--minutes", "120",
          "--capacity", "10", "--link", LINK)


def test_cli_creates_lists_edits_and_cancels(tmp_path: Path) -> None:
    created = run_cli(tmp_path, *CREATE, "--lang", "da")
    assert created.returncode == 0, created.stderr
    assert created.stdout.strip() == "1"
    later = run_cli(tmp_path, "club", "create", "--title-da", "Klub", "--title-en", "Club",
                    "--consultant", "62", "--start", "2030-01-08 10:00", "--lang", "en",
                    "--label", "nyledige-2030-01", "--joined-after", "2029-12-01")
    assert later.stdout.strip() == "2", later.stderr
    listing = run_cli(tmp_path, "club", "list").stdout.splitlines()
    assert listing[0] == ("#1 Jobklub / Job club · da · consultant 62 · 120 min · seats 0/10 · "
                          "waitlist 0")
    assert listing[1:7] == [f"  meeting {n}: 2030-{d} 14:00" for n, d in enumerate(
        ("01-07", "01-14", "01-21", "01-28", "02-04", "02-11"), 1)]
    assert listing[7] == ("#2 Klub / Club · en · consultant 62 · 120 min · seats 0/10 · "
                          "waitlist 0 · label nyledige-2030-01 · joined after 2029-12-01 · "
                          "no link yet")
    edited = run_cli(tmp_path, "club", "edit", "1", "--start", "2030-01-08 15:00", "--link",
                     "https://meet.example/club-2")
    assert edited.stdout.strip() == "Club #1: 6 meeting(s) moved, link changed."
    called_off = run_cli(tmp_path, "club", "cancel-session", "1", "2")
    assert called_off.stdout.strip() == "Club #1: meeting 2 (2030-01-15 15:00) cancelled."
    assert "  meeting 2: 2030-01-15 15:00 cancelled" in run_cli(
        tmp_path, "club", "list").stdout.splitlines()
    assert run_cli(tmp_path, "club", "cancel", "1").stdout.strip() == (
        "Club #1: cancelled, 5 meeting(s) to come.")
    reported = run_cli(tmp_path, "report", "clubs").stdout.splitlines()
    assert len(reported) == 12
    assert reported[0] == ("club 1 · meeting 1 · title Jobklub · starts 2030-01-08 15:00 · status "
                           "cancelled · capacity 10 · members 0 · fill_rate 0% · waitlist 0 · "
                           "avg_wait_days  · dropped_out 0 · cant_come 0 · attended 0 · missed 0 "
                           "· evaluations_asked 0 · evaluations 0 · mean_score  · score_1 0 · "
                           "score_2 0 · score_3 0 · score_4 0 · score_5 0")
    out = tmp_path / "clubs.csv"
    assert run_cli(tmp_path, "report", "clubs", "--csv", str(out)).returncode == 0
    lines = out.read_bytes().decode("utf-8-sig").splitlines()
    assert lines[0].startswith("club;meeting;title;starts;status;capacity;members;fill_rate;")
    assert lines[0].endswith(";evaluations_asked;evaluations;mean_score;score_1;score_2;"
                             "score_3;score_4;score_5")
    assert len(lines) == 13


@pytest.mark.parametrize(("args", "reason"), [
    ((), "choose create, list, edit ID, cancel-session ID WEEK or cancel ID"),
    (("create", "--title-da", "a", "--title-en", "b", "--consultant", "62", "--start",
      "2030-01-07"), "argument --start: expected local time as \"YYYY-MM-DD HH:MM\", got "
     "'2030-01-07'"),
    (("create", "--title-da", "a", "--title-en", "b", "--consultant", "62", "--start",
      "2020-01-07 14:00"), "--start 2020-01-07 14:00: that is in the past"),
    (("create", "--title-da", "a", "--title-en", "b", "--consultant", "62", "--start",
      "2030-01-07 14:00", "--weeks", "0"),
     "argument --weeks: expected weeks from 1 to 52, got '0'"),
    (("create", "--title-da", "a", "--title-en", "b", "--consultant", "62", "--start",
      "2030-01-07 14:00", "--link", "meet.example"),
     "argument --link: expected an http(s):// link, got 'meet.example'"),
    (("edit", "7", "--link", LINK), "no club #7"),
    (("edit", "7"), "edit needs --start or --link"),
    (("cancel-session", "1", "9"), "club #1 has no meeting 9 still to come"),
])
def test_cli_usage_errors_are_one_line(tmp_path: Path, args: tuple[str, ...],
                                       reason: str) -> None:
    assert run_cli(tmp_path, *CREATE).returncode == 0
    result = run_cli(tmp_path, "club", *args)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [f"club: {reason}"]


def test_broadcast_send_takes_the_club_filter(tmp_path: Path) -> None:
    assert run_cli(tmp_path, *CREATE).returncode == 0
    (tmp_path / "da.txt").write_text("Hej", encoding="utf-8")
    sent = run_cli(tmp_path, "broadcast", "send", "--name", "n", "--text-da", "da.txt",
                   "--club", "any", "--no-club", "1")
    assert sent.returncode == 0, sent.stderr
    wrong = run_cli(tmp_path, "broadcast", "send", "--name", "n", "--text-da", "da.txt",
                    "--club", "x")
    assert wrong.returncode == 2
    assert wrong.stderr.splitlines()[-1] == "broadcast: club x: no club #x (or 'any')"
