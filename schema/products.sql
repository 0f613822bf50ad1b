CREATE TABLE products (
  id          INTEGER PRIMARY KEY,
  sku         TEXT    NOT NULL UNIQUE,
  name        TEXT    NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents >= 0),
  created_at  TEXT    NOT NULL DEFAULT CURRENT_TIMESTAMP,
  stock       INTEGER NOT NULL DEFAULT 0
);
