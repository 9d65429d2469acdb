package dev.ecma2host.sql;

import dev.ecma2host.ecma2.v1.MAExportError;
import dev.ecma2host.sdk.fault.BadServerCredentialsException;
import dev.ecma2host.sdk.fault.Ecma2Exception;
import dev.ecma2host.sdk.fault.FailedConnectionException;
import dev.ecma2host.sdk.fault.ServerDownException;
import java.sql.SQLException;

/** SQL states to ECMA2: connection failures to exceptions, statement failures to export errors. */
final class SqlErrors {
    private SqlErrors() {}

    static String state(SQLException e) {
        return e.getSQLState() == null ? "" : e.getSQLState();
    }

    /** The export error for a failed statement of one entry. */
    static MAExportError exportError(SQLException e) {
        String s = state(e);
        return switch (s) {
            case "23505" -> MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT;
            case "23503" -> MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_REFERENCE_ATTRIBUTE_FAILURE;
            case "23502" -> MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_MISSING_PROVISIONING_ATTRIBUTE;
            case "23514", "23P01" -> MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONSTRAINT_VIOLATION;
            case "42501" -> MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_PERMISSION_ISSUE;
            default -> s.startsWith("22")
                    ? MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE
                    : MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_ERROR;
        };
    }

    /** Whether the connection itself is gone (the batch cannot go on). */
    static boolean connectionLost(SQLException e) {
        return state(e).startsWith("08") || state(e).startsWith("57P");
    }

    /** The ECMA2 exception for a failed connect. The message names URL and user, never the password. */
    static Ecma2Exception connect(SQLException e, String url, String user) {
        String s = state(e);
        if (s.equals("08004")) {
            // The server rejected the connection itself: pg_hba.conf, or a password it needs and
            // was not given. Both are the account's to fix, so name User and Password.
            return new BadServerCredentialsException("the database at " + url + " rejected the connection for user "
                    + user + " (SQL state " + s + "): " + e.getMessage() + "; check User and Password");
        }
        if (s.equals("28P01") || s.equals("28000")) {
            return new BadServerCredentialsException("the database at " + url + " refused user " + user
                    + " (SQL state " + s + "): check User and Password");
        }
        if (s.startsWith("08")) {
            return new ServerDownException("cannot reach the database at " + url + " (SQL state " + s + "): "
                    + e.getMessage());
        }
        return new FailedConnectionException("connecting to " + url + " as " + user + " failed (SQL state " + s
                + "): " + e.getMessage());
    }
}
