package dev.ecma2host.sql;

import dev.ecma2host.ecma2.v1.AttributeType;
import dev.ecma2host.ecma2.v1.AttributeValue;
import dev.ecma2host.ecma2.v1.CSEntryChange;
import dev.ecma2host.ecma2.v1.ObjectModificationType;
import dev.ecma2host.sdk.Model;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Rows to entries: column values by ECMA2 type, references and multi-valued attributes resolved. */
final class Rows {
    private static final int CHUNK = 1000;

    private Rows() {}

    static Object value(ResultSet rs, String column, AttributeType type) throws SQLException {
        Object v = switch (type) {
            case ATTRIBUTE_TYPE_INTEGER -> rs.getLong(column);
            case ATTRIBUTE_TYPE_BOOLEAN -> rs.getBoolean(column);
            case ATTRIBUTE_TYPE_BINARY -> rs.getBytes(column);
            case ATTRIBUTE_TYPE_REFERENCE -> rs.getObject(column);
            default -> rs.getString(column);
        };
        return rs.wasNull() ? null : v;
    }

    static Map<String, Object> read(ResultSet rs, Catalog.TypeInfo t) throws SQLException {
        Map<String, Object> row = new HashMap<>();
        row.put(t.anchor().name(), value(rs, t.anchor().name(), t.anchor().type()));
        for (Catalog.Column c : t.columns()) {
            row.put(c.name(), value(rs, c.name(), c.type()));
        }
        return row;
    }

    /** A key from its text form (the change table stores keys as text). */
    static Object key(Catalog.TypeInfo t, String text) {
        if (t.anchor().type() == AttributeType.ATTRIBUTE_TYPE_INTEGER) {
            return Long.parseLong(text);
        }
        return text;
    }

    static String placeholders(int n) {
        return String.join(",", java.util.Collections.nCopies(n, "?"));
    }

