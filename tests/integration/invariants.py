"""The vote invariants, checked in SQL after every fault test, on any database cursor (the test database or a
disposable server's): whatever failed, the ballot boxes must still add up."""

CHECKS = {
    "web voters = sealed ballots, until the box is opened": """
        SELECT p.id FROM congress_secretpoll p WHERE p.unsealed_at IS NULL
          AND (SELECT count(*) FROM congress_voterecord v WHERE v.poll_id = p.id AND v.channel = 'web')
           <> (SELECT count(*) FROM congress_sealedballot s WHERE s.poll_id = p.id)""",
    "web voters = published trackers, once the box is opened (and no sealed ballot left)": """
        SELECT p.id FROM congress_secretpoll p WHERE p.unsealed_at IS NOT NULL
          AND ((SELECT count(*) FROM congress_voterecord v WHERE v.poll_id = p.id AND v.channel = 'web')
                <> jsonb_array_length(p.trackers)
               OR EXISTS (SELECT 1 FROM congress_sealedballot s WHERE s.poll_id = p.id))""",
    "ballots counted <= voters recorded (paper ballots before opening, all after)": """
        SELECT p.id FROM congress_secretpoll p
        WHERE (SELECT count(*) FROM congress_ballotslot b WHERE b.poll_id = p.id)
           > (SELECT count(*) FROM congress_voterecord v WHERE v.poll_id = p.id
                AND (p.unsealed_at IS NOT NULL OR v.channel = 'paper'))""",
    "every sealed ballot has the one fixed length": """
        SELECT s.id FROM congress_sealedballot s WHERE length(s.sealed) <> 176""",
    "electorate size = electors": """
        SELECT p.id FROM congress_secretpoll p WHERE p.state <> 'draft'
          AND p.electorate_size <> (SELECT count(*) FROM congress_elector e WHERE e.poll_id = p.id)""",
    "a vote record belongs to its elector's poll": """
        SELECT v.id FROM congress_voterecord v JOIN congress_elector e ON e.id = v.elector_id
        WHERE e.poll_id <> v.poll_id""",
    "no ballot in a poll that has not opened": """
        SELECT p.id FROM congress_secretpoll p WHERE p.state = 'draft'
          AND (EXISTS (SELECT 1 FROM congress_sealedballot s WHERE s.poll_id = p.id)
               OR EXISTS (SELECT 1 FROM congress_ballotslot b WHERE b.poll_id = p.id))""",
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
