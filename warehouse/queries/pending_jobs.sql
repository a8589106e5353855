-- One job per distinct pending URL, oldest discovery first; the first source to list it names it.
SELECT url, arg_min(source_name, first_seen_at) AS source_name, arg_min(entry_json, first_seen_at) AS entry_json
FROM discoveries
WHERE state = 'pending' AND url IS NOT NULL AND attempts < $max_attempts
GROUP BY url
ORDER BY min(first_seen_at), url;
