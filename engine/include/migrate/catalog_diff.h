// A structural diff of two catalogs (docs/design.md §11): the objects added, removed and
// changed, matched by kind and name, with the attributes that changed. The parts of a table
// or view that is added or removed as a whole (its columns, constraints, indexes, triggers)
// are folded into it, so a dropped table is one line, not thirty.
#ifndef MIGRATE_CATALOG_DIFF_H_
#define MIGRATE_CATALOG_DIFF_H_

#include <map>
#include <string>
#include <vector>

#include "migrate/catalog.h"

namespace migrate {

struct AttributeChange {
  std::string attribute;
  std::string from;  // "" when absent
  std::string to;
};

struct CatalogChange {
  enum class Kind { kAdded, kRemoved, kChanged };
  Kind kind = Kind::kChanged;
  CatalogObject object;                  // as it is in `to` (added, changed) or was (removed)
  std::vector<AttributeChange> changes;  // kChanged: in the object's attribute order
  // Added or removed as a whole: how many parts of each kind came or went with it.
  std::map<std::string, int> folded;
};

// What turns `from` into `to`, sorted by name (a table before its parts). Empty when equal.
std::vector<CatalogChange> DiffCatalogs(const std::vector<CatalogObject>& from,
                                        const std::vector<CatalogObject>& to);

// One line per change, for a DBA at a glance:
//   + column public.accounts.hotfix position=4 type=text
//   ~ index public.orders.orders_total: keys (total) -> (total, id)
//   - constraint public.orders.orders_customer_fk
std::string RenderDiff(const std::vector<CatalogChange>& changes);

// The changes as JSON: [{"change": "added|removed|changed", "kind", "name",
// "attributes": {...} or "changes": {"attr": {"from", "to"}}}...].
std::string RenderDiffJson(const std::vector<CatalogChange>& changes);

}  // namespace migrate

#endif  // MIGRATE_CATALOG_DIFF_H_
