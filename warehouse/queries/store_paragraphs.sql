-- Every paragraph fingerprint of the batch's pages (batch_paragraphs: one row per page) not
-- stored yet (site_paragraphs has no key index to check, see migration 0004).
INSERT INTO site_paragraphs (site, fingerprint, article_id)
SELECT DISTINCT b.site, b.fingerprint, b.article_id
FROM (SELECT site, unnest(fingerprints) AS fingerprint, article_id FROM batch_paragraphs) b
ANTI JOIN site_paragraphs p
    ON p.site = b.site AND p.fingerprint = b.fingerprint AND p.article_id = b.article_id;
