package dev.ecma2host.sql;

/**
 * DNs of the SQL connector: {@code CN=<naming column>,OU=<object type>}, with ',', '+', '=',
 * '\' and '"' escaped by a backslash.
 */
final class Dn {
    private Dn() {}

    /** A parsed DN: its first RDN's value and the object type from OU (or null). */
    record Parsed(String value, String type) {}

    static String of(String type, String value) {
        return "CN=" + escape(value) + ",OU=" + escape(type);
    }

    static String escape(String v) {
        StringBuilder s = new StringBuilder();
        for (char c : v.toCharArray()) {
            if (c == ',' || c == '+' || c == '=' || c == '\\' || c == '"' || c == ';' || c == '<' || c == '>') {
                s.append('\\');
            }
            s.append(c);
        }
        return s.toString();
    }

    /** Splits a DN into unescaped RDN values; null when it is not NAME=VALUE[,NAME=VALUE...]. */
    static Parsed parse(String dn) {
        java.util.List<String[]> rdns = new java.util.ArrayList<>();
        StringBuilder key = new StringBuilder();
        StringBuilder val = new StringBuilder();
        boolean inValue = false;
        for (int i = 0; i < dn.length(); i++) {
            char c = dn.charAt(i);
            if (c == '\\' && i + 1 < dn.length()) {
                (inValue ? val : key).append(dn.charAt(++i));
            } else if (!inValue && c == '=') {
                inValue = true;
            } else if (c == ',') {
                if (!inValue) {
                    return null;
                }
                rdns.add(new String[] {key.toString().trim(), val.toString().trim()});
                key.setLength(0);
                val.setLength(0);
                inValue = false;
            } else {
                (inValue ? val : key).append(c);
            }
        }
        if (!inValue || key.toString().isBlank()) {
            return null;
        }
        rdns.add(new String[] {key.toString().trim(), val.toString().trim()});
        String type = null;
        for (String[] r : rdns.subList(1, rdns.size())) {
            if (r[0].equalsIgnoreCase("OU")) {
                type = r[1];
            }
        }
        return new Parsed(rdns.get(0)[1], type);
    }
}
