-- Paragraph fingerprints of the articles not fetched since $cutoff (keep_site_paragraphs_days,
-- the template window). learn_templates counts what is left, so a paragraph becomes a template
-- when it recurs within the window; templates learned already stay in site_templates. Every
-- site_paragraphs row belongs to a stored article (load_pages writes both), so the rows kept
-- are those of the window's articles: the join holds the window, not the whole warehouse.
DELETE FROM site_paragraphs
WHERE article_id NOT IN (SELECT article_id FROM articles WHERE fetched_at >= $cutoff);
