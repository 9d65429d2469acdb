package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's WarningNoWatermarkException: travels as {@code FAULT_KIND_WARNING_NO_WATERMARK_EXCEPTION}. */
public class WarningNoWatermarkException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public WarningNoWatermarkException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public WarningNoWatermarkException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_WARNING_NO_WATERMARK_EXCEPTION, message, cause);
    }
}
