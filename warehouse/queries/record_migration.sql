-- A migration was applied (in the migration's own transaction).
INSERT INTO schema_migrations (version, name) VALUES ($version, $name);
