#include "migrate/catalog_diff.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace migrate {
namespace {

using Key = std::pair<std::string, std::string>;  // name, kind

std::vector<AttributeChange> Compare(const CatalogObject& from, const CatalogObject& to) {
  std::vector<AttributeChange> out;
  for (const auto& [key, value] : to.attributes) {
    const std::string* old = from.Find(key);
    if (!old || *old != value) out.push_back({key, old ? *old : "", value});
  }
  for (const auto& [key, value] : from.attributes) {
    if (!to.Find(key)) out.push_back({key, value, ""});
  }
  return out;
}

// Removes the parts of added or removed tables and views, counting them on their owner. The
// changes are sorted by name, so an owner's parts follow it among the names it prefixes.
void Fold(std::vector<CatalogChange>& changes) {
  std::vector<bool> gone(changes.size(), false);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (changes[i].kind == CatalogChange::Kind::kChanged || gone[i]) continue;
    const CatalogObject& owner = changes[i].object;
    for (std::size_t j = i + 1;
         j < changes.size() && changes[j].object.name.starts_with(owner.name); ++j) {
      if (changes[j].kind == changes[i].kind && changes[j].object.IsPartOf(owner)) {
        gone[j] = true;
        ++changes[i].folded[changes[j].object.kind];
      }
    }
  }
  std::size_t k = 0;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    if (gone[i]) continue;
    if (k != i) changes[k] = std::move(changes[i]);
    ++k;
  }
  changes.resize(k);
}

// The columns of each table or view of `objects`, in position order (Describe puts them right
// after their owner).
std::map<std::string, std::vector<std::string>> ColumnOrder(
    const std::vector<CatalogObject>& objects) {
  std::map<std::string, std::vector<std::string>> out;
  const CatalogObject* owner = nullptr;
  for (const CatalogObject& o : objects) {
    if (o.kind != "column") {
      if (o.kind == "table" || o.kind == "view" || o.kind == "materialized_view") owner = &o;
      continue;
    }
    if (owner && o.IsPartOf(*owner)) out[owner->name].push_back(o.name);
  }
  return out;
}

// The columns whose position changed only because others came or went: the columns both
// sides have are in the same order. Their position is no difference.
std::set<std::string> ShiftedOnly(const std::vector<CatalogObject>& from,
                                  const std::vector<CatalogObject>& to) {
  std::map<std::string, std::vector<std::string>> before = ColumnOrder(from),
                                                  after = ColumnOrder(to);
  std::set<std::string> out;
  for (const auto& [table, old_columns] : before) {
    auto it = after.find(table);
    if (it == after.end()) continue;
    std::set<std::string> old_set(old_columns.begin(), old_columns.end());
    std::set<std::string> new_set(it->second.begin(), it->second.end());
    std::vector<std::string> kept_old, kept_new;
    for (const std::string& c : old_columns)
      if (new_set.count(c)) kept_old.push_back(c);
    for (const std::string& c : it->second)
      if (old_set.count(c)) kept_new.push_back(c);
    if (kept_old == kept_new) out.insert(kept_old.begin(), kept_old.end());
  }
  return out;
}

// A value on one line: "(none)" when empty, in double quotes with \\n for newlines when it has
// any (a view or function body), as it is otherwise.
std::string Shown(const std::string& value) {
  if (value.empty()) return "(none)";
  if (value.find_first_of("\n\t") == std::string::npos) return value;
  std::string out = "\"";
  for (char ch : value) out += ch == '\n' ? "\\n" : ch == '\t' ? "\\t" : std::string(1, ch);
  return out + "\"";
}

}  // namespace

std::vector<CatalogChange> DiffCatalogs(const std::vector<CatalogObject>& from,
                                        const std::vector<CatalogObject>& to) {
  std::map<Key, const CatalogObject*> before, after;
  for (const CatalogObject& o : from) before[{o.name, o.kind}] = &o;
  for (const CatalogObject& o : to) after[{o.name, o.kind}] = &o;
  std::set<std::string> shifted = ShiftedOnly(from, to);
  std::vector<CatalogChange> out;
  for (const auto& [key, o] : after) {
    auto it = before.find(key);
    if (it == before.end()) {
      out.push_back({CatalogChange::Kind::kAdded, *o, {}, {}});
      continue;
    }
    if (*it->second == *o) continue;
    std::vector<AttributeChange> changes = Compare(*it->second, *o);
    if (o->kind == "column" && shifted.count(o->name)) {
      std::erase_if(changes, [](const AttributeChange& a) { return a.attribute == "position"; });
    }
    if (!changes.empty()) out.push_back({CatalogChange::Kind::kChanged, *o, changes, {}});
  }
  for (const auto& [key, o] : before) {
    if (!after.count(key)) out.push_back({CatalogChange::Kind::kRemoved, *o, {}, {}});
  }
  std::stable_sort(out.begin(), out.end(), [](const CatalogChange& a, const CatalogChange& b) {
    return std::tie(a.object.name, a.object.kind) < std::tie(b.object.name, b.object.kind);
  });
  Fold(out);
  return out;
}

std::string RenderDiff(const std::vector<CatalogChange>& changes) {
  std::string out;
  for (const CatalogChange& c : changes) {
    const CatalogObject& o = c.object;
    switch (c.kind) {
      case CatalogChange::Kind::kAdded:
      case CatalogChange::Kind::kRemoved: {
        bool added = c.kind == CatalogChange::Kind::kAdded;
        out += std::string(added ? "+ " : "- ") + o.kind + " " + o.name;
        if (added) {
          for (const auto& [key, value] : o.attributes) {
            out += " " + key + (value == "true" ? "" : "=" + Shown(value));
          }
        }
        if (!c.folded.empty()) {
          std::string parts;
          for (const auto& [kind, n] : c.folded) {
            parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " + kind +
                     (n > 1 ? (kind == "index" ? "es" : "s") : "");
          }
          out += " (with " + parts + ")";
        }
        break;
      }
      case CatalogChange::Kind::kChanged: {
        out += "~ " + o.kind + " " + o.name + ":";
        for (std::size_t i = 0; i < c.changes.size(); ++i) {
          const AttributeChange& a = c.changes[i];
          out += (i ? "; " : " ") + a.attribute + " " + Shown(a.from) + " -> " + Shown(a.to);
        }
        break;
      }
    }
    out += "\n";
  }
  return out;
}

std::string RenderDiffJson(const std::vector<CatalogChange>& changes) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const CatalogChange& c : changes) {
    const char* kind = c.kind == CatalogChange::Kind::kAdded     ? "added"
                       : c.kind == CatalogChange::Kind::kRemoved ? "removed"
                                                                 : "changed";
    nlohmann::ordered_json j{{"change", kind}, {"kind", c.object.kind}, {"name", c.object.name}};
    if (c.kind == CatalogChange::Kind::kChanged) {
      nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
      for (const AttributeChange& a : c.changes)
        attrs[a.attribute] = {{"from", a.from}, {"to", a.to}};
      j["changes"] = attrs;
    } else {
      nlohmann::ordered_json attrs = nlohmann::ordered_json::object();
      for (const auto& [key, value] : c.object.attributes) attrs[key] = value;
      j["attributes"] = attrs;
      if (!c.folded.empty()) j["folded"] = c.folded;
    }
    out.push_back(std::move(j));
  }
  return out.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace migrate
