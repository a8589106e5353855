SELECT article_id, text FROM articles WHERE site = $site;
