-- Site templates as they are learned, instead of aggregated from all of site_paragraphs on
-- every run: a paragraph joins site_templates when a loaded batch brings its count of distinct
-- stories on the site to the threshold (warehouse/queries/learn_templates.sql), and `applied`
-- records that the stored texts were cleaned of it, so the clean-up at the end of a run reads
-- only the articles holding a template not applied yet. Existing templates are taken as
-- applied: every run cleaned its sites of what it learned.
CREATE TABLE site_templates (
    site          VARCHAR NOT NULL,
    fingerprint   VARCHAR NOT NULL,
    learned_at    TIMESTAMPTZ NOT NULL,
    applied       BOOLEAN NOT NULL DEFAULT FALSE,    -- stored texts cleaned of it
    PRIMARY KEY (site, fingerprint)
);

INSERT INTO site_templates (site, fingerprint, learned_at, applied)
SELECT p.site, p.fingerprint, now(), TRUE
FROM site_paragraphs p
LEFT JOIN articles a USING (article_id)
GROUP BY p.site, p.fingerprint
HAVING count(DISTINCT coalesce(a.story_id, p.article_id)) >= 3;

-- site_paragraphs without its primary key: every insert checked the key in an ART index of
-- every paragraph of every article, which DuckDB loads whole into the writer's memory (~120 MB
-- at 100,000 articles, growing with the warehouse); store_paragraphs now skips rows already
-- stored with an anti-join instead. Sorted by site and fingerprint, so a look-up of one site's
-- fingerprints skips most row groups.
CREATE TABLE site_paragraphs_keyless (
    site          VARCHAR NOT NULL,
    fingerprint   VARCHAR NOT NULL,
    article_id    VARCHAR NOT NULL
);

INSERT INTO site_paragraphs_keyless
SELECT site, fingerprint, article_id FROM site_paragraphs ORDER BY site, fingerprint;

DROP TABLE site_paragraphs;

ALTER TABLE site_paragraphs_keyless RENAME TO site_paragraphs;
