"""The database router used when a read replica is configured (`DATABASE_REPLICA_URL` → the `replica` database).

Reads go to the replica only inside `core.db.figures_reads()` (the figures pages) and only outside a transaction on
the primary (whose uncommitted writes the replica cannot see); every other read, every write and every migration go
to `default`.
"""

from django.db import connections

from core.db import in_figures_reads

REPLICA = "replica"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if in_figures_reads() and REPLICA in connections and not connections["default"].in_atomic_block:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
