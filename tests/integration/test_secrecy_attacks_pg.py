"""Attacks on the secret ballot by a reader of the database, on PostgreSQL (issue 11).

Ballots are cast one by one, each in its own transaction, in a known random order, while another connection holds
a snapshot open (as a pg_dump or a long report does, so that no old row version is pruned). The attacker then tries
to link each voter to what they chose: by physical order (ctid), by row versions (xmin, xmax), by keys, by the
published trackers, and by raw page and write-ahead log contents. Against the sealed box each link recovers no more
than chance; the same attacks, run against a simulated plaintext box (the ballot written in the voter's transaction,
as the old design did), recover nearly every voter: the negative control.
"""

import random

import psycopg2
import pytest
from django.db import connection, transaction

from congress import sealing
from congress.models import BallotSlot, SealedBallot, SecretPoll, VoteRecord
from projects import services
from projects.models import Ballot
from tests.factories import CLOSE_REASON
from tests.integration.util import wait_for
from tests.projects.conftest import Election

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

VOTERS, CANDIDATES = 60, 6
PLAIN = "attack_plaintext_box"
MARKERS = (b'"st":"valid"', b'"st":"blank"', b'{"a":')


def chance_bound(truth: dict) -> float:
    """Matches a random pairing gets, on average (sum of squared pattern counts over voters), plus a wide margin."""
    counts = {}
    for m in truth.values():
        counts[m] = counts.get(m, 0) + 1
    expected = sum(c * c for c in counts.values()) / len(truth)
    return expected + 5 * expected ** 0.5 + 3


def rank_correlation(physical: list, arrival: list) -> float:
    """Spearman's rho between where each ballot stands in the file and when its contents arrived: each ballot is
    matched to the earliest unmatched arrival with the same contents (the attacker's best guess)."""
    places = {}
    for i, m in enumerate(arrival):
        places.setdefault(m, []).append(i)
    ranks = [places[m].pop(0) for m in physical]
    n = len(ranks)
    return 1 - 6 * sum((i - r) ** 2 for i, r in enumerate(ranks)) / (n * (n * n - 1))


def recovered(predicted: dict, truth: dict) -> int:
    return sum(1 for voter, mask in predicted.items() if truth[voter] == mask)


def link_by_order(voters: list, box: list) -> dict:
    """The attacker's pairing: the i-th voter (in the order they believe is arrival) with the i-th ballot."""
    return dict(zip(voters, box, strict=False))


def voters_in(cursor, poll_id, order: str) -> list:
    cursor.execute(
        f"SELECT e.person_id FROM congress_voterecord v JOIN congress_elector e ON e.id = v.elector_id "  # noqa: S608
        f"WHERE v.poll_id = %s ORDER BY {order}", [poll_id])
    return [r[0] for r in cursor.fetchall()]


def box_in(cursor, table, where, params, order: str) -> list:
    cursor.execute(f"SELECT approvals FROM {table} WHERE {where} ORDER BY {order}", params)  # noqa: S608
    return [r[0] for r in cursor.fetchall()]


ORDERS = {  # the same key on both sides: what the attacker hopes relates to arrival
    "ctid": ("v.ctid", "ctid"),
    "key": ("v.id", "id"),
    "xmin": ("v.xmin::text::bigint, v.ctid", "xmin::text::bigint, ctid"),
    "xmax": ("v.xmax::text::bigint, v.ctid", "xmax::text::bigint, ctid"),
}


def attacks(cursor, poll_id, table, where, params) -> dict:
    return {name: link_by_order(voters_in(cursor, poll_id, vo), box_in(cursor, table, where, params, bo))
            for name, (vo, bo) in ORDERS.items()}


def raw_pages(cursor, table) -> bytes:
    cursor.execute("SELECT pg_relation_size(%s::regclass) / current_setting('block_size')::int", [table])
    n = cursor.fetchone()[0]
    pages = []
    for i in range(n):
        cursor.execute("SELECT get_raw_page(%s, %s)", [table, i])
        pages.append(bytes(cursor.fetchone()[0]))
    return b"".join(pages)


