// The planner's partitions and inheriting tables: made after their parents, and their
// indexes on existing partitioned tables. PostgreSQL builds no index of a
// partitioned table CONCURRENTLY, and a plain CREATE INDEX on it blocks writes to every
// partition while it builds; so, as its documentation advises (CREATE INDEX, "Building
// Indexes Concurrently" on partitioned tables), the index is made ON ONLY the table (invalid,
// at once), each partition's index CONCURRENTLY, and each attached; the last attach makes
// the parent's valid.
#include <algorithm>

#include "schema_plan_internal.h"

namespace migrate::plan {
namespace {

constexpr std::size_t kMaxName = 63;  // NAMEDATALEN - 1

class Spreader {
 public:
  Spreader(const Catalog& to, std::vector<SchemaChange>& out) : to_(to), out_(out) {}

  // The changes that build `index` (named `name`) of `table` and of its partitions; the
  // first is `first` (the ON ONLY index itself) when `table` is the top.
  void Spread(const CatalogTable& table, const CatalogIndex& index, const std::string& name) {
    for (const CatalogTable& p : to_.tables) {
      if (p.partition_of != ObjectName(table.schema, table.name)) continue;
      std::string child = (p.name + "_" + index.name).substr(0, kMaxName);
      SchemaChange c;
      c.kind = Kind::kCreateIndex;
      c.schema = p.schema;
      c.owner = p.name;
      c.existing = true;
      c.attached = true;
      c.index = index;
      c.new_name = child;
      c.table.kind = p.kind;
      out_.push_back(c);
      if (p.kind == "partitioned table") Spread(p, index, child);
      SchemaChange attach;
      attach.kind = Kind::kAttachIndex;
      attach.schema = table.schema;
      attach.owner = table.name;
      attach.index.name = name;
      attach.new_name = ObjectName(p.schema, child);
      out_.push_back(attach);
    }
  }

 private:
  const Catalog& to_;
  std::vector<SchemaChange>& out_;
};

}  // namespace

// Whether `child` is a partition of `parent` or inherits from it.
bool ChildOf(const CatalogTable& child, const CatalogTable& parent) {
  std::string name = ObjectName(parent.schema, parent.name);
  return child.partition_of == name ||
         std::find(child.inherits.begin(), child.inherits.end(), name) != child.inherits.end();
}

// `tables` ordered so that a partition or an inheriting table comes after its parents.
std::vector<const CatalogTable*> ParentsFirst(std::vector<const CatalogTable*> tables) {
  std::vector<const CatalogTable*> out;
  while (!tables.empty()) {
    auto next = std::find_if(tables.begin(), tables.end(), [&](const CatalogTable* t) {
      return std::none_of(tables.begin(), tables.end(),
                          [&](const CatalogTable* p) { return p != t && ChildOf(*t, *p); });
    });
    if (next == tables.end()) next = tables.begin();
    out.push_back(*next);
    tables.erase(next);
  }
  return out;
}

void SpreadPartitionedIndexes(const Catalog& to, Plan& plan) {
  std::vector<SchemaChange> out;
  for (SchemaChange& c : plan.phases[kCreateIndexes]) {
    bool spread = c.kind == Kind::kCreateIndex && c.existing &&
                  c.index.sql.find(" ON ONLY ") != std::string::npos;
    out.push_back(c);
    if (!spread) continue;
    auto table = std::find_if(to.tables.begin(), to.tables.end(), [&](const CatalogTable& t) {
      return t.schema == c.schema && t.name == c.owner;
    });
    if (table != to.tables.end()) Spreader(to, out).Spread(*table, c.index, c.index.name);
  }
  plan.phases[kCreateIndexes] = std::move(out);
}

}  // namespace migrate::plan
