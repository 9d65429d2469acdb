package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's EntryExportException: travels as {@code FAULT_KIND_ENTRY_EXPORT_EXCEPTION}. */
public class EntryExportException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public EntryExportException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public EntryExportException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_ENTRY_EXPORT_EXCEPTION, message, cause);
    }
}
