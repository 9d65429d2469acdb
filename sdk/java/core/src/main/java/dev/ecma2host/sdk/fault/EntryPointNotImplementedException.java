package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's EntryPointNotImplementedException: travels as {@code FAULT_KIND_ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION}. */
public class EntryPointNotImplementedException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public EntryPointNotImplementedException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public EntryPointNotImplementedException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION, message, cause);
    }
}
