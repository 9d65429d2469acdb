package dev.ecma2host.sql;

import dev.ecma2host.ecma2.v1.*;
import dev.ecma2host.sdk.*;
import dev.ecma2host.sdk.fault.ExtensibleExtensionException;
import dev.ecma2host.sdk.fault.WarningNoWatermarkException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;

/**
 * The SQL connector: object types from tables or views over JDBC; full import with keyset paging,
 * delta import from a trigger-filled change table, export with one transaction per entry.
 * A fresh instance (and JDBC connection) per session.
 */
public final class SqlConnector
        implements GetCapabilities, GetParameters, GetSchema, CallImport, CallExport {
    private SqlConfig cfg;
    private Connection conn;
    private Catalog catalog;

    // Import state.
    private int pageSize;
    private boolean delta;
    private long watermark;
    private List<String> typeOrder = List.of();
    private int typeIndex;
    private Object lastKey;

    public static void main(String[] args) {
        ConnectorServer.create("sql", "0.1.0", SqlConnector::new).serveAndExit();
    }

    // ------------------------------------------------------------------ configuration

    @Override
    public MACapabilities capabilities(Context ctx) {
        return MACapabilities.newBuilder()
                .setDistinguishedNameStyle(MADistinguishedNameStyle.MA_DISTINGUISHED_NAME_STYLE_GENERIC)
                // A rename as ECMA2 sends it (the "DN" change) is not written to the dn column.
                .setObjectRename(false)
                .setExportType(MAExportType.MA_EXPORT_TYPE_ATTRIBUTE_UPDATE)
                .setObjectConfirmation(MAObjectConfirmation.MA_OBJECT_CONFIRMATION_NORMAL)
                .setDeltaImport(true)
                .setSupportPartitions(false)
                .setSupportHierarchy(false)
                .setSupportPassword(false)
                .build();
    }

    @Override
    public List<ConfigParameterDefinition> configParameters(Context ctx, Params params, ConfigParameterPage page) {
        return switch (page) {
            case CONFIG_PARAMETER_PAGE_CONNECTIVITY -> List.of(
                    Model.parameter(SqlConfig.URL, ConfigParameterType.CONFIG_PARAMETER_TYPE_STRING, ""),
                    Model.parameter(SqlConfig.USER, ConfigParameterType.CONFIG_PARAMETER_TYPE_STRING, ""),
                    Model.parameter(SqlConfig.PASSWORD, ConfigParameterType.CONFIG_PARAMETER_TYPE_ENCRYPTED_STRING, ""));
            case CONFIG_PARAMETER_PAGE_GLOBAL -> List.of(
                    Model.parameter(SqlConfig.TYPES, ConfigParameterType.CONFIG_PARAMETER_TYPE_TEXT, ""),
                    Model.parameter(SqlConfig.MULTI, ConfigParameterType.CONFIG_PARAMETER_TYPE_TEXT, ""),
                    Model.parameter(SqlConfig.CHANGES, ConfigParameterType.CONFIG_PARAMETER_TYPE_STRING, "ecma2_changes"),
                    Model.parameter(SqlConfig.TRACK, ConfigParameterType.CONFIG_PARAMETER_TYPE_CHECK_BOX, "1"));
            default -> List.of();
        };
    }

    @Override
    public ParameterValidationResult validateConfigParameters(Context ctx, Params params, ConfigParameterPage page)
            throws SQLException {
        try {
            if (page == ConfigParameterPage.CONFIG_PARAMETER_PAGE_CONNECTIVITY) {
                SqlConfig.checkConnectivity(params);
                try (Connection c = connect(params.get(SqlConfig.URL).orElse("").trim(),
                        params.get(SqlConfig.USER).orElse("").trim(), params.get(SqlConfig.PASSWORD).orElse(""))) {
                    return Model.valid();
                } catch (dev.ecma2host.sdk.fault.Ecma2Exception e) {
                    String param = e instanceof dev.ecma2host.sdk.fault.BadServerCredentialsException
                            ? SqlConfig.PASSWORD : SqlConfig.URL;
                    return Model.invalid(param, e.getMessage());
                }
            }
            if (page == ConfigParameterPage.CONFIG_PARAMETER_PAGE_GLOBAL) {
                SqlConfig c = SqlConfig.from(params);
                try (Connection conn = connect(c.url, c.user, c.password)) {
                    Catalog.read(conn, c);
                } catch (dev.ecma2host.sdk.fault.Ecma2Exception | SQLException e) {
                    return Model.invalid(SqlConfig.URL, e.getMessage());
                }
            }
            return Model.valid();
        } catch (SqlConfig.Invalid e) {
            return Model.invalid(e.parameter, e.getMessage());
        }
    }

    static Connection connect(String url, String user, String password) throws dev.ecma2host.sdk.fault.Ecma2Exception {
        Properties p = new Properties();
        p.setProperty("user", user);
        if (!password.isEmpty()) {
            // Without one, the driver reads a password file (PGPASSFILE or ~/.pgpass), if any.
            p.setProperty("password", password);
        }
        try {
            return DriverManager.getConnection(url, p);
        } catch (SQLException e) {
            throw SqlErrors.connect(e, url, user);
        }
    }

    /** Reads the configuration, connects and reads the catalog. */
    private void start(Params params) throws Exception {
        try {
            cfg = SqlConfig.from(params);
        } catch (SqlConfig.Invalid e) {
            throw new ExtensibleExtensionException(e.getMessage());
        }
        conn = connect(cfg.url, cfg.user, cfg.password);
        try {
            catalog = Catalog.read(conn, cfg);
        } catch (SqlConfig.Invalid e) {
            throw new ExtensibleExtensionException(e.getMessage());
        }
        if (cfg.track) {
            ChangeTracking.install(conn, cfg, catalog);
        }
    }

    private void stop() {
        if (conn != null) {
            try {
                conn.close();
            } catch (SQLException ignored) {
                // closing a broken connection: nothing more to do
            }
            conn = null;
        }
    }

    @Override
    public Schema schema(Context ctx, Params params) throws Exception {
        try {
            cfg = SqlConfig.from(params);
        } catch (SqlConfig.Invalid e) {
            throw new ExtensibleExtensionException(e.getMessage());
        }
        try (Connection c = connect(cfg.url, cfg.user, cfg.password)) {
            return Catalog.read(c, cfg).schema();
        } catch (SqlConfig.Invalid e) {
            throw new ExtensibleExtensionException(e.getMessage());
        }
    }

    // ------------------------------------------------------------------ import

    @Override
    public int importDefaultPageSize() {
        return 500;
    }

    @Override
    public int importMaxPageSize() {
        return 5000;
    }

    @Override
    public OpenImportConnectionResults openImportConnection(
            Context ctx, Params params, Schema types, OpenImportConnectionRunStep step) throws Exception {
        start(params);
        pageSize = step.getPageSize();
        delta = step.getImportType() == OperationType.OPERATION_TYPE_DELTA;
        List<String> selected = new ArrayList<>();
        for (SchemaType t : types.getTypesList()) {
            if (catalog.types.containsKey(t.getName())) {
                selected.add(t.getName());
            }
        }
        typeOrder = selected.isEmpty() ? new ArrayList<>(catalog.types.keySet()) : selected;
        if (delta) {
            try {
                watermark = Long.parseLong(step.getCustomData().trim());
            } catch (NumberFormatException e) {
                throw new WarningNoWatermarkException("delta import needs the watermark of a full import, not \""
                        + step.getCustomData() + "\"");
            }
        } else {
            watermark = currentWatermark();
        }
        ctx.log(Level.INFO, "import opened", "delta", delta, "page_size", pageSize, "types", typeOrder.size());
        return OpenImportConnectionResults.getDefaultInstance();
    }

    private long currentWatermark() throws SQLException {
        if (!cfg.track && !tableExists(cfg.changeTable)) {
            return 0;
        }
        try (Statement s = conn.createStatement();
                ResultSet rs = s.executeQuery("SELECT coalesce(max(seq), 0) FROM " + cfg.changeTable)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private boolean tableExists(String table) throws SQLException {
        try (ResultSet rs = conn.getMetaData().getTables(null, null, table.toLowerCase(), null)) {
            return rs.next();
        }
    }

    @Override
    public ImportPage importEntries(Context ctx, GetImportEntriesRunStep step) throws Exception {
        ctx.throwIfCancelled();
        if (step.getFullObjectEntriesCount() > 0) {
            return fullObjects(step.getFullObjectEntriesList());
        }
        return delta ? deltaPage(ctx) : fullPage(ctx);
    }

    private String selectList(Catalog.TypeInfo t) {
        StringBuilder s = new StringBuilder(t.anchor().name());
        for (Catalog.Column c : t.columns()) {
            s.append(", ").append(c.name());
        }
        return s.toString();
    }

    private ImportPage fullPage(Context ctx) throws Exception {
        List<CSEntryChange> out = new ArrayList<>();
        while (out.size() < pageSize && typeIndex < typeOrder.size()) {
            ctx.throwIfCancelled();
            Catalog.TypeInfo t = catalog.type(typeOrder.get(typeIndex));
            int want = pageSize - out.size();
            String sql = "SELECT " + selectList(t) + " FROM " + t.def().table()
                    + (lastKey == null ? "" : " WHERE " + t.anchor().name() + " > ?")
                    + " ORDER BY " + t.anchor().name() + " LIMIT " + want;
            List<Map<String, Object>> rows = new ArrayList<>();
            try (PreparedStatement ps = conn.prepareStatement(sql)) {
                if (lastKey != null) {
                    ps.setObject(1, lastKey);
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(Rows.read(rs, t));
                    }
                }
            }
            if (rows.size() < want) {
                typeIndex++;
                lastKey = null;
            } else {
                lastKey = rows.get(rows.size() - 1).get(t.anchor().name());
            }
            out.addAll(Rows.entries(conn, catalog, t, rows, ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD));
        }
        return new ImportPage(out, Long.toString(watermark), typeIndex < typeOrder.size());
    }

    private ImportPage deltaPage(Context ctx) throws Exception {
        record Change(String type, String key, String dn) {}
        Map<String, Change> latest = new LinkedHashMap<>();
        boolean more = false;
        int seen = 0;
        try (PreparedStatement ps = conn.prepareStatement("SELECT seq, object_type, key, dn FROM "
                + cfg.changeTable + " WHERE seq > ? ORDER BY seq LIMIT " + (pageSize + 1))) {
            ps.setLong(1, watermark);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (seen == pageSize) {
                        more = true;
                        break;
                    }
                    seen++;
                    long seq = rs.getLong(1);
                    String type = rs.getString(2);
                    String key = rs.getString(3);
                    String dn = rs.getString(4);
                    watermark = seq;
                    if (!typeOrder.contains(type)) {
                        continue;
                    }
                    String id = type + "\u0000" + key;
                    Change before = latest.remove(id);
                    latest.put(id, new Change(type, key, dn != null ? dn : before == null ? null : before.dn()));
                }
            }
        }
        ctx.throwIfCancelled();
        // Current rows of the changed keys, per type.
        Map<String, List<Change>> byType = new LinkedHashMap<>();
        for (Change c : latest.values()) {
            byType.computeIfAbsent(c.type(), k -> new ArrayList<>()).add(c);
        }
        Map<String, CSEntryChange> entries = new HashMap<>();
        for (Map.Entry<String, List<Change>> e : byType.entrySet()) {
            Catalog.TypeInfo t = catalog.type(e.getKey());
            List<Object> keys = new ArrayList<>();
            for (Change c : e.getValue()) {
                keys.add(Rows.key(t, c.key()));
            }
            List<Map<String, Object>> rows = Rows.byKeys(conn, t, selectList(t), keys);
            for (CSEntryChange entry : Rows.entries(conn, catalog, t, rows,
                    ObjectModificationType.OBJECT_MODIFICATION_TYPE_REPLACE)) {
                entries.put(t.def().name() + "\u0000" + Model.javaValue(entry.getAnchorAttributes(0).getValue()), entry);
            }
            for (Change c : e.getValue()) {
                String id = t.def().name() + "\u0000" + Rows.key(t, c.key());
                if (!entries.containsKey(id)) {
                    Model.Entry del = Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_DELETE, t.def().name())
                            .anchor(t.anchor().name(), Rows.key(t, c.key()));
                    if (c.dn() != null) {
                        del.dn(Dn.of(t.def().name(), c.dn()));
                    }
                    entries.put(id, del.build());
                }
            }
        }
        List<CSEntryChange> out = new ArrayList<>();
        for (Change c : latest.values()) {
            CSEntryChange entry = entries.get(c.type() + "\u0000" + Rows.key(catalog.type(c.type()), c.key()));
            if (entry != null) {
                out.add(entry);
            }
        }
        return new ImportPage(out, Long.toString(watermark), more);
    }

    /** FullObjectEntries: the engine knows these only by DN and wants them complete. */
    private ImportPage fullObjects(Collection<CSEntryChange> wanted) throws Exception {
        List<CSEntryChange> out = new ArrayList<>();
        for (CSEntryChange w : wanted) {
            Dn.Parsed dn = Dn.parse(w.getDn());
            String type = !w.getObjectType().isEmpty() ? w.getObjectType() : dn == null ? null : dn.type();
            if (dn == null || type == null || !catalog.types.containsKey(type)) {
                continue;
            }
            Catalog.TypeInfo t = catalog.type(type);
            try (PreparedStatement ps = conn.prepareStatement("SELECT " + selectList(t) + " FROM " + t.def().table()
                    + " WHERE " + t.def().dn() + " = ?")) {
                ps.setString(1, dn.value());
                List<Map<String, Object>> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(Rows.read(rs, t));
                    }
                }
                out.addAll(Rows.entries(conn, catalog, t, rows, ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD));
            }
        }
        return new ImportPage(out, Long.toString(watermark), false);
    }

    @Override
    public CloseImportConnectionResults closeImportConnection(Context ctx, CloseImportConnectionRunStep step) {
        stop();
        ctx.log(Level.INFO, "import closed", "reason", step.getReason().name());
        return CloseImportConnectionResults.newBuilder().setCustomData(Long.toString(watermark)).build();
    }

    // ------------------------------------------------------------------ export

    @Override
    public int exportDefaultPageSize() {
        return 100;
    }

    @Override
    public int exportMaxPageSize() {
        return 1000;
    }

    @Override
    public void openExportConnection(Context ctx, Params params, Schema types, OpenExportConnectionRunStep step)
            throws Exception {
        start(params);
    }

    @Override
    public PutExportEntriesResults putExportEntries(Context ctx, List<CSEntryChange> entries) throws Exception {
        Exporter x = new Exporter(conn, catalog);
        PutExportEntriesResults.Builder r = PutExportEntriesResults.newBuilder();
        for (CSEntryChange e : entries) {
            r.addCsEntryChangeResults(x.export(e));
        }
        return r.build();
    }

    @Override
    public void closeExportConnection(Context ctx, CloseExportConnectionRunStep step) {
        stop();
        ctx.log(Level.INFO, "export closed", "reason", step.getReason().name());
    }
}
