-- Paragraphs of the batch (batch_paragraphs) now seen in at least $min_stories distinct stories
-- of their site become site templates. Stories, not pages: a wire story republished on several
-- pages of one site repeats its paragraphs legitimately, so near-duplicate pages count once.
-- Only the batch's fingerprints can have reached the threshold, so only their rows are counted.
INSERT INTO site_templates (site, fingerprint, learned_at)
SELECT p.site, p.fingerprint, $now
FROM site_paragraphs p
SEMI JOIN (
    SELECT DISTINCT site, unnest(fingerprints) AS fingerprint FROM batch_paragraphs
) b ON b.site = p.site AND b.fingerprint = p.fingerprint
ANTI JOIN site_templates t ON t.site = p.site AND t.fingerprint = p.fingerprint
LEFT JOIN articles a ON a.article_id = p.article_id
GROUP BY p.site, p.fingerprint
HAVING count(DISTINCT coalesce(a.story_id, p.article_id)) >= $min_stories;
