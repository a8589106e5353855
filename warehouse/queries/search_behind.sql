-- Articles stored but not in search_docs yet (new since the last index update): two counts, no
-- scan, so every search can say how far behind the index is.
SELECT greatest((SELECT count(*) FROM articles) - (SELECT count(*) FROM search_docs), 0);
