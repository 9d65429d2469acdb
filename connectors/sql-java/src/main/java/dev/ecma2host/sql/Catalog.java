package dev.ecma2host.sql;

import dev.ecma2host.ecma2.v1.AttributeType;
import dev.ecma2host.ecma2.v1.Schema;
import dev.ecma2host.ecma2.v1.SchemaAttribute;
import dev.ecma2host.ecma2.v1.SchemaType;
import dev.ecma2host.sdk.Model;
import dev.ecma2host.sdk.fault.NoSuchObjectTypeException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The schema read from the database's catalog: each configured table's columns with their ECMA2
 * types, foreign keys to another configured type as references, and multi-valued attributes
 * from child tables.
 */
final class Catalog {
    /** One column: its ECMA2 type, its SQL type name, and the object type it refers to (or null). */
    record Column(String name, AttributeType type, String sqlType, String refType) {}

    /** A multi-valued attribute from a child table. */
    record Multi(SqlConfig.MultiDef def, AttributeType type, String sqlType, String refType) {}

    /** One object type as found in the catalog. */
    record TypeInfo(SqlConfig.TypeDef def, Column anchor, Column dn, List<Column> columns, List<Multi> multis) {
        Column column(String name) {
            for (Column c : columns) {
                if (c.name().equalsIgnoreCase(name)) {
                    return c;
                }
            }
            return null;
        }

        Multi multi(String name) {
            for (Multi m : multis) {
                if (m.def().attribute().equalsIgnoreCase(name)) {
                    return m;
                }
            }
            return null;
        }
    }

    final Map<String, TypeInfo> types;

    private Catalog(Map<String, TypeInfo> types) {
        this.types = types;
    }

    TypeInfo type(String name) throws NoSuchObjectTypeException {
        TypeInfo t = types.get(name);
        if (t == null) {
            throw (NoSuchObjectTypeException) new NoSuchObjectTypeException("no object type " + name).objectType(name);
        }
        return t;
    }

    static AttributeType ecma2Type(int jdbcType) {
        return switch (jdbcType) {
            case Types.INTEGER, Types.BIGINT, Types.SMALLINT, Types.TINYINT -> AttributeType.ATTRIBUTE_TYPE_INTEGER;
            case Types.BOOLEAN, Types.BIT -> AttributeType.ATTRIBUTE_TYPE_BOOLEAN;
            case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> AttributeType.ATTRIBUTE_TYPE_BINARY;
            // Text, and everything with a text form: dates, numerics, UUIDs, ... travel as strings.
            default -> AttributeType.ATTRIBUTE_TYPE_STRING;
        };
    }

    private static String[] split(DatabaseMetaData md, String table) throws SQLException {
        String schema = null;
        String name = table;
        int dot = table.indexOf('.');
        if (dot > 0) {
            schema = table.substring(0, dot);
            name = table.substring(dot + 1);
        }
        if (md.storesLowerCaseIdentifiers()) {
            name = name.toLowerCase();
            schema = schema == null ? null : schema.toLowerCase();
        } else if (md.storesUpperCaseIdentifiers()) {
            name = name.toUpperCase();
            schema = schema == null ? null : schema.toUpperCase();
        }
        return new String[] {schema, name};
    }

    private record RawColumn(String name, int jdbcType, String typeName) {}

    private static Map<String, RawColumn> columns(DatabaseMetaData md, String table, String param)
            throws SQLException, SqlConfig.Invalid {
        String[] sn = split(md, table);
        Map<String, RawColumn> out = new LinkedHashMap<>();
        try (ResultSet rs = md.getColumns(null, sn[0], sn[1], null)) {
            while (rs.next()) {
                String name = rs.getString("COLUMN_NAME");
                out.putIfAbsent(name.toLowerCase(), new RawColumn(name, rs.getInt("DATA_TYPE"), rs.getString("TYPE_NAME")));
            }
        }
        if (out.isEmpty()) {
            throw new SqlConfig.Invalid(param, "table or view " + table + " does not exist or has no columns");
        }
        return out;
    }

