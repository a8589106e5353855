-- The digest of the views.sql the views were last created from (no row before the first time).
CREATE TABLE IF NOT EXISTS schema_views (digest VARCHAR NOT NULL);

SELECT digest FROM schema_views;
