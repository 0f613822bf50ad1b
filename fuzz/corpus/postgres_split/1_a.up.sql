CREATE TABLE a (id int);
CREATE TABLEE b (id int);