    /** Foreign key column (lower case) to the referenced table (lower case). */
    private static Map<String, String> foreignKeys(DatabaseMetaData md, String table) throws SQLException {
        String[] sn = split(md, table);
        Map<String, String> out = new HashMap<>();
        try (ResultSet rs = md.getImportedKeys(null, sn[0], sn[1])) {
            while (rs.next()) {
                out.put(rs.getString("FKCOLUMN_NAME").toLowerCase(), rs.getString("PKTABLE_NAME").toLowerCase());
            }
        }
        return out;
    }

    static Catalog read(Connection c, SqlConfig cfg) throws SQLException, SqlConfig.Invalid {
        DatabaseMetaData md = c.getMetaData();
        Map<String, String> typeByTable = new HashMap<>();
        for (SqlConfig.TypeDef t : cfg.types.values()) {
            String table = t.table().toLowerCase();
            typeByTable.put(table.contains(".") ? table.substring(table.indexOf('.') + 1) : table, t.name());
        }
        Map<String, TypeInfo> types = new LinkedHashMap<>();
        for (SqlConfig.TypeDef t : cfg.types.values()) {
            Map<String, RawColumn> cols = columns(md, t.table(), SqlConfig.TYPES);
            Map<String, String> fks = foreignKeys(md, t.table());
            RawColumn anchor = cols.get(t.anchor().toLowerCase());
            if (anchor == null) {
                throw new SqlConfig.Invalid(SqlConfig.TYPES, "type " + t.name() + ": table " + t.table()
                        + " has no anchor column " + t.anchor());
            }
            RawColumn dn = cols.get(t.dn().toLowerCase());
            if (dn == null) {
                throw new SqlConfig.Invalid(SqlConfig.TYPES, "type " + t.name() + ": table " + t.table()
                        + " has no dn column " + t.dn());
            }
            List<Column> columns = new ArrayList<>();
            Column dnColumn = null;
            for (RawColumn rc : cols.values()) {
                if (rc.name().equalsIgnoreCase(t.anchor())) {
                    continue;
                }
                String ref = typeByTable.get(fks.getOrDefault(rc.name().toLowerCase(), ""));
                Column col = new Column(rc.name(), ref != null ? AttributeType.ATTRIBUTE_TYPE_REFERENCE
                        : ecma2Type(rc.jdbcType()), rc.typeName(), ref);
                columns.add(col);
                if (rc.name().equalsIgnoreCase(t.dn())) {
                    dnColumn = col;
                }
            }
            List<Multi> multis = new ArrayList<>();
            for (SqlConfig.MultiDef m : cfg.multisOf(t.name())) {
                Map<String, RawColumn> mc = columns(md, m.table(), SqlConfig.MULTI);
                for (String k : new String[] {m.owner(), m.value()}) {
                    if (!mc.containsKey(k.toLowerCase())) {
                        throw new SqlConfig.Invalid(SqlConfig.MULTI, t.name() + "." + m.attribute() + ": table "
                                + m.table() + " has no column " + k);
                    }
                }
                RawColumn v = mc.get(m.value().toLowerCase());
                String ref = typeByTable.get(foreignKeys(md, m.table()).getOrDefault(m.value().toLowerCase(), ""));
                multis.add(new Multi(m, ref != null ? AttributeType.ATTRIBUTE_TYPE_REFERENCE : ecma2Type(v.jdbcType()),
                        v.typeName(), ref));
            }
            types.put(t.name(), new TypeInfo(t, new Column(anchor.name(), ecma2Type(anchor.jdbcType()),
                    anchor.typeName(), null), dnColumn, columns, multis));
        }
        return new Catalog(types);
    }

    Schema schema() {
        Schema.Builder s = Schema.newBuilder();
        for (TypeInfo t : types.values()) {
            SchemaType.Builder st = SchemaType.newBuilder().setName(t.def().name()).setLocked(true)
                    .addAttributes(Model.anchor(t.anchor().name(), t.anchor().type()));
            for (Column c : t.columns()) {
                SchemaAttribute a = Model.single(c.name(), c.type());
                st.addAttributes(a);
            }
            for (Multi m : t.multis()) {
                st.addAttributes(Model.multi(m.def().attribute(), m.type()));
            }
            s.addTypes(st);
        }
        return s.build();
    }
}
