-- The highest migration applied (0 for a new database); creates the table that records them.
CREATE TABLE IF NOT EXISTS schema_migrations (
    version     INTEGER PRIMARY KEY,
    name        VARCHAR NOT NULL,
    applied_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

SELECT coalesce(max(version), 0) FROM schema_migrations;
