-- Per site, paragraph fingerprints seen in at least $min_stories distinct stories (site templates).
-- Stories, not pages: a wire story republished on several pages of one site repeats its
-- paragraphs legitimately, so near-duplicate pages count once.
SELECT site, list(fingerprint)
FROM (
    SELECT p.site, p.fingerprint
    FROM site_paragraphs p
    LEFT JOIN articles a USING (article_id)
    WHERE $all_sites OR list_contains($sites, p.site)
    GROUP BY p.site, p.fingerprint
    HAVING count(DISTINCT coalesce(a.story_id, p.article_id)) >= $min_stories
)
GROUP BY site;
