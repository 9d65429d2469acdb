package dev.ecma2host.sdk.fault;

import dev.ecma2host.ecma2.v1.FaultKind;

/** ECMA2's FunctionEvaluationException: travels as {@code FAULT_KIND_FUNCTION_EVALUATION_EXCEPTION}. */
public class FunctionEvaluationException extends ExtensionException {
    private static final long serialVersionUID = 1L;

    /** With a message (never a secret). */
    public FunctionEvaluationException(String message) {
        this(message, null);
    }

    /** With a message and the exception that caused it. */
    public FunctionEvaluationException(String message, Throwable cause) {
        super(FaultKind.FAULT_KIND_FUNCTION_EVALUATION_EXCEPTION, message, cause);
    }
}
