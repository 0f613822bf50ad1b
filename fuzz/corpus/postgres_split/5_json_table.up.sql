-- migrate:lock-timeout 5s
CREATE TABLE events (id bigint PRIMARY KEY, payload jsonb);
-- PostgreSQL 17: JSON_TABLE.
CREATE VIEW event_items AS
  SELECT e.id, jt.sku, jt.qty
  FROM events e,
       JSON_TABLE(e.payload, '$.items[*]' COLUMNS (sku text PATH '$.sku', qty int PATH '$.qty')) AS jt;
ALTER TABLE ledger DROP COLUMN amount;
