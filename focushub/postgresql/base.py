"""FocusHub's PostgreSQL backend: Django's own, plus the one rule for an exhausted pool.

A web process keeps its connections in psycopg's pool (focushub/settings.py,
DB_POOL_MIN/DB_POOL_MAX/DB_POOL_TIMEOUT). When every pooled connection stays busy for
DB_POOL_TIMEOUT seconds, psycopg_pool raises PoolTimeout, which Django would wrap as an
OperationalError: a 500 and a traceback. It is an overload, not a bug, so it becomes
DatabaseBusy here, where the connection is asked for, and every door already answers
an ApplicationError: `{code: database_busy}` with 503 over REST, an error frame (and
close 1011 while a socket opens) on a websocket, a warning and a retry in the relay.
"""

import logging

from django.db.backends.postgresql import base
from psycopg_pool import PoolTimeout

from focushub.errors import ApplicationError

logger = logging.getLogger(__name__)


class DatabaseBusy(ApplicationError):
    status = 503

    def __init__(self) -> None:
        super().__init__("database_busy", "The server is too busy to reach its database; try again shortly.")


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict):
        try:
            return super().get_new_connection(conn_params)
        except PoolTimeout as exc:
            logger.warning("database pool: no connection free within %s s (DB_POOL_MAX=%s); answered busy",
                           self.pool.timeout, self.pool.max_size)
            raise DatabaseBusy() from exc
