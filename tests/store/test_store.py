"""The SQLite store on a real file: claims, supersession, queue, permissions."""

import os
import sqlite3
import stat
from datetime import datetime, timedelta, timezone

import pytest

from mailbot.core.models import Assessment, Extraction, FormRow
from mailbot.store.schema import MIGRATIONS
from mailbot.config import PACKAGED_CONFIG, load
from mailbot.intake.assess import current_records
from mailbot.store import Store

WHEN = datetime(2026, 9, 28, 2, tzinfo=timezone.utc)
CAMPAIGN = load(PACKAGED_CONFIG).campaign


@pytest.fixture
def store(tmp_path):
    opened = Store(tmp_path / "var" / "mailbot.sqlite3", tmp_path / "var" / "archive")
    yield opened
    opened.close()


def assessment(unit="区人社局", progress="开展招聘会12场"):
    row = FormRow(1, "拓宽妇女就业创业渠道", ("区人社局", "区妇联"), unit, progress, "2026年12月底")
    return Assessment(unit, "2026Q3", True, True, (1,), (row,), ())


def submit(store, sha, message_id, received, progress):
    with store.transaction() as tx:
        claim = tx.claim(sha, message_id, f"test:{sha}", received, received)
        tx.add_submission(claim.id, message_id, received, assessment(progress=progress),
                             [Extraction("a.docx", "docx", has_form=True)])


def test_schema_is_migrated_and_versioned(store, tmp_path):
    assert store.schema_version == len(MIGRATIONS)
    reopened = Store(store.path, store.archive_dir)  # a second start migrates nothing
    assert reopened.schema_version == len(MIGRATIONS)
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_archive_is_keyed_by_hash_and_private(store):
    digest = store.archive(b"raw mail")
    assert store.raw(digest) == b"raw mail"
    assert store.archive(b"raw mail") == digest
    path = store.archive_dir / digest[:2] / f"{digest}.eml"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(store.archive_dir).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(store.path).st_mode) == 0o600


def test_a_mail_is_claimed_once_by_hash_or_content_and_origin(store):
    with store.transaction() as tx:
        first = tx.claim("a" * 64, "<1@x>", "imap:1:1", WHEN, WHEN, fingerprint="f1")
        again = tx.claim("a" * 64, "<1@x>", "imap:1:9", WHEN, WHEN, fingerprint="f1")
        rerouted = tx.claim("b" * 64, "<1@x>", "file:x", WHEN, WHEN, fingerprint="f1")
        reused_id = tx.claim("c" * 64, "<1@x>", "file:y", WHEN, WHEN, fingerprint="f2")
    assert first.new and not again.new and not rerouted.new and reused_id.new
    assert again.id == rerouted.id == first.id != reused_id.id
    assert len(store.messages()) == 2
    assert store.message_by_source_key("imap:1:9").id == first.id


def test_later_submission_supersedes_and_both_stay(store):
    submit(store, "a" * 64, "<1@x>", WHEN, "第一次")
    submit(store, "b" * 64, "<2@x>", WHEN.replace(day=30), "更正后")
    current = current_records(CAMPAIGN, store.counted_submissions("2026Q3"))
    assert [(r.unit, r.rows[0].progress) for r in current] == [("区人社局", "更正后")]
    assert len(store.all_submissions("2026Q3")) == 2


def test_an_uncounted_submission_lets_the_earlier_one_count_again(store):
    submit(store, "a" * 64, "<1@x>", WHEN, "第一次")
    submit(store, "b" * 64, "<2@x>", WHEN.replace(day=30), "更正后")
    later = store.message_by_source_key("test:" + "b" * 64).id
    with store.transaction() as tx:
        assert tx.uncount(later) == 1
        tx.audit("staff", "reject", later, "", "误判", WHEN)
    [current] = current_records(CAMPAIGN, store.counted_submissions("2026Q3"))
    assert current.rows[0].progress == "第一次"
    [entry] = store.audit_trail()
    assert (entry.who, entry.action, entry.message, entry.reason) == ("staff", "reject", later, "误判")


def test_failure_counts_attempts(store):
    with store.transaction() as tx:
        claim = tx.claim("c" * 64, "", "file:c", WHEN, WHEN)
        assert tx.record_failure(claim.id, "boom") == 1
        assert tx.record_failure(claim.id, "boom") == 2
    assert store.message(claim.id).state == "failed"


