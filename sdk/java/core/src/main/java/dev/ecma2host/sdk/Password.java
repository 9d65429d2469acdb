package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.CSEntry;
import dev.ecma2host.ecma2.v1.ConnectionSecurityLevel;
import dev.ecma2host.ecma2.v1.Partition;
import dev.ecma2host.ecma2.v1.PasswordOption;
import dev.ecma2host.ecma2.v1.Secret;
import java.util.List;

/** ECMA2's IMAExtensible2Password. Implement it on your connector class; the SDK announces it in the handshake. */
public interface Password extends Ecma2Connector {
    /** OpenPasswordConnection. */
    void openPasswordConnection(Context ctx, Params params, Partition partition) throws Exception;

    /** GetConnectionSecurityLevel. */
    ConnectionSecurityLevel connectionSecurityLevel(Context ctx) throws Exception;

    /** SetPassword. Never log or echo {@code newPassword}. */
    void setPassword(Context ctx, CSEntry entry, Secret newPassword, List<PasswordOption> options) throws Exception;

    /** ChangePassword. */
    void changePassword(Context ctx, CSEntry entry, Secret oldPassword, Secret newPassword) throws Exception;

    /** ClosePasswordConnection. */
    void closePasswordConnection(Context ctx) throws Exception;
}
