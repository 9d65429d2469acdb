package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's ServerDownException: travels as {@code FAULT_KIND_SERVER_DOWN_EXCEPTION}. */
public class ServerDownException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public ServerDownException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public ServerDownException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_SERVER_DOWN_EXCEPTION, message, cause);
    }
}
