package dev.ecma2host.sql;

import dev.ecma2host.ecma2.v1.AnchorAttribute;
import dev.ecma2host.ecma2.v1.AttributeChange;
import dev.ecma2host.ecma2.v1.AttributeModificationType;
import dev.ecma2host.ecma2.v1.AttributeType;
import dev.ecma2host.ecma2.v1.AttributeValue;
import dev.ecma2host.ecma2.v1.CSEntryChange;
import dev.ecma2host.ecma2.v1.CSEntryChangeResult;
import dev.ecma2host.ecma2.v1.MAExportError;
import dev.ecma2host.ecma2.v1.ObjectModificationType;
import dev.ecma2host.sdk.Model;
import dev.ecma2host.sdk.fault.DroppedConnectionException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Export: each entry in its own transaction (insert, update per attribute, delete, child rows of
 * multi-valued attributes); a failed statement rolls back that entry only and becomes its
 * export error by SQL state.
 */
final class Exporter {
    private final Connection conn;
    private final Catalog catalog;

    Exporter(Connection conn, Catalog catalog) {
        this.conn = conn;
        this.catalog = catalog;
    }

    /** An entry-level failure that is not an SQL error (bad DN, unknown attribute, ...). */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final MAExportError code;
        final String name;

        Refused(MAExportError code, String name, String detail) {
            super(detail);
            this.code = code;
            this.name = name;
        }
    }

    CSEntryChangeResult export(CSEntryChange e) throws SQLException, DroppedConnectionException {
        conn.setAutoCommit(false);
        try {
            CSEntryChangeResult r = apply(e);
            conn.commit();
            return r;
        } catch (Refused x) {
            conn.rollback();
            return Model.failure(e.getIdentifier(), x.code, x.name, x.getMessage());
        } catch (SQLException x) {
            if (SqlErrors.connectionLost(x)) {
                throw new DroppedConnectionException("the database connection was lost (SQL state "
                        + SqlErrors.state(x) + "): " + x.getMessage());
            }
            conn.rollback();
            return Model.failure(e.getIdentifier(), SqlErrors.exportError(x), "sql-" + SqlErrors.state(x),
                    x.getMessage());
        } finally {
            conn.setAutoCommit(true);
        }
    }

    private Catalog.TypeInfo typeOf(CSEntryChange e) throws Refused {
        String type = e.getObjectType();
        if (type.isEmpty()) {
            Dn.Parsed dn = Dn.parse(e.getDn());
            type = dn == null || dn.type() == null ? "" : dn.type();
        }
        Catalog.TypeInfo t = catalog.types.get(type);
        if (t == null) {
            throw new Refused(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_DN, "no-such-object-type",
                    "no object type \"" + type + "\" for " + e.getDn());
        }
        return t;
    }

    private CSEntryChangeResult apply(CSEntryChange e) throws Refused, SQLException {
        Catalog.TypeInfo t = typeOf(e);
        return switch (e.getObjectModificationType()) {
            case OBJECT_MODIFICATION_TYPE_ADD -> add(t, e);
            case OBJECT_MODIFICATION_TYPE_UPDATE, OBJECT_MODIFICATION_TYPE_REPLACE -> {
                Object key = keyOf(t, e);
                update(t, key, e, e.getObjectModificationType() == ObjectModificationType.OBJECT_MODIFICATION_TYPE_REPLACE);
                yield Model.success(e.getIdentifier());
            }
            case OBJECT_MODIFICATION_TYPE_DELETE -> {
                Object key = keyOf(t, e);
                for (Catalog.Multi m : t.multis()) {
                    try (PreparedStatement ps = conn.prepareStatement(
                            "DELETE FROM " + m.def().table() + " WHERE " + m.def().owner() + " = ?")) {
                        ps.setObject(1, key);
                        ps.executeUpdate();
                    }
                }
                try (PreparedStatement ps = conn.prepareStatement(
                        "DELETE FROM " + t.def().table() + " WHERE " + t.anchor().name() + " = ?")) {
                    ps.setObject(1, key);
                    if (ps.executeUpdate() == 0) {
                        throw missing(e);
                    }
                }
                yield Model.success(e.getIdentifier());
            }
            default -> throw new Refused(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CUSTOM_CONTINUE_RUN,
                    "unsupported-change", "cannot export a " + e.getObjectModificationType() + " change");
        };
    }

    private static Refused missing(CSEntryChange e) {
        return new Refused(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT,
                "no-such-object", "no object " + e.getDn());
    }

    /** The row's key: the anchor when the entry has one, else a lookup by the DN's naming value. */
    private Object keyOf(Catalog.TypeInfo t, CSEntryChange e) throws Refused, SQLException {
        for (AnchorAttribute a : e.getAnchorAttributesList()) {
            if (a.getName().equalsIgnoreCase(t.anchor().name())) {
                Object v = Model.javaValue(a.getValue());
                if (t.anchor().type() == AttributeType.ATTRIBUTE_TYPE_INTEGER && v instanceof String s) {
                    v = Long.parseLong(s);
                }
                return v;
            }
        }
        Dn.Parsed dn = Dn.parse(e.getDn());
        if (dn == null) {
            throw new Refused(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_DN, "invalid-dn",
                    "not a DN: " + e.getDn());
        }
        Object key = lookup(t, dn.value());
        if (key == null) {
            throw missing(e);
        }
        return key;
    }

    private Object lookup(Catalog.TypeInfo t, String naming) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("SELECT " + t.anchor().name() + " FROM " + t.def().table()
                + " WHERE " + t.def().dn() + " = ?")) {
            ps.setString(1, naming);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Rows.norm(rs.getObject(1)) : null;
            }
        }
    }

    /** A value as the column wants it: references resolved to keys. */
    private Object sqlValue(AttributeValue v, String refType, String what) throws Refused, SQLException {
        if (refType != null) {
            String dnText = v.getReferenceValue().isEmpty() ? String.valueOf(Model.javaValue(v)) : v.getReferenceValue();
            Dn.Parsed dn = Dn.parse(dnText);
            Catalog.TypeInfo target = catalog.types.get(refType);
            Object key = dn == null ? null : lookup(target, dn.value());
            if (key == null) {
                throw new Refused(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_REFERENCE_ATTRIBUTE_FAILURE,
                        "reference-not-found", what + " refers to " + dnText + ", which is not a " + refType);
            }
            return key;
        }
        return Model.javaValue(v);
    }

    private void bind(PreparedStatement ps, int i, Object v) throws SQLException {
        if (v instanceof byte[] b) {
            ps.setBytes(i, b);
        } else {
            ps.setObject(i, v);
        }
    }

    /** "?" or a cast for types JDBC cannot bind a string to directly (dates, UUIDs, numerics, ...). */
    private static String param(Catalog.Column c) {
        if (c.type() == AttributeType.ATTRIBUTE_TYPE_STRING && c.sqlType() != null) {
            String s = c.sqlType().toLowerCase();
            if (!(s.contains("char") || s.contains("text") || s.equals("name"))) {
                return "CAST(? AS " + c.sqlType() + ")";
            }
        }
        return "?";
    }

    private CSEntryChangeResult add(Catalog.TypeInfo t, CSEntryChange e) throws Refused, SQLException {
        Map<Catalog.Column, Object> values = new LinkedHashMap<>();
        List<AttributeChange> multi = new ArrayList<>();
        for (AttributeChange a : e.getAttributeChangesList()) {
            if (a.getName().equalsIgnoreCase(t.anchor().name())) {
                continue; // the database assigns the key
            }
            if (t.multi(a.getName()) != null) {
                multi.add(a);
                continue;
            }
            Catalog.Column c = column(t, a.getName());
            List<AttributeValue> vs = Model.added(a);
            if (!vs.isEmpty()) {
                values.put(c, sqlValue(vs.get(0), c.refType(), a.getName()));
            }
        }
        Catalog.Column naming = t.dn();
        if (!values.containsKey(naming)) {
            Dn.Parsed dn = Dn.parse(e.getDn());
            if (dn == null || dn.value().isEmpty()) {
                throw new Refused(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_DN, "invalid-dn",
                        "not a DN: " + e.getDn());
            }
            values.put(naming, dn.value());
        }
        StringBuilder cols = new StringBuilder();
        StringBuilder params = new StringBuilder();
        for (Catalog.Column c : values.keySet()) {
            if (cols.length() > 0) {
                cols.append(", ");
                params.append(", ");
            }
            cols.append(c.name());
            params.append(param(c));
        }
        Object key;
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + t.def().table() + " (" + cols + ") VALUES ("
                + params + ")", new String[] {t.anchor().name()})) {
            int i = 1;
            for (Object v : values.values()) {
                bind(ps, i++, v);
            }
            ps.executeUpdate();
            try (ResultSet rs = ps.getGeneratedKeys()) {
                if (!rs.next()) {
                    throw new SQLException("the insert returned no key for " + t.anchor().name());
                }
                key = Rows.value(rs, t.anchor().name(), t.anchor().type());
            }
        }
        for (AttributeChange a : multi) {
            Catalog.Multi m = t.multi(a.getName());
            for (AttributeValue v : Model.added(a)) {
                insertChild(m, key, sqlValue(v, m.refType(), a.getName()));
            }
        }
        return Model.success(e.getIdentifier(), Model.anchorValue(t.anchor().name(), key));
    }

    private Catalog.Column column(Catalog.TypeInfo t, String name) throws Refused {
        Catalog.Column c = t.column(name);
        if (c == null) {
            throw new Refused(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_SYNTAX_VIOLATION, "no-such-attribute",
                    t.def().name() + " has no attribute " + name);
        }
        return c;
    }

    private void insertChild(Catalog.Multi m, Object owner, Object value) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + m.def().table() + " (" + m.def().owner()
                + ", " + m.def().value() + ") VALUES (?, ?)")) {
            ps.setObject(1, owner);
            bind(ps, 2, value);
            ps.executeUpdate();
        }
    }

    private void deleteChildren(Catalog.Multi m, Object owner, Object value) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + m.def().table() + " WHERE "
                + m.def().owner() + " = ?" + (value == null ? "" : " AND " + m.def().value() + " = ?"))) {
            ps.setObject(1, owner);
            if (value != null) {
                bind(ps, 2, value);
            }
            ps.executeUpdate();
        }
    }

    private void update(Catalog.TypeInfo t, Object key, CSEntryChange e, boolean replace)
            throws Refused, SQLException {
        // The row must exist, whatever the attributes say.
        try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM " + t.def().table() + " WHERE "
                + t.anchor().name() + " = ? FOR UPDATE")) {
            ps.setObject(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw missing(e);
                }
            }
        }
        for (AttributeChange a : e.getAttributeChangesList()) {
            Catalog.Multi m = t.multi(a.getName());
            if (m != null) {
                switch (a.getModificationType()) {
                    case ATTRIBUTE_MODIFICATION_TYPE_ADD, ATTRIBUTE_MODIFICATION_TYPE_REPLACE -> {
                        if (a.getModificationType() == AttributeModificationType.ATTRIBUTE_MODIFICATION_TYPE_REPLACE) {
                            deleteChildren(m, key, null);
                        }
                        for (AttributeValue v : Model.added(a)) {
                            insertChild(m, key, sqlValue(v, m.refType(), a.getName()));
                        }
                    }
                    case ATTRIBUTE_MODIFICATION_TYPE_DELETE -> deleteChildren(m, key, null);
                    default -> {
                        for (AttributeValue v : Model.deleted(a)) {
                            deleteChildren(m, key, sqlValue(v, m.refType(), a.getName()));
                        }
                        for (AttributeValue v : Model.added(a)) {
                            insertChild(m, key, sqlValue(v, m.refType(), a.getName()));
                        }
                    }
                }
                continue;
            }
            if (a.getName().equalsIgnoreCase(t.anchor().name())) {
                throw new Refused(MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONSTRAINT_VIOLATION, "anchor-change",
                        "the anchor " + a.getName() + " cannot change");
            }
            Catalog.Column c = column(t, a.getName());
            List<AttributeValue> vs = Model.added(a);
            Object v = a.getModificationType() == AttributeModificationType.ATTRIBUTE_MODIFICATION_TYPE_DELETE
                    || vs.isEmpty() ? null : sqlValue(vs.get(vs.size() - 1), c.refType(), a.getName());
            try (PreparedStatement ps = conn.prepareStatement("UPDATE " + t.def().table() + " SET " + c.name() + " = "
                    + param(c) + " WHERE " + t.anchor().name() + " = ?")) {
                bind(ps, 1, v);
                ps.setObject(2, key);
                ps.executeUpdate();
            }
        }
        if (replace) {
            // Replace: attributes the entry does not carry are cleared, as ECMA2's Replace means.
            java.util.Set<String> given = new java.util.HashSet<>();
            for (AttributeChange a : e.getAttributeChangesList()) {
                given.add(a.getName().toLowerCase());
            }
            for (Catalog.Column c : t.columns()) {
                if (!given.contains(c.name().toLowerCase()) && c != t.dn()) {
                    try (PreparedStatement ps = conn.prepareStatement("UPDATE " + t.def().table() + " SET " + c.name()
                            + " = NULL WHERE " + t.anchor().name() + " = ?")) {
                        ps.setObject(1, key);
                        ps.executeUpdate();
                    }
                }
            }
            for (Catalog.Multi m : t.multis()) {
                if (!given.contains(m.def().attribute().toLowerCase())) {
                    deleteChildren(m, key, null);
                }
            }
        }
    }
}
