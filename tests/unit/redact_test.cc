#include "migrate/redact.h"

#include <catch2/catch.hpp>

using namespace migrate;

TEST_CASE("passwords are redacted from URLs and text", "[unit]") {
  CHECK(RedactUrl("postgres://app:s3cret@db:5432/shop") == "postgres://app:***@db:5432/shop");
  CHECK(RedactUrl("postgres://app@db/shop?sslmode=require&password=hunter2") ==
        "postgres://app@db/shop?sslmode=require&password=***");
  CHECK(RedactUrl("sqlite:dev.db") == "sqlite:dev.db");
  // libpq reads the password up to the '@': '?', '#' and ':' are part of it.
  CHECK(RedactUrl("postgres://app:wr?o#n:g@db/shop?x=1") == "postgres://app:***@db/shop?x=1");
  CHECK(SecretsOfUrl("postgres://app:wr?o#n:g@db/shop") == std::vector<std::string>{"wr?o#n:g"});
  auto secrets = SecretsOfUrl("postgresql://u:p%40ss@h/d?password=two");
  REQUIRE(secrets.size() == 2);
  CHECK(RedactSecrets("failed for p%40ss and two", secrets) == "failed for *** and ***");
}
