package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's FatalEntryExportException: travels as {@code FAULT_KIND_FATAL_ENTRY_EXPORT_EXCEPTION}. */
public class FatalEntryExportException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public FatalEntryExportException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public FatalEntryExportException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_FATAL_ENTRY_EXPORT_EXCEPTION, message, cause);
    }
}
