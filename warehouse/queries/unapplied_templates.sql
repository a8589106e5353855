-- Per site, the templates learned since the stored texts were last cleaned.
SELECT site, list(fingerprint)
FROM site_templates
WHERE NOT applied
GROUP BY site;
