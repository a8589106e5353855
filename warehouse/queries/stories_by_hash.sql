-- Story of an already-stored article with the same text: an exact duplicate joins its story.
SELECT content_hash, any_value(story_id) FROM articles
WHERE content_hash IN (SELECT unnest(CAST($hashes AS VARCHAR[])))
GROUP BY content_hash;
