-- Every source (a small table, published whole).
SELECT * FROM sources ORDER BY name;
