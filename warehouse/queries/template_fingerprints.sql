-- Per site, paragraph fingerprints seen on at least $min_pages distinct pages (site templates).
SELECT site, list(fingerprint)
FROM (
    SELECT site, fingerprint
    FROM site_paragraphs
    WHERE $all_sites OR list_contains($sites, site)
    GROUP BY site, fingerprint
    HAVING count(*) >= $min_pages
)
GROUP BY site;
