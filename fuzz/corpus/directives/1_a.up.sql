-- migrate:no-transactoin
CREATE TABLE a (x);
