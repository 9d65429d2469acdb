package dev.ecma2host.sql;

import dev.ecma2host.sdk.Params;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The SQL connector's configuration, read from its parameters and validated with messages that
 * name the parameter, the line and the value at fault. The password's value is never shown.
 */
final class SqlConfig {
    static final String URL = "JDBC URL";
    static final String USER = "User";
    static final String PASSWORD = "Password";
    static final String TYPES = "Object types";
    static final String MULTI = "Multi-valued attributes";
    static final String CHANGES = "Change table";
    static final String TRACK = "Install change tracking";

    private static final Pattern IDENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)?");

    /** One object type: a table or view, its key column (the anchor) and its naming column (the DN). */
    record TypeDef(String name, String table, String anchor, String dn) {}

    /** A multi-valued attribute: rows of {@code table}, {@code owner} pointing at the type's anchor. */
    record MultiDef(String type, String attribute, String table, String owner, String value) {}

    /** A configuration problem naming the parameter. */
    static final class Invalid extends Exception {
        private static final long serialVersionUID = 1L;
        final String parameter;

        Invalid(String parameter, String message) {
            super(parameter + ": " + message);
            this.parameter = parameter;
        }
    }

    final String url;
    final String user;
    final String password;
    final Map<String, TypeDef> types;
    final List<MultiDef> multis;
    final String changeTable;
    final boolean track;

    private SqlConfig(String url, String user, String password, Map<String, TypeDef> types, List<MultiDef> multis,
            String changeTable, boolean track) {
        this.url = url;
        this.user = user;
        this.password = password;
        this.types = types;
        this.multis = multis;
        this.changeTable = changeTable;
        this.track = track;
    }

    /** The connectivity parameters only (the Connectivity page's validation). */
    static void checkConnectivity(Params p) throws Invalid {
        String url = p.get(URL).orElse("").trim();
        if (url.isEmpty()) {
            throw new Invalid(URL, "must not be empty (for example jdbc:postgresql://db.example.com:5432/hr)");
        }
        if (!url.startsWith("jdbc:")) {
            throw new Invalid(URL, "must start with jdbc:, not \"" + url + "\"");
        }
        if (url.toLowerCase().contains("password=")) {
            throw new Invalid(URL, "must not carry the password: put it in the Password parameter");
        }
        if (p.get(USER).orElse("").trim().isEmpty()) {
            throw new Invalid(USER, "must not be empty");
        }
        if (p.contains(PASSWORD) && !p.isEncrypted(PASSWORD)) {
            throw new Invalid(PASSWORD, "must be an encrypted parameter (EncryptedString)");
        }
    }

    static SqlConfig from(Params p) throws Invalid {
        checkConnectivity(p);
        Map<String, TypeDef> types = new LinkedHashMap<>();
        int n = 0;
        for (String raw : p.get(TYPES).orElse("").split("[\\n;]")) {
            n++;
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Map<String, String> kv = fields(TYPES, n, line);
            String name = ident(TYPES, n, kv.remove(""));
            for (String k : new String[] {"table", "anchor", "dn"}) {
                if (!kv.containsKey(k)) {
                    throw new Invalid(TYPES, "line " + n + " (" + line + ") has no " + k + "=");
                }
            }
            TypeDef t = new TypeDef(name, ident(TYPES, n, kv.remove("table")), ident(TYPES, n, kv.remove("anchor")),
                    ident(TYPES, n, kv.remove("dn")));
            if (!kv.isEmpty()) {
                throw new Invalid(TYPES, "line " + n + " has unknown keys " + kv.keySet());
            }
            if (types.put(name, t) != null) {
                throw new Invalid(TYPES, "object type " + name + " appears twice");
            }
        }
        if (types.isEmpty()) {
            throw new Invalid(TYPES, "no object type: one line per type, such as "
                    + "\"person table=people anchor=id dn=login\"");
        }
        List<MultiDef> multis = new ArrayList<>();
        n = 0;
        for (String raw : p.get(MULTI).orElse("").split("[\\n;]")) {
            n++;
            String line = raw.trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Map<String, String> kv = fields(MULTI, n, line);
            String head = kv.remove("");
            int dot = head.indexOf('.');
            if (dot <= 0 || !types.containsKey(head.substring(0, dot))
                    || !IDENT.matcher(head.substring(dot + 1)).matches()) {
                throw new Invalid(MULTI, "line " + n + " must start with TYPE.ATTRIBUTE of a configured type, not "
                        + head);
            }
            for (String k : new String[] {"table", "owner", "value"}) {
                if (!kv.containsKey(k)) {
                    throw new Invalid(MULTI, "line " + n + " (" + line + ") has no " + k + "=");
                }
            }
            multis.add(new MultiDef(head.substring(0, dot), head.substring(dot + 1), ident(MULTI, n, kv.remove("table")),
                    ident(MULTI, n, kv.remove("owner")), ident(MULTI, n, kv.remove("value"))));
            if (!kv.isEmpty()) {
                throw new Invalid(MULTI, "line " + n + " has unknown keys " + kv.keySet());
            }
        }
        String changes = ident(CHANGES, 0, p.getOr(CHANGES, "ecma2_changes"));
        String track = p.getOr(TRACK, "1");
        if (!track.equals("1") && !track.equals("0")) {
            throw new Invalid(TRACK, "must be 1 or 0, not " + track);
        }
        return new SqlConfig(p.get(URL).orElse("").trim(), p.get(USER).orElse("").trim(),
                p.get(PASSWORD).orElse(""), types, multis, changes, track.equals("1"));
    }

    private static Map<String, String> fields(String param, int line, String text) throws Invalid {
        String[] parts = text.split("\\s+");
        Map<String, String> kv = new LinkedHashMap<>();
        kv.put("", parts[0]);
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new Invalid(param, "line " + line + ": \"" + parts[i] + "\" is not key=value");
            }
            kv.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return kv;
    }

    /** A table or column name; only plain identifiers, so they can be quoted into SQL safely. */
    private static String ident(String param, int line, String v) throws Invalid {
        if (v == null || !IDENT.matcher(v).matches()) {
            throw new Invalid(param, (line > 0 ? "line " + line + ": " : "") + "\"" + v
                    + "\" is not a plain SQL name (letters, digits, _; optionally schema.name)");
        }
        return v;
    }

    /** The multi-valued attributes of a type. */
    List<MultiDef> multisOf(String type) {
        return multis.stream().filter(m -> m.type().equals(type)).toList();
    }

    /** The URL, user and table names; never the password. */
    @Override
    public String toString() {
        return "SqlConfig{url=" + url + ", user=" + user + ", types=" + types.keySet() + "}";
    }
}
