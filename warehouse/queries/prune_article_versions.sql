-- Earlier texts of changed articles that were fetched before $cutoff (keep_article_versions_days).
DELETE FROM article_versions WHERE fetched_at < $cutoff;
