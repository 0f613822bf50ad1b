#include "postgres/postgres_catalog_queries.h"

namespace migrate::postgres::catalog_sql {
namespace {

// User namespaces: not the system ones, not toast or temporary ones.
constexpr const char* kUserNamespace =
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'";

// Not a member of an extension: pg_dump leaves those to CREATE EXTENSION, and so do we.
std::string NotExtensionMember(const char* catalog, const char* oid) {
  return std::string("NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.classid = '") + catalog +
         "'::regclass AND e.objid = " + oid + " AND e.deptype = 'e')";
}

// A comment as a join, not obj_description() per row (a function call per column of 1000
// tables is most of the columns query): `alias`.description for `oid` in `catalog`.
std::string Comment(const char* alias, const char* catalog, const char* oid,
                    const char* subid = "0") {
  return std::string(" LEFT JOIN pg_description ") + alias + " ON " + alias + ".objoid = " + oid +
         " AND " + alias + ".classoid = '" + catalog + "'::regclass AND " + alias +
         ".objsubid = " + subid;
}

// The user relations whose parts (columns, constraints, indexes, triggers) are read: tables,
// partitioned and foreign tables, views and materialized views, migrate's own left out.
std::string Relations(const std::string& own) {
  return "WITH rels AS (SELECT c.oid, c.relkind FROM pg_class c JOIN pg_namespace n"
         " ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm') AND " +
         std::string(kUserNamespace) + " AND c.oid <> ALL (" + own + ") AND " +
         NotExtensionMember("pg_class", "c.oid") + ") ";
}

}  // namespace

std::string OwnTables(std::size_t count) {
  std::string list;
  for (std::size_t i = 1; i <= count; ++i) list += (i > 1 ? ", $" : "$") + std::to_string(i);
  return "SELECT coalesce(string_agg(to_regclass(t)::oid::text, ','), '') FROM unnest(ARRAY[" +
         list + "]) AS t WHERE to_regclass(t) IS NOT NULL";
}

std::string Schemas(const std::string& own_schemas) {
  return "SELECT n.nspname, coalesce(ds.description, '') FROM pg_namespace n" +
         Comment("ds", "pg_namespace", "n.oid") + " WHERE " + std::string(kUserNamespace) +
         " AND n.nspname <> ALL (" + own_schemas + ") AND " +
         NotExtensionMember("pg_namespace", "n.oid");
}

std::string Extensions() {
  return "SELECT e.extname, e.extversion, n.nspname FROM pg_extension e"
         " JOIN pg_namespace n ON n.oid = e.extnamespace";
}

std::string RelationRows(const std::string& own) {
  return "SELECT c.oid::text, n.nspname, c.relname, c.relkind::text, c.relpersistence::text,"
         " coalesce(pg_get_partkeydef(c.oid), ''),"
         " coalesce((SELECT pn.nspname || chr(31) || pc.relname FROM pg_inherits i"
         "   JOIN pg_class pc ON pc.oid = i.inhparent JOIN pg_namespace pn"
         "   ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid AND c.relispartition), ''),"
         " coalesce(pg_get_expr(c.relpartbound, c.oid), ''),"
         " coalesce(ds.description, ''),"
         " CASE WHEN c.relkind IN ('v', 'm') THEN pg_get_viewdef(c.oid) ELSE '' END,"
         " coalesce(format_type(s.seqtypid, NULL), ''), coalesce(s.seqstart::text, ''),"
         " coalesce(s.seqincrement::text, ''), coalesce(s.seqmin::text, ''),"
         " coalesce(s.seqmax::text, ''), coalesce(s.seqcache::text, ''),"
         " coalesce(s.seqcycle, false),"
         " coalesce((SELECT dn.nspname || chr(31) || dc.relname || chr(31) || a.attname"
         "   FROM pg_depend d JOIN pg_class dc ON dc.oid = d.refobjid"
         "   JOIN pg_namespace dn ON dn.oid = dc.relnamespace JOIN pg_attribute a"
         "   ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid"
         "   WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid"
         "   AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a'), ''),"
         " coalesce(array_to_string(c.reloptions, ', '), ''), c.relrowsecurity,"
         " c.relforcerowsecurity, c.relreplident::text,"
         " coalesce((SELECT string_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname),"
         "   chr(31) ORDER BY i.inhseqno) FROM pg_inherits i JOIN pg_class pc"
         "   ON pc.oid = i.inhparent JOIN pg_namespace pn ON pn.oid = pc.relnamespace"
         "   WHERE i.inhrelid = c.oid AND NOT c.relispartition), ''),"
         " c.relispopulated"
         " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
         " LEFT JOIN pg_sequence s ON s.seqrelid = c.oid" +
         Comment("ds", "pg_class", "c.oid") +
         " WHERE c.relkind IN ('r', 'p', 'f', 'v', 'm', 'S') AND " + std::string(kUserNamespace) +
         " AND c.oid <> ALL (" + own + ") AND " + NotExtensionMember("pg_class", "c.oid") +
         // Identity columns own their sequences: the column says it.
         " AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE"
         " d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype = 'i'))";
}

std::string Columns(const std::string& own) {
  return Relations(own) +
         "SELECT a.attrelid::text, a.attname, a.attnum,"
         " format_type(a.atttypid, a.atttypmod), a.attnotnull,"
         " coalesce(pg_get_expr(d.adbin, d.adrelid), ''), a.attidentity::text,"
         " a.attgenerated::text,"
         " coalesce((SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)"
         "   FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace"
         "   WHERE co.oid = a.attcollation AND a.attcollation <> t.typcollation), ''),"
         " coalesce(ds.description, ''), a.attislocal,"
         // An identity column's sequence options, from the sequence it owns internally.
         " CASE WHEN a.attidentity <> '' THEN (SELECT 'start=' || s.seqstart || ' increment='"
         "   || s.seqincrement || ' min=' || s.seqmin || ' max=' || s.seqmax || ' cache='"
         "   || s.seqcache || CASE WHEN s.seqcycle THEN ' cycle' ELSE '' END"
         "   FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid"
         "   WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = a.attrelid"
         "   AND d.refobjsubid = a.attnum AND d.classid = 'pg_class'::regclass"
         "   AND d.deptype = 'i') ELSE '' END"
         " FROM pg_attribute a JOIN rels r ON r.oid = a.attrelid AND r.relkind IN ('r', 'p', 'f')"
         " JOIN pg_type t ON t.oid = a.atttypid"
         " LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum" +
         Comment("ds", "pg_class", "a.attrelid", "a.attnum") +
         " WHERE a.attnum > 0 AND NOT a.attisdropped";
}

std::string Constraints(const std::string& own) {
  // Foreign keys are read as columns and actions (their attribute numbers are named from the
  // columns query), the others as their definition.
  return Relations(own) +
         "SELECT co.conrelid::text, co.conname, co.contype::text,"
         " CASE WHEN co.contype = 'f' THEN '' ELSE pg_get_constraintdef(co.oid) END,"
         " co.conkey::text, co.confrelid::text, co.confkey::text,"
         " co.confupdtype::text, co.confdeltype::text, co.confmatchtype::text,"
         " co.condeferrable, co.condeferred, co.convalidated,"
         " coalesce(ds.description, ''),"
         // A parent outside `rels` (an extension's table): named here, rarely.
         " CASE WHEN co.contype = 'f' AND co.confrelid NOT IN (SELECT oid FROM rels) THEN"
         "   (SELECT fn.nspname || chr(31) || fc.relname || chr(30) || (SELECT"
         "   string_agg(a.attname, chr(31) ORDER BY k.i) FROM unnest(co.confkey) WITH"
         "   ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = co.confrelid"
         "   AND a.attnum = k.n) FROM pg_class fc JOIN pg_namespace fn"
         "   ON fn.oid = fc.relnamespace WHERE fc.oid = co.confrelid) ELSE '' END"
         " FROM pg_constraint co JOIN rels r ON r.oid = co.conrelid" +
         Comment("ds", "pg_constraint", "co.oid") +
         " WHERE co.contype IN ('p', 'u', 'c', 'x', 'f') AND co.conislocal"
         " AND co.conparentid = 0";
}

std::string Indexes(const std::string& own) {
  return Relations(own) +
         "SELECT x.indrelid::text, ic.relname, x.indisunique, am.amname,"
         " pg_get_indexdef(x.indexrelid), x.indisvalid,"
         " coalesce(ds.description, '')"
         " FROM pg_index x JOIN rels r ON r.oid = x.indrelid"
         " JOIN pg_class ic ON ic.oid = x.indexrelid JOIN pg_am am ON am.oid = ic.relam" +
         Comment("ds", "pg_class", "ic.oid") +
         // A partition's copy of its parent's index, and the index behind a primary key,
         // unique or exclusion constraint, are said by the parent and the constraint.
         " WHERE NOT ic.relispartition AND NOT EXISTS (SELECT 1 FROM pg_constraint co"
         "   WHERE co.conindid = x.indexrelid AND co.conrelid = x.indrelid"
         "   AND co.contype IN ('p', 'u', 'x'))";
}

std::string Triggers(const std::string& own) {
  return Relations(own) +
         "SELECT t.tgrelid::text, t.tgname, pg_get_triggerdef(t.oid, false), t.tgenabled::text"
         " FROM pg_trigger t JOIN rels r ON r.oid = t.tgrelid"
         " WHERE NOT t.tgisinternal AND t.tgparentid = 0";
}

std::string Policies(const std::string& own) {
  return Relations(own) +
         "SELECT p.polrelid::text, p.polname, p.polcmd::text, p.polpermissive,"
         " CASE WHEN p.polroles = '{0}' THEN 'public' ELSE (SELECT string_agg(quote_ident("
         "   r.rolname), ', ' ORDER BY r.rolname) FROM pg_roles r WHERE r.oid = ANY (p.polroles))"
         "   END,"
         " coalesce(pg_get_expr(p.polqual, p.polrelid), ''),"
         " coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')"
         " FROM pg_policy p JOIN rels r ON r.oid = p.polrelid";
}

std::string Functions() {
  return "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid),"
         " p.prokind::text,"
         " CASE WHEN p.prokind <> 'p' THEN pg_get_function_result(p.oid) ELSE '' END,"
         " l.lanname, p.provolatile::text, p.proisstrict, p.prosecdef,"
         " coalesce(array_to_string(p.proconfig, ', '), ''),"
         " p.proparallel::text,"
         " CASE WHEN p.procost = CASE WHEN l.lanname IN ('c', 'internal') THEN 1 ELSE 100 END"
         "   THEN '' ELSE p.procost::text END,"
         " CASE WHEN p.proretset AND p.prorows <> 1000 THEN p.prorows::text ELSE '' END,"
         " encode(sha256(convert_to(coalesce(pg_get_function_sqlbody(p.oid), p.prosrc, ''),"
         "   'UTF8')), 'hex'),"
         " coalesce(ds.description, ''),"
         " CASE WHEN p.prokind IN ('f', 'p', 'w') THEN pg_get_functiondef(p.oid) ELSE '' END"
         " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
         " JOIN pg_language l ON l.oid = p.prolang" +
         Comment("ds", "pg_proc", "p.oid") + " WHERE " + std::string(kUserNamespace) + " AND " +
         NotExtensionMember("pg_proc", "p.oid") +
         // A range type's constructors come with it (an internal dependency).
         " AND NOT EXISTS (SELECT 1 FROM pg_depend i WHERE i.classid = 'pg_proc'::regclass"
         " AND i.objid = p.oid AND i.deptype = 'i')";
}

std::string Types() {
  return "SELECT n.nspname, t.typname, t.typtype::text,"
         " coalesce((SELECT string_agg(e.enumlabel, chr(31) ORDER BY e.enumsortorder)"
         "   FROM pg_enum e WHERE e.enumtypid = t.oid), ''),"
         " CASE WHEN t.typtype = 'd' THEN format_type(t.typbasetype, t.typtypmod) ELSE '' END,"
         " t.typnotnull, coalesce(pg_get_expr(t.typdefaultbin, 0), ''),"
         " coalesce((SELECT string_agg(pg_get_constraintdef(c.oid), chr(31)"
         "   ORDER BY pg_get_constraintdef(c.oid)) FROM pg_constraint c"
         "   WHERE c.contypid = t.oid), ''),"
         " CASE WHEN t.typtype = 'c' THEN coalesce((SELECT string_agg(quote_ident(a.attname)"
         "   || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)"
         "   FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0"
         "   AND NOT a.attisdropped), '') ELSE '' END,"
         " coalesce(ds.description, ''),"
         " coalesce(format_type(rg.rngsubtype, NULL), '')"
         " FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
         " LEFT JOIN pg_class tc ON tc.oid = t.typrelid"
         " LEFT JOIN pg_range rg ON rg.rngtypid = t.oid" +
         Comment("ds", "pg_type", "t.oid") +
         // A table's row type is the table: composite types of their own only.
         " WHERE (t.typtype IN ('e', 'd', 'r') OR (t.typtype = 'c' AND tc.relkind = 'c')) AND " +
         std::string(kUserNamespace) + " AND " + NotExtensionMember("pg_type", "t.oid");
}

}  // namespace migrate::postgres::catalog_sql
