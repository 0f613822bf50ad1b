// The planner's partitions and inheriting tables: made after their parents, and their
// indexes on existing partitioned tables. PostgreSQL builds no index of a
// partitioned table CONCURRENTLY, and a plain CREATE INDEX on it blocks writes to every
// partition while it builds; so, as its documentation advises (CREATE INDEX, "Building
// Indexes Concurrently" on partitioned tables), the index is made ON ONLY the table (invalid,
// at once), each partition's index CONCURRENTLY, and each attached; the last attach makes
// the parent's valid.
#include <algorithm>
#include <set>

#include "migrate/sha256.h"
#include "schema_plan_internal.h"

namespace migrate::plan {
namespace {

constexpr std::size_t kMaxName = 63;  // NAMEDATALEN - 1

class Spreader {
 public:
  Spreader(const Catalog& to, std::vector<SchemaChange>& out) : to_(to), out_(out) {
    for (const CatalogTable& t : to.tables) {
      taken_.insert(t.schema + "." + t.name);
      for (const CatalogIndex& i : t.indexes) taken_.insert(t.schema + "." + i.name);
      for (const CatalogConstraint& c : t.constraints) taken_.insert(t.schema + "." + c.name);
    }
    for (const CatalogView& v : to.views) taken_.insert(v.schema + "." + v.name);
    for (const CatalogSequence& q : to.sequences) taken_.insert(q.schema + "." + q.name);
  }

  // The changes that build the partitions' copies of `index` of `table` (named `name` there),
  // each after its partition's own partitions' when it has some.
  void Spread(const CatalogTable& table, const CatalogIndex& index, const std::string& name) {
    for (const CatalogTable& p : to_.tables) {
      if (p.partition_of != ObjectName(table.schema, table.name)) continue;
      std::string child = FreeName(p, index);
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
  // "<partition>_<index>", as short as PostgreSQL keeps names (a hash of the whole in place of
  // what is cut, never in the middle of a UTF-8 character) and taken by nothing in the schema.
  std::string FreeName(const CatalogTable& p, const CatalogIndex& index) {
    std::string whole = p.name + "_" + index.name;
    for (int n = 0;; ++n) {
      std::string name = whole + (n ? "_" + std::to_string(n) : "");
      if (name.size() > kMaxName) {
        std::string hash = "_" + Sha256Hex(name).substr(0, 8);
        std::size_t keep = kMaxName - hash.size();
        while (keep > 0 && (static_cast<unsigned char>(name[keep]) & 0xC0) == 0x80) --keep;
        name = name.substr(0, keep) + hash;
      }
      if (taken_.insert(p.schema + "." + name).second) return name;
    }
  }

  const Catalog& to_;
  std::vector<SchemaChange>& out_;
  std::set<std::string> taken_;  // "schema.name" of the relations and constraints
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
    bool spread = c.kind == Kind::kCreateIndex && c.existing && OfPartitionedTable(c.index);
    out.push_back(c);
    if (!spread) continue;
    if (const CatalogTable* table = FindTable(to, c.schema, c.owner)) {
      Spreader(to, out).Spread(*table, c.index, c.index.name);
    }
  }
  plan.phases[kCreateIndexes] = std::move(out);
}

}  // namespace migrate::plan
