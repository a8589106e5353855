-- The views were recreated from the views.sql of this digest.
DELETE FROM schema_views;

INSERT INTO schema_views VALUES ($digest);
