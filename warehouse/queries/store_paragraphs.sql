-- Every paragraph fingerprint of the batch's pages (batch_paragraphs: one row per page).
INSERT INTO site_paragraphs (site, fingerprint, article_id)
SELECT site, unnest(fingerprints), article_id FROM batch_paragraphs
ON CONFLICT DO NOTHING;