def wal_between(cursor, start_lsn: str) -> bytes:
    """The raw write-ahead log from start_lsn to now, read from the server's pg_wal (superuser)."""
    cursor.execute("SELECT pg_current_wal_insert_lsn(), pg_walfile_name(%s), pg_walfile_name(pg_current_wal_insert_lsn()),"
                   " (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')", [start_lsn])
    _end, first, last, size = cursor.fetchone()
    cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'wal_block_size'")
    block = cursor.fetchone()[0]
    data = []
    timeline, log, seg = first[:8], int(first[8:16], 16), int(first[16:], 16)
    last_log, last_seg = int(last[8:16], 16), int(last[16:], 16)
    per_log = 0x100000000 // size
    while (log, seg) <= (last_log, last_seg):
        cursor.execute("SELECT pg_read_binary_file(%s)", [f"pg_wal/{timeline}{log:08X}{seg:08X}"])
        raw = bytes(cursor.fetchone()[0])
        # Without the WAL page headers (40 bytes on a segment's first page, 24 on the others), a record that
        # crosses a page boundary reads as one run of bytes, as a reader of the log would reassemble it.
        data += [raw[i + (40 if i == 0 else 24):i + block] for i in range(0, len(raw), block)]
        seg += 1
        if seg >= per_log:
            log, seg = log + 1, 0
    return b"".join(data)


@pytest.fixture
def snapshot_holder():
    """Another session holding a snapshot open for the whole vote, as a backup or a long report does."""
    s = connection.settings_dict
    conn = psycopg2.connect(host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"] or "postgres",
                            dbname=s["NAME"])
    conn.set_session(isolation_level="REPEATABLE READ")
    conn.cursor().execute("SELECT count(*) FROM congress_voterecord")
    yield conn
    conn.rollback()
    conn.close()


@pytest.fixture
def plaintext_box():
    with connection.cursor() as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS pageinspect")
        c.execute(f"CREATE TABLE {PLAIN} (id serial PRIMARY KEY, poll_id int, approvals bigint, contents text)")
    yield
    with connection.cursor() as c:
        c.execute(f"DROP TABLE {PLAIN}")


