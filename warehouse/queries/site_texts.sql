-- Texts of a site's articles that have a paragraph among $fingerprints (templates not applied
-- yet): site_paragraphs narrows the clean-up to the articles that can change, instead of every
-- article the site ever had.
SELECT a.article_id, a.text
FROM articles a
WHERE a.article_id IN (
    SELECT article_id FROM site_paragraphs
    WHERE site = $site AND fingerprint IN (SELECT unnest(CAST($fingerprints AS VARCHAR[])))
);
