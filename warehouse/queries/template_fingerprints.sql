-- Per site (all, or those of $sites), the paragraph fingerprints of its learned templates.
SELECT site, list(fingerprint)
FROM site_templates
WHERE $all_sites OR site IN (SELECT unnest(CAST($sites AS VARCHAR[])))
GROUP BY site;