def test_outgoing_mail_is_deduplicated_and_marked_sent(store):
    with store.transaction() as tx:
        first = tx.queue_mail("reminder", "reminder:2026Q3:区妇联:due", "f@x.org",
                              ("a@x.org",), "提醒", b"raw", WHEN)
        second = tx.queue_mail("reminder", "reminder:2026Q3:区妇联:due", "f@x.org",
                               ("a@x.org",), "提醒", b"raw", WHEN)
    assert first is not None and second is None
    assert [m.id for m in store.unsent()] == [first]
    with store.transaction() as tx:
        tx.mark_sent(first, WHEN)
    assert store.unsent() == []
    assert store.dedup_keys("reminder:2026Q3:") == {"reminder:2026Q3:区妇联:due"}


def test_transaction_rolls_back_on_error(store):
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.execute("INSERT INTO state VALUES ('k', '{}')")
            raise RuntimeError("crash in the middle")
    assert store.get_state("k") is None
    with pytest.raises(sqlite3.OperationalError):
        store.db.execute("COMMIT")  # no transaction was left open


def test_a_new_store_opened_by_many_threads_at_once_is_migrated_once(tmp_path):
    """The worker's jobs all open the store when it starts; a fresh one must not break."""
    import threading

    errors, barrier = [], threading.Barrier(6)

    def open_it():
        barrier.wait()
        try:
            Store(tmp_path / "var" / "db.sqlite3", tmp_path / "var" / "archive").close()
        except Exception as error:  # noqa: BLE001 - collected for the assertion
            errors.append(error)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    store = Store(tmp_path / "var" / "db.sqlite3", tmp_path / "var" / "archive")
    versions = store.db.execute("SELECT version FROM schema_version").fetchall()
    assert [v[0] for v in versions] == list(range(1, len(MIGRATIONS) + 1))
    store.close()


def test_the_reply_rate_limit_counts_per_address_kind_and_hour(store):
    with store.transaction() as tx:
        for n, kind in enumerate(("receipt", "receipt", "reminder", "receipt")):
            tx.queue_mail(kind, f"k{n}", "f@x.org", ("a@x.org", "b@x.org"), "s", b"raw",
                          WHEN + timedelta(minutes=20 * n))
    assert store.mails_to_since("a@x.org", ("receipt",), WHEN) == 3
    assert store.mails_to_since("b@x.org", ("receipt", "reminder"), WHEN) == 4
    assert store.mails_to_since("a@x.org", ("receipt",), WHEN + timedelta(minutes=30)) == 1
    assert store.mails_to_since("c@x.org", ("receipt",), WHEN) == 0


def test_mail_queued_before_the_recipient_index_is_counted_after_the_migration(tmp_path):
    """The migration that adds outgoing_to fills it from the stored rows: a store
    upgraded mid-hour keeps its rate limit."""
    version = next(n for n, script in enumerate(MIGRATIONS, start=1)
                   if "CREATE TABLE outgoing_to" in script)
    path, archive = tmp_path / "var" / "db.sqlite3", tmp_path / "var" / "archive"
    store = Store(path, archive)
    with store.transaction() as tx:
        tx.queue_mail("receipt", "k", "f@x.org", ("a@x.org",), "s", b"raw", WHEN)
        tx.execute("DROP TABLE outgoing_to")
        tx.execute("DROP TABLE login_failures")  # the one migration after it
        tx.execute("DELETE FROM schema_version WHERE version >= ?", (version,))
    store.close()
    store = Store(path, archive)
    assert store.schema_version == len(MIGRATIONS)
    assert store.mails_to_since("a@x.org", ("receipt",), WHEN) == 1
    store.close()


def test_a_units_current_pieces_build_the_same_quarter_as_all_its_submissions(store):
    """A receipt reads only the pieces that can count (the latest form, stamped copy and
    newest mail), and builds the quarter the unit's whole history builds."""
    stamped = Assessment("区人社局", "2026Q3", False, True, (1,), (), ())
    for n, progress in enumerate(("第一稿", "第二稿", "第三稿")):
        submit(store, f"{n}" * 64, f"<{n}@x>", WHEN.replace(day=20 + n), progress)
    with store.transaction() as tx:
        claim = tx.claim("9" * 64, "<9@x>", "test:9", WHEN.replace(day=29), WHEN)
        tx.add_submission(claim.id, "<9@x>", WHEN.replace(day=29), stamped, [])
    pieces = store.current_pieces("2026Q3", "区人社局")
    everything = store.counted_submissions("2026Q3")
    assert len(pieces) == 2 and len(everything) == 4
    assert current_records(CAMPAIGN, pieces) == current_records(CAMPAIGN, everything)
    [current] = current_records(CAMPAIGN, pieces)
    assert current.rows[0].progress == "第三稿" and current.stamped_from == "<9@x>"
