package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's TerminateRunException: travels as {@code FAULT_KIND_TERMINATE_RUN_EXCEPTION}. */
public class TerminateRunException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public TerminateRunException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public TerminateRunException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_TERMINATE_RUN_EXCEPTION, message, cause);
    }
}
