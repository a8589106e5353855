-- raw_pages and article_versions without their primary keys: DuckDB 1.4 never reuses the space
-- of rows deleted from a table with a key (measured: a pruned raw_pages kept growing, to 1.4 GB
-- where the same rows without a key stayed under 0.9 GB), so retention (warehouse/retention.py)
-- could not keep the file bounded; each key's ART index was also loaded whole into the writer's
-- memory. store_articles.sql keeps the rows unique instead (delete, then insert; an anti-join).
-- Sorted by fetch time, so deletes by age and look-ups of recent pages skip row groups.
CREATE TABLE raw_pages_keyless (
    article_id       VARCHAR NOT NULL,
    url              VARCHAR NOT NULL,
    final_url        VARCHAR NOT NULL,
    content_type     VARCHAR,
    html_compressed  BLOB NOT NULL,
    html_bytes       INTEGER NOT NULL,
    fetched_at       TIMESTAMPTZ NOT NULL,
    html_codec       VARCHAR DEFAULT 'zlib'
);

INSERT INTO raw_pages_keyless
SELECT article_id, url, final_url, content_type, html_compressed, html_bytes, fetched_at, html_codec
FROM raw_pages ORDER BY fetched_at;

DROP TABLE raw_pages;

ALTER TABLE raw_pages_keyless RENAME TO raw_pages;

CREATE TABLE article_versions_keyless (
    article_id    VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    title         VARCHAR,
    text          VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL
);

INSERT INTO article_versions_keyless
SELECT article_id, version, title, text, content_hash, fetched_at, run_id
FROM article_versions ORDER BY fetched_at;

DROP TABLE article_versions;

ALTER TABLE article_versions_keyless RENAME TO article_versions;