def test_no_link_from_voter_to_choice_by_order_row_versions_keys_trackers_pages_or_wal(snapshot_holder, plaintext_box,
                                                                                   celery_worker_process):
    rng = random.Random()
    e = Election(deputies=VOTERS, candidates=CANDIDATES, seats=CANDIDATES, max_choices=CANDIDATES).open()
    poll_id = e.ballot.poll_id
    truth = {p.pk: rng.randrange(1 << CANDIDATES) for p in e.people}
    order = list(e.people)
    rng.shuffle(order)
    with connection.cursor() as c:
        c.execute("SELECT pg_current_wal_insert_lsn()")
        start_lsn = c.fetchone()[0]

    trackers = {}
    for person in order:
        chosen = [i for i in range(CANDIDATES) if truth[person.pk] >> i & 1]
        with transaction.atomic():  # the voter's transaction; the control box is written in it, as the old design did
            trackers[person.pk] = e.approve(person, *chosen)
            contents = {"a": truth[person.pk], "r": 0, "s": None, "st": "valid" if chosen else "blank", "x": 0}
            with connection.cursor() as c:
                c.execute(f"INSERT INTO {PLAIN} (poll_id, approvals, contents) VALUES (%s, %s, %s)",  # noqa: S608
                          [poll_id, truth[person.pk], "PLAINTEXT:" + sealing.canonical(contents).decode()])

    with connection.cursor() as c:
        # --- while the poll is open: raw pages (a file copy) and the WAL hold only ciphertext of one length ---
        sealed_pages = raw_pages(c, SealedBallot._meta.db_table)
        assert sealed_pages and not any(m in sealed_pages for m in MARKERS)
        for table in (VoteRecord._meta.db_table, BallotSlot._meta.db_table):
            assert not any(m in raw_pages(c, table) for m in MARKERS)
        assert all(m in raw_pages(c, PLAIN) for m in MARKERS[2:])  # negative control: the plaintext box reads
        wal = wal_between(c, start_lsn)
        sealed_bytes = [bytes(b) for b in SealedBallot.objects.filter(poll_id=poll_id).values_list("sealed", flat=True)]
        assert len(sealed_bytes) == VOTERS and {len(b) for b in sealed_bytes} == {sealing.SEALED_SIZE}
        assert all(b in wal for b in sealed_bytes)  # the sealed ballots went through the WAL, as ciphertext...
        # ...and every readable ballot in the WAL is the control box's (there at least once per ballot)
        assert wal.count(b'PLAINTEXT:{"a":') >= VOTERS
        assert wal.count(b'{"a":') == wal.count(b'PLAINTEXT:{"a":')

        # negative control: the same attacks on the plaintext box link (nearly) every voter
        control = {name: recovered(p, truth) for name, p in attacks(c, poll_id, PLAIN, "poll_id = %s", [poll_id]).items()}
    print(f"\nplaintext box (negative control), voters linked of {VOTERS}:", control)
    assert all(n >= 0.9 * VOTERS for n in control.values()), control
    with connection.cursor() as c:
        c.execute(f"SELECT approvals FROM {PLAIN} ORDER BY ctid")  # noqa: S608
        assert rank_correlation([r[0] for r in c.fetchall()], [truth[p.pk] for p in order]) > 0.9

    # --- after closing and opening: the counting table, in a new file ---
    services.ballot_close(ballot=e.ballot, reason=CLOSE_REASON)
    with connection.cursor() as c:
        c.execute("SELECT pg_relation_filenode(%s), pg_relation_filepath(%s)", [BallotSlot._meta.db_table] * 2)
        old_node, old_path = c.fetchone()
    e.unseal()
    bound = chance_bound(truth)
    with connection.cursor() as c:
        # the opening rewrote the counting table into a new relation file; the file the rows were first written to
        # (and every older page and dead row version of the table) is gone
        c.execute("SELECT pg_relation_filenode(%s)", [BallotSlot._meta.db_table])
        assert c.fetchone()[0] != old_node
        # (PostgreSQL empties the old file at commit and removes it at the next checkpoint)
        c.execute("SELECT (pg_stat_file(%s, true)).size", [old_path])
        assert c.fetchone()[0] in (None, 0), f"{old_path} still holds pages"
        results = attacks(c, poll_id, BallotSlot._meta.db_table, "poll_id = %s", [poll_id])
        # the published trackers: the attacker even knows each voter's tracker (read beside the vote record while
        # voting), and pairs them, in tracker order, with the counted ballots in physical order
        by_tracker = sorted(trackers, key=trackers.get)
        results["tracker"] = link_by_order(by_tracker, box_in(c, BallotSlot._meta.db_table, "poll_id = %s",
                                                              [poll_id], "ctid"))
        c.execute("SELECT count(DISTINCT xmin::text), count(DISTINCT xmax::text) FROM congress_ballotslot "
                  "WHERE poll_id = %s", [poll_id])
        assert c.fetchone() == (1, 1)  # one writer for every counted ballot (the opening's transaction), no updater
        # and the physical order of the counted ballots does not follow the order the voters voted in: the rank
        # correlation between a ballot's place in the file and its voter's place in the queue is that of chance
        c.execute("SELECT approvals FROM congress_ballotslot WHERE poll_id = %s ORDER BY ctid", [poll_id])
        physical = [r[0] for r in c.fetchall()]
        arrival = [truth[p.pk] for p in order]
        assert abs(rank_correlation(physical, arrival)) < 0.5
        assert not SealedBallot.objects.filter(poll_id=poll_id).exists()
    counts = {name: recovered(p, truth) for name, p in results.items()}
    print(f"sealed box, voters linked of {VOTERS} (chance bound {bound:.1f}):", counts)
    assert all(n <= bound for n in counts.values()), counts
    assert sorted(BallotSlot.objects.filter(poll_id=poll_id).values_list("approvals", flat=True)) == \
        sorted(truth.values())  # and every ballot was counted
    assert sorted(SecretPoll.objects.get(pk=poll_id).trackers) == sorted(trackers.values())
    # the opening queued the count on the real worker: let it finish before the database is flushed for the next
    # test (a tally still running holds locks that deadlock the flush)
    assert wait_for(lambda: Ballot.objects.get(pk=e.ballot.pk).tally_state == Ballot.TallyState.DONE)
