-- migrate:lock-timeout 5s
-- Track how many of each product are on the shelf.
ALTER TABLE products ADD COLUMN stock INTEGER NOT NULL DEFAULT 0;
