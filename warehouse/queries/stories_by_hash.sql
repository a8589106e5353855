-- Story of an already-stored article with the same text: an exact duplicate joins its story.
SELECT content_hash, any_value(story_id) FROM articles
WHERE list_contains($hashes, content_hash)
GROUP BY content_hash;
