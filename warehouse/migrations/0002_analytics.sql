-- Analytics: the narrow table the full-text index is built on, and incremental export state.

-- Title and text of every article, copied from articles by warehouse/search.py
-- (rebuild_search_index); the BM25 index (schema fts_main_search_docs) is built on this table
-- so a rebuild reads two columns, not the whole articles table.
CREATE TABLE search_docs (
    article_id    VARCHAR PRIMARY KEY,
    title         VARCHAR,
    text          VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,                  -- articles.content_hash when copied
    indexed_at    TIMESTAMPTZ NOT NULL
);

-- One row per `newsflow export` that wrote something.
CREATE TABLE exports (
    export_id     VARCHAR PRIMARY KEY,
    out_dir       VARCHAR NOT NULL,                  -- absolute path of the export folder
    format        VARCHAR NOT NULL,                  -- parquet | csv | jsonl
    since         DATE,
    full_export   BOOLEAN NOT NULL,
    started_at    TIMESTAMPTZ NOT NULL,
    finished_at   TIMESTAMPTZ NOT NULL,
    articles      INTEGER NOT NULL,                  -- rows written
    partitions    INTEGER NOT NULL                   -- day=YYYY-MM-DD folders rewritten
);

-- What each export folder holds: every article written there, its day folder and a
-- fingerprint of its exported columns, so the next export rewrites only changed days.
CREATE TABLE exported_articles (
    out_dir       VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    day           DATE NOT NULL,
    fingerprint   VARCHAR NOT NULL,
    export_id     VARCHAR NOT NULL,
    PRIMARY KEY (out_dir, article_id)
);