    /** The rows of {@code t} whose anchor is one of {@code keys}. */
    static List<Map<String, Object>> byKeys(Connection c, Catalog.TypeInfo t, String select, List<Object> keys)
            throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        for (int i = 0; i < keys.size(); i += CHUNK) {
            List<Object> part = keys.subList(i, Math.min(keys.size(), i + CHUNK));
            try (PreparedStatement ps = c.prepareStatement("SELECT " + select + " FROM " + t.def().table() + " WHERE "
                    + t.anchor().name() + " IN (" + placeholders(part.size()) + ")")) {
                for (int j = 0; j < part.size(); j++) {
                    ps.setObject(j + 1, part.get(j));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        out.add(read(rs, t));
                    }
                }
            }
        }
        return out;
    }

    /** DNs of objects of {@code t} by anchor. */
    static Map<Object, String> dns(Connection c, Catalog.TypeInfo t, Collection<Object> keys) throws SQLException {
        Map<Object, String> out = new HashMap<>();
        List<Object> all = new ArrayList<>(keys);
        for (int i = 0; i < all.size(); i += CHUNK) {
            List<Object> part = all.subList(i, Math.min(all.size(), i + CHUNK));
            try (PreparedStatement ps = c.prepareStatement("SELECT " + t.anchor().name() + ", " + t.def().dn()
                    + " FROM " + t.def().table() + " WHERE " + t.anchor().name() + " IN ("
                    + placeholders(part.size()) + ")")) {
                for (int j = 0; j < part.size(); j++) {
                    ps.setObject(j + 1, part.get(j));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        Object k = value(rs, t.anchor().name(), t.anchor().type());
                        String dn = rs.getString(2);
                        out.put(k, Dn.of(t.def().name(), dn == null ? String.valueOf(k) : dn));
                    }
                }
            }
        }
        return out;
    }

    /** A reference key's normal form (JDBC may give Integer for one column and Long for another). */
    static Object norm(Object k) {
        return k instanceof Number n ? (Object) n.longValue() : k;
    }

    static List<CSEntryChange> entries(Connection c, Catalog catalog, Catalog.TypeInfo t,
            List<Map<String, Object>> rows, ObjectModificationType mod) throws Exception {
        if (rows.isEmpty()) {
            return List.of();
        }
        // References in the table's own columns.
        Map<String, Map<Object, String>> refDns = new HashMap<>();
        Map<String, Set<Object>> wanted = new HashMap<>();
        for (Catalog.Column col : t.columns()) {
            if (col.refType() != null) {
                for (Map<String, Object> r : rows) {
                    Object k = r.get(col.name());
                    if (k != null) {
                        wanted.computeIfAbsent(col.refType(), x -> new HashSet<>()).add(norm(k));
                    }
                }
            }
        }
        // Multi-valued attributes: owner key -> values.
        List<Object> owners = new ArrayList<>();
        for (Map<String, Object> r : rows) {
            owners.add(r.get(t.anchor().name()));
        }
        Map<String, Map<Object, List<Object>>> multiValues = new HashMap<>();
        for (Catalog.Multi m : t.multis()) {
            Map<Object, List<Object>> byOwner = new HashMap<>();
            for (int i = 0; i < owners.size(); i += CHUNK) {
                List<Object> part = owners.subList(i, Math.min(owners.size(), i + CHUNK));
                try (PreparedStatement ps = c.prepareStatement("SELECT " + m.def().owner() + ", " + m.def().value()
                        + " FROM " + m.def().table() + " WHERE " + m.def().owner() + " IN ("
                        + placeholders(part.size()) + ") ORDER BY " + m.def().owner() + ", " + m.def().value())) {
                    for (int j = 0; j < part.size(); j++) {
                        ps.setObject(j + 1, part.get(j));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Object owner = norm(rs.getObject(1));
                            Object v = value(rs, m.def().value(), m.type());
                            if (v != null) {
                                byOwner.computeIfAbsent(owner, x -> new ArrayList<>()).add(v);
                                if (m.refType() != null) {
                                    wanted.computeIfAbsent(m.refType(), x -> new HashSet<>()).add(norm(v));
                                }
                            }
                        }
                    }
                }
            }
            multiValues.put(m.def().attribute(), byOwner);
        }
        for (Map.Entry<String, Set<Object>> w : wanted.entrySet()) {
            refDns.put(w.getKey(), dns(c, catalog.type(w.getKey()), w.getValue()));
        }
        List<CSEntryChange> out = new ArrayList<>(rows.size());
        for (Map<String, Object> r : rows) {
            Object key = r.get(t.anchor().name());
            Object naming = r.get(t.def().dn());
            Model.Entry e = Model.entry(mod, t.def().name())
                    .dn(Dn.of(t.def().name(), naming == null ? String.valueOf(key) : String.valueOf(naming)))
                    .anchor(t.anchor().name(), key);
            for (Catalog.Column col : t.columns()) {
                Object v = r.get(col.name());
                if (v == null) {
                    continue;
                }
                if (col.refType() != null) {
                    String dn = refDns.getOrDefault(col.refType(), Map.of()).get(norm(v));
                    if (dn != null) {
                        e.attr(col.name(), Model.reference(dn));
                    }
                } else {
                    e.attr(col.name(), v);
                }
            }
            for (Catalog.Multi m : t.multis()) {
                List<Object> vs = multiValues.get(m.def().attribute()).getOrDefault(norm(key), List.of());
                List<AttributeValue> values = new ArrayList<>();
                for (Object v : vs) {
                    if (m.refType() != null) {
                        String dn = refDns.getOrDefault(m.refType(), Map.of()).get(norm(v));
                        if (dn != null) {
                            values.add(Model.reference(dn));
                        }
                    } else {
                        values.add(Model.value(v));
                    }
                }
                e.attr(m.def().attribute(), m.type(), true, values);
            }
            out.add(e.build());
        }
        return out;
    }
}
