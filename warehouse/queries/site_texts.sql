-- Texts of a site's articles that have a paragraph among $fingerprints (its learned templates):
-- site_paragraphs narrows the clean-up to the articles that can change, instead of every
-- article the site ever had.
SELECT a.article_id, a.text
FROM articles a
WHERE a.site = $site
  AND a.article_id IN (
      SELECT article_id FROM site_paragraphs
      WHERE site = $site AND list_contains($fingerprints, fingerprint)
  );
