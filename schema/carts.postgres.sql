CREATE TABLE carts (
  id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  customer_id bigint      NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE cart_items (
  cart_id    bigint  NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
  product_id bigint  NOT NULL REFERENCES products (id),
  quantity   integer NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (cart_id, product_id)
);
