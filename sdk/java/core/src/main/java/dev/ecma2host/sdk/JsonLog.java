package dev.ecma2host.sdk;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Connector logs as docs/runtime.md says: java.util.logging to stderr, one JSON object per line
 * ({@code timestamp, level, target, message} plus structured fields) or plain text. Connector
 * code logs with any {@link Logger}; {@link #log} adds structured fields as key/value pairs.
 */
public final class JsonLog {
    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Held strongly: java.util.logging forgets the level of a logger nobody references. */
    private static final Logger GRPC = Logger.getLogger("io.grpc");
    private static final Logger NETTY_BOOTSTRAP = Logger.getLogger("io.grpc.netty.shaded.io.netty.bootstrap");

    private JsonLog() {}

    /** Marks a record's parameters as structured fields. */
    static final class Fields {
        final Object[] pairs;

        Fields(Object[] pairs) {
            this.pairs = pairs;
        }
    }

    /** Logs {@code message} with fields {@code key, value, key, value, ...}. */
    public static void log(Logger logger, Level level, String message, Object... pairs) {
        if (!logger.isLoggable(level)) {
            return;
        }
        LogRecord r = new LogRecord(level, message);
        r.setLoggerName(logger.getName());
        r.setParameters(new Object[] {new Fields(pairs)});
        logger.log(r);
    }

    /** Sends every log record of the process to stderr in {@code format} ("json" or "text"). */
    public static void install(String format, Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler h = new ConsoleHandler(); // stderr
        h.setLevel(level);
        h.setFormatter("text".equals(format) ? new Text() : new Json());
        root.addHandler(h);
        root.setLevel(level);
        // gRPC's own INFO chatter is not the connector's business.
        GRPC.setLevel(Level.WARNING);
        // Netty warns that a Unix socket has no SO_KEEPALIVE; that is expected.
        NETTY_BOOTSTRAP.setLevel(Level.SEVERE);
    }

    static String levelName(Level l) {
        int v = l.intValue();
        if (v >= Level.SEVERE.intValue()) {
            return "ERROR";
        }
        if (v >= Level.WARNING.intValue()) {
            return "WARN";
        }
        if (v >= Level.INFO.intValue()) {
            return "INFO";
        }
        if (v >= Level.FINE.intValue()) {
            return "DEBUG";
        }
        return "TRACE";
    }

    static void quote(StringBuilder s, String v) {
        s.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append('"');
    }

    static void value(StringBuilder s, Object v) {
        if (v == null) {
            s.append("null");
        } else if (v instanceof Number || v instanceof Boolean) {
            s.append(v);
        } else {
            quote(s, v.toString());
        }
    }

    static String message(LogRecord r) {
        Object[] p = r.getParameters();
        String m = r.getMessage() == null ? "" : r.getMessage();
        if (p != null && p.length > 0 && !(p[0] instanceof Fields)) {
            try {
                return java.text.MessageFormat.format(m, p);
            } catch (IllegalArgumentException e) {
                return m;
            }
        }
        return m;
    }

    static Object[] fields(LogRecord r) {
        Object[] p = r.getParameters();
        if (p != null && p.length == 1 && p[0] instanceof Fields f) {
            return f.pairs;
        }
        return new Object[0];
    }

    /** One JSON object per line. */
    static final class Json extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder s = new StringBuilder(160);
            s.append("{\"timestamp\":");
            quote(s, TS.format(Instant.ofEpochMilli(r.getMillis())));
            s.append(",\"level\":");
            quote(s, levelName(r.getLevel()));
            s.append(",\"target\":");
            quote(s, r.getLoggerName() == null ? "" : r.getLoggerName());
            s.append(",\"message\":");
            quote(s, message(r));
            Object[] f = fields(r);
            for (int i = 0; i + 1 < f.length; i += 2) {
                s.append(',');
                quote(s, String.valueOf(f[i]));
                s.append(':');
                value(s, f[i + 1]);
            }
            if (r.getThrown() != null) {
                s.append(",\"error\":");
                quote(s, r.getThrown().toString());
            }
            return s.append("}\n").toString();
        }
    }

    /** Human-readable lines for a terminal. */
    static final class Text extends Formatter {
        @Override
        public String format(LogRecord r) {
            StringBuilder s = new StringBuilder(120);
            s.append(TS.format(Instant.ofEpochMilli(r.getMillis()))).append(' ');
            s.append(levelName(r.getLevel())).append(' ').append(r.getLoggerName()).append(": ");
            s.append(message(r));
            Object[] f = fields(r);
            for (int i = 0; i + 1 < f.length; i += 2) {
                s.append(' ').append(f[i]).append('=').append(f[i + 1]);
            }
            if (r.getThrown() != null) {
                s.append(" error=").append(r.getThrown());
            }
            return s.append('\n').toString();
        }
    }
}
