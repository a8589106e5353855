-- The published catalog (warehouse/publish.py): readers open the --db file, a small DuckDB file
-- of views over Parquet partitions, which each publish replaces atomically; the writer works in
-- its own file and never waits for them.
--
-- stored_on is the day an article was first stored: its partition, which never changes, so a
-- run rewrites only the partitions of the articles it touched (today's, and the days of the
-- articles it updated), whatever the size of the warehouse.
ALTER TABLE articles ADD COLUMN stored_on DATE;
UPDATE articles SET stored_on = CAST(fetched_at AS DATE);

-- Partitions written since the last publish: every statement that changes a published table
-- adds the partitions it changed, in the same transaction, so a publish that never happened (a
-- crash, a killed run) is made up by the next one. `part` is a day (YYYY-MM-DD) or 'all' for
-- the small tables republished whole. Applying a migration queues every partition
-- (warehouse.db.connect), this one included.
CREATE TABLE publish_queue (
    table_name  VARCHAR NOT NULL,
    part        VARCHAR NOT NULL
);

-- The Parquet file each published partition is read from now (one per table and partition).
CREATE TABLE published_parts (
    table_name  VARCHAR NOT NULL,
    part        VARCHAR NOT NULL,
    path        VARCHAR NOT NULL,
    row_count   BIGINT NOT NULL,
    bytes       BIGINT NOT NULL,
    publish_id  BIGINT NOT NULL,
    PRIMARY KEY (table_name, part)
);

-- Articles whose text or title changed since the search index last read them (warehouse/search.py
-- consumes it), so updating the index reads the run's articles, not a join of every article
-- with its indexed copy. Filled here once with the articles the index is behind on.
CREATE TABLE search_queue (
    article_id  VARCHAR NOT NULL
);

INSERT INTO search_queue
SELECT coalesce(a.article_id, s.article_id)
FROM articles a
FULL JOIN search_docs s ON s.article_id = a.article_id
WHERE s.article_id IS NULL
   OR a.article_id IS NULL
   OR a.content_hash <> s.content_hash
   OR a.title IS DISTINCT FROM s.title;
