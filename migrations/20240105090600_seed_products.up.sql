INSERT INTO products (sku, name, price_cents, stock) VALUES
  ('MUG-001', 'Enamel mug', 1200, 40),
  ('TEE-002', 'Cotton tee', 2500, 25),
  ('BAG-003', 'Canvas tote', 1800, 60);
