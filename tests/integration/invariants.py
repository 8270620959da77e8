"""The vote invariants, checked in SQL after every fault test, on any database cursor (the test database or a
disposable server's): whatever failed, the ballot boxes must still add up."""

CHECKS = {
    "voters recorded = ballots stored, per poll": """
        SELECT p.id FROM congress_secretpoll p
        WHERE (SELECT count(*) FROM congress_voterecord v WHERE v.poll_id = p.id)
           <> (SELECT count(*) FROM congress_ballotslot s WHERE s.poll_id = p.id AND s.status <> 'empty')""",
    "one slot per elector, per opened poll": """
        SELECT p.id FROM congress_secretpoll p WHERE p.state <> 'draft'
          AND (SELECT count(*) FROM congress_ballotslot s WHERE s.poll_id = p.id)
           <> (SELECT count(*) FROM congress_elector e WHERE e.poll_id = p.id)""",
    "electorate size = electors": """
        SELECT p.id FROM congress_secretpoll p WHERE p.state <> 'draft'
          AND p.electorate_size <> (SELECT count(*) FROM congress_elector e WHERE e.poll_id = p.id)""",
    "a vote record belongs to its elector's poll": """
        SELECT v.id FROM congress_voterecord v JOIN congress_elector e ON e.id = v.elector_id
        WHERE e.poll_id <> v.poll_id""",
    "web ballots = receipts, per poll (a paper ballot has none)": """
        SELECT p.id FROM congress_secretpoll p
        WHERE (SELECT count(*) FROM congress_voterecord v WHERE v.poll_id = p.id AND v.channel = 'web')
           <> (SELECT count(*) FROM congress_ballotslot s WHERE s.poll_id = p.id AND s.receipt IS NOT NULL)""",
    "an empty slot holds nothing": """
        SELECT s.id FROM congress_ballotslot s
        WHERE s.status = 'empty' AND (s.receipt IS NOT NULL OR s.approvals <> 0 OR s.score IS NOT NULL)""",
    "no ballot box is filled before its poll opened": """
        SELECT s.id FROM congress_ballotslot s JOIN congress_secretpoll p ON p.id = s.poll_id
        WHERE p.state = 'draft'""",
    "at most one stored count per ballot": """
        SELECT ballot_id FROM projects_tallyresult GROUP BY ballot_id HAVING count(*) > 1""",
}


def violations(cursor) -> dict[str, list]:
    found = {}
    for name, sql in CHECKS.items():
        cursor.execute(sql)
        rows = [r[0] for r in cursor.fetchall()]
        if rows:
            found[name] = rows
    return found
