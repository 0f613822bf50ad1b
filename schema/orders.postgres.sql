CREATE TYPE order_status AS ENUM ('placed', 'paid', 'shipped', 'cancelled');

CREATE TABLE orders (
  id          bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint       NOT NULL REFERENCES customers (id),
  status      order_status NOT NULL DEFAULT 'placed',
  total_cents integer      NOT NULL CHECK (total_cents >= 0),
  placed_at   timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX orders_customer_placed_idx ON orders (customer_id, placed_at DESC);

CREATE TABLE order_items (
  order_id    bigint  NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  product_id  bigint  NOT NULL REFERENCES products (id),
  quantity    integer NOT NULL CHECK (quantity > 0),
  price_cents integer NOT NULL CHECK (price_cents >= 0),
  PRIMARY KEY (order_id, product_id)
);
