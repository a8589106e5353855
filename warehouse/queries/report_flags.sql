-- Extraction quality per source: articles, clean ones, and how many carry each flag.
SELECT
    a.source_name,
    count(*) AS articles,
    count(*) FILTER (WHERE len(a.flags) = 0) AS clean,
    (SELECT map_from_entries(list((f.flag, f.articles) ORDER BY f.flag))
     FROM extraction_flags f WHERE f.source_name = a.source_name) AS flags
FROM articles a
GROUP BY a.source_name
ORDER BY a.source_name;
