-- header

SELECT * FROM a WHERE;
