INSERT INTO site_paragraphs SELECT * FROM batch_paragraphs ON CONFLICT DO NOTHING;
