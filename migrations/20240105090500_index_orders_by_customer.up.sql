-- Order history pages list a customer's orders, newest first.
CREATE INDEX orders_customer_placed_idx ON orders (customer_id, placed_at);
