-- Initial schema: sources with their HTTP state, every feed entry discovered, articles,
-- raw pages for re-extraction, the fetch log and one row per ingest run.

CREATE TABLE sources (
    name                  VARCHAR PRIMARY KEY,
    url                   VARCHAR NOT NULL,          -- current feed URL (moved by 301/308)
    configured_url        VARCHAR NOT NULL,          -- as written in feeds.toml
    tags                  VARCHAR[] NOT NULL DEFAULT [],
    language              VARCHAR,
    enabled               BOOLEAN NOT NULL DEFAULT TRUE,
    disabled_reason       VARCHAR,                   -- e.g. "410 Gone"
    min_interval_s        INTEGER,                   -- per-source override from feeds.toml
    feed_interval_s       INTEGER,                   -- what the feed asks for (ttl, max-age, sy:updatePeriod)
    etag                  VARCHAR,
    last_modified         VARCHAR,
    body_hash             VARCHAR,                   -- sha256 of the last feed body parsed
    feed_title            VARCHAR,
    feed_format           VARCHAR,
    last_fetched_at       TIMESTAMPTZ,
    last_success_at       TIMESTAMPTZ,
    next_fetch_at         TIMESTAMPTZ,               -- not fetched before this (interval, backoff)
    consecutive_failures  INTEGER NOT NULL DEFAULT 0,
    last_error_class      VARCHAR,
    last_error            VARCHAR,
    added_at              TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE ingest_runs (
    run_id            VARCHAR PRIMARY KEY,
    flow_run_id       VARCHAR,                       -- Prefect flow run id
    started_at        TIMESTAMPTZ NOT NULL,
    finished_at       TIMESTAMPTZ,
    status            VARCHAR NOT NULL,              -- running | completed | failed
    feeds_total       INTEGER DEFAULT 0,
    feeds_fetched     INTEGER DEFAULT 0,
    feeds_not_modified INTEGER DEFAULT 0,
    feeds_skipped     INTEGER DEFAULT 0,             -- not due yet
    feeds_failed      INTEGER DEFAULT 0,
    entries_seen      INTEGER DEFAULT 0,
    entries_new       INTEGER DEFAULT 0,
    pages_fetched     INTEGER DEFAULT 0,
    pages_failed      INTEGER DEFAULT 0,
    articles_new      INTEGER DEFAULT 0,
    articles_updated  INTEGER DEFAULT 0,
    duration_s        DOUBLE,
    error             VARCHAR
);

-- Every entry of every feed, recorded before its page is fetched so an interrupted run resumes.
CREATE TABLE discoveries (
    source_name       VARCHAR NOT NULL,
    entry_key         VARCHAR NOT NULL,              -- sha256 of guid / link / title+date
    url               VARCHAR,                       -- normalised link; NULL when unusable
    guid              VARCHAR,
    title             VARCHAR,
    published_raw     VARCHAR,                       -- as the feed gave it
    published_at      TIMESTAMPTZ,                   -- NULL when missing or implausible
    updated_raw       VARCHAR,
    updated_at        TIMESTAMPTZ,
    problems          VARCHAR[] NOT NULL DEFAULT [],
    state             VARCHAR NOT NULL,              -- pending | done | failed | gave_up | skipped
    attempts          INTEGER NOT NULL DEFAULT 0,
    last_error_class  VARCHAR,
    last_error        VARCHAR,
    article_id        VARCHAR,
    entry_json        VARCHAR,                       -- the feed entry, for extraction hints
    first_seen_at     TIMESTAMPTZ NOT NULL,
    last_seen_at      TIMESTAMPTZ NOT NULL,
    first_run_id      VARCHAR,
    PRIMARY KEY (source_name, entry_key)
);

CREATE TABLE articles (
    article_id        VARCHAR PRIMARY KEY,           -- sha256(canonical_url)[:24]: one row per canonical URL
    canonical_url     VARCHAR NOT NULL,
    url               VARCHAR NOT NULL,              -- final URL after redirects
    site              VARCHAR,                       -- host the page belongs to (site templates)
    source_name       VARCHAR NOT NULL,              -- the first source that listed it
    title             VARCHAR,
    authors           VARCHAR[] NOT NULL DEFAULT [],
    published_at      TIMESTAMPTZ,
    updated_at        TIMESTAMPTZ,
    language          VARCHAR,
    declared_language VARCHAR,
    site_name         VARCHAR,
    categories        VARCHAR[] NOT NULL DEFAULT [],
    tags              VARCHAR[] NOT NULL DEFAULT [],
    image_url         VARCHAR,
    summary           VARCHAR,
    text              VARCHAR NOT NULL,
    word_count        INTEGER NOT NULL,
    content_hash      VARCHAR NOT NULL,
    flags             VARCHAR[] NOT NULL DEFAULT [],
    story_id          VARCHAR,
    story_signature   BLOB,
    fetched_at        TIMESTAMPTZ NOT NULL,
    first_run_id      VARCHAR NOT NULL,
    run_id            VARCHAR NOT NULL,              -- last run that wrote the row
    extractor_version VARCHAR NOT NULL,
    version           INTEGER NOT NULL DEFAULT 1
);

-- Which sources listed which article: one article, many feeds.
CREATE TABLE article_sources (
    article_id     VARCHAR NOT NULL,
    source_name    VARCHAR NOT NULL,
    first_seen_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (article_id, source_name)
);

-- Earlier texts of articles whose page changed.
CREATE TABLE article_versions (
    article_id    VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    title         VARCHAR,
    text          VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL,
    PRIMARY KEY (article_id, version)
);

-- The fetched HTML, zlib-compressed, so extraction can be re-run without refetching.
CREATE TABLE raw_pages (
    article_id    VARCHAR PRIMARY KEY,
    url           VARCHAR NOT NULL,
    final_url     VARCHAR NOT NULL,
    content_type  VARCHAR,
    html_zlib     BLOB NOT NULL,
    html_bytes    INTEGER NOT NULL,
    fetched_at    TIMESTAMPTZ NOT NULL
);

-- Every HTTP request made: feeds, pages, robots.txt.
CREATE TABLE fetch_log (
    run_id        VARCHAR,
    kind          VARCHAR NOT NULL,                  -- feed | page | robots | discovery
    source_name   VARCHAR,
    url           VARCHAR NOT NULL,
    final_url     VARCHAR,
    http_status   INTEGER,
    error_class   VARCHAR,                           -- NULL on success, else a FetchStatus
    error         VARCHAR,
    bytes         BIGINT NOT NULL DEFAULT 0,
    elapsed_ms    DOUBLE,
    attempts      INTEGER NOT NULL DEFAULT 1,
    requested_at  TIMESTAMPTZ NOT NULL
);

-- Paragraph fingerprints per site: one seen on several pages of a site is template, not article.
CREATE TABLE site_paragraphs (
    site          VARCHAR NOT NULL,
    fingerprint   VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL,
    PRIMARY KEY (site, fingerprint, article_id)
);
