"""Booking mails arrive exactly once, though the task worker is killed again and again.

Real processes: bookings are made in a site of their own, their mails wait as tasks, and
task workers are started and killed with SIGKILL in the middle of the work, then one is
left to finish. Every customer then has exactly one booking mail and one copy of the
provider's message to all attendees (one long task), the provider one mail per booking,
and no task is left RUNNING.
"""

import os
import random
import re
import signal
import time
from email import message_from_bytes, policy

import pytest

from weconomics.web.tests.processes import scratch_site, wait_for

BOOKINGS = 16
KILLS = 4

SETUP = f"""
from weconomics.bookings import services
from weconomics.bookings.tests.helpers import scheduled
from weconomics.conftest import make_account

provider = make_account("provider@example.org", "Pia Provider")
product, occurrence = scheduled(provider, capacity={BOOKINGS}, max_quantity=1)
for number in range({BOOKINGS}):
    customer = make_account(f"customer{{number}}@example.org", f"Customer {{number}}")
    services.book(actor=customer, product_id=product.pk, occurrence_id=occurrence.pk)
# One long task too: a message to all attendees, one mail each.
services.message_attendees(actor=provider, occurrence_id=occurrence.pk,
                           subject="See you there", text="Bring a pen.")
"""


@pytest.fixture
def site(tmp_path):
    with scratch_site(tmp_path) as site:
        yield site


def _tasks(site, status="%", *, worker="", path="", runs=1):
    return site.query(
        "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult "  # noqa: S608
        f"WHERE status LIKE '{status}' AND CAST(worker_ids AS TEXT) LIKE '%{worker}%'"
        f" AND task_path LIKE '%{path}'"
        + " AND CAST(worker_ids AS TEXT) LIKE '%,%'" * (runs > 1))[0][0]


def _outbox(site):
    mails = []
    for path in sorted((site.data_dir / "outbox").glob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",)).get_content()
        mails.append((message["To"], message["Subject"],
                      re.search(r"/bookings/(\d+)/", body).group(1)))
    return mails


def _worker(site, number):
    return site.start("db_worker", "--interval", "0.1", "--no-startup-delay",
                      "--worker-id", f"worker{number}", log="worker.log")


def test_every_booking_mail_arrives_once_though_the_worker_is_killed_mid_way(site):
    made = site.run("shell", "-c", SETUP)
    assert made.returncode == 0, made.stderr
    queued = _tasks(site, "READY")
    assert queued == BOOKINGS + 1

    random.seed(BOOKINGS)
    killed_mid_task, kills_mid_task = set(), 0
    for number in range(KILLS):
        worker = _worker(site, number)
        try:
            if number % 2 or _tasks(site, "SUCCESSFUL", path="send_attendee_message"):
                # Killed at a random moment of its work, once it has taken a task.
                wait_for(lambda n=number: _tasks(site, worker=f'"worker{n}"'), 60,
                         "the worker takes a task", every=0.01)
                time.sleep(random.uniform(0, 0.1))
            else:
                # Killed in the middle of the long task, between two of its mails.
                wait_for(lambda n=number: _tasks(site, "RUNNING", worker=f'"worker{n}"',
                                                 path="send_attendee_message"), 60,
                         "the worker runs the message to all attendees", every=0.01)
                time.sleep(random.uniform(0.05, 0.25))
        finally:
            os.kill(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
        left = site.query(
            "SELECT id FROM django_tasks_database_dbtaskresult WHERE "  # noqa: S608
            f"status = 'RUNNING' AND CAST(worker_ids AS TEXT) LIKE '%\"worker{number}\"%'")
        kills_mid_task += bool(left)
        killed_mid_task |= set(left)

    # A last worker finishes: the tasks its killed predecessors left RUNNING come back.
    worker = _worker(site, KILLS)
    try:
        wait_for(lambda: _tasks(site, "READY") == _tasks(site, "RUNNING") == 0, 90,
                 "every task done")
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    mails = _outbox(site)
    to_provider = [booking for to, _, booking in mails if to.startswith("provider")]
    messages = [booking for to, subject, booking in mails
                if to.startswith("customer") and "See you there" in subject]
    booked = [booking for to, subject, booking in mails
              if to.startswith("customer") and "See you there" not in subject]
    print(f"{queued} mail tasks ({BOOKINGS} bookings, 1 message to all), {KILLS} kills, "
          f"{kills_mid_task} of them mid-task ({len(killed_mid_task)} tasks), "
          f"{_tasks(site, 'SUCCESSFUL')} tasks done, "
          f"{_tasks(site, 'SUCCESSFUL', runs=2)} of them run more than once, "
          f"{len(mails)} mails delivered, {len(mails) - len(set(mails))} duplicates")
    assert _tasks(site, "FAILED") == 0
    assert len(mails) == len(set(mails))
    assert len(set(booked)) == BOOKINGS
    assert sorted(booked) == sorted(messages) == sorted(to_provider)
    assert not list((site.data_dir / "mail-queue").glob("*.eml"))
