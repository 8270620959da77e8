"""The PostgreSQL backend (settings: ENGINE "congress.db"): Django's, with a health check that costs no round trip.

With CONN_HEALTH_CHECKS Django sends `SELECT 1` before the first query of every request that reuses a connection.
On the cast path that is one round trip of two (congress/polls.py: a cast with a pass is one statement), and on
a machine whose cores are busy a round trip costs about as much waiting as the statement itself. This backend asks
the connection's socket instead, without waiting: an idle connection has nothing to read, so anything readable is
the server ending it (a restart, a crash, pg_terminate_backend, idle_session_timeout, a pooler closing it) or a
message nobody asked for; a closed or failed socket is the network's end. Either way the connection is closed and
the request opens a new one, as after a failed `SELECT 1`. A peer that vanished without a word (no FIN, no RST) is
what the TCP keepalives in the settings are for: `SELECT 1` would wait on it just the same.

After an error in a request Django still checks with `SELECT 1` (`is_usable`), where the socket cannot say whether
the session is still sound.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if self.pool or self.connection is None or not self.health_check_enabled or self.health_check_done:
            return
        if not self.socket_is_quiet():
            self.close()
        self.health_check_done = True

    def socket_is_quiet(self) -> bool:
        """Whether the idle connection's socket is open with nothing to read: no round trip, no wait."""
        connection = self.connection
        if connection is None or connection.closed:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            return not poller.poll(0)  # POLLERR, POLLHUP and POLLNVAL are reported whether asked for or not
        except (OSError, ValueError, base.Database.Error):
            return False
