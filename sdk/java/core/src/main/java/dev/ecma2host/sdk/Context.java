package dev.ecma2host.sdk;

import dev.ecma2host.sdk.fault.TerminateRunException;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What a connector call knows about itself: the connector's name, the RPC, the session, and
 * whether the caller has cancelled it (the engine stopped the run, or the host gave up on a
 * deadline) or the process is shutting down. Long loops check {@link #isCancelled()} or call
 * {@link #throwIfCancelled()}; blocking work can register {@link #onCancel(Runnable)}.
 */
public final class Context {
    private static final Executor DIRECT = Runnable::run;

    private final String connector;
    private final String call;
    private final String sessionId;
    private final io.grpc.Context grpc;
    private final java.util.function.BooleanSupplier shuttingDown;

    Context(String connector, String call, String sessionId, io.grpc.Context grpc,
            java.util.function.BooleanSupplier shuttingDown) {
        this.connector = connector;
        this.call = call;
        this.sessionId = sessionId;
        this.grpc = grpc;
        this.shuttingDown = shuttingDown;
    }

    /** A context for tests and tools: never cancelled. */
    public static Context detached(String connector, String call) {
        return new Context(connector, call, "", io.grpc.Context.ROOT, () -> false);
    }

    /** The name the host knows the connector by. */
    public String connector() {
        return connector;
    }

    /** The RPC being served, such as {@code GetImportEntries}. */
    public String call() {
        return call;
    }

    /** The session id, or empty for a call outside a session. */
    public String sessionId() {
        return sessionId;
    }

    /** True once the caller cancelled this call or the connector is shutting down. */
    public boolean isCancelled() {
        return grpc.isCancelled() || shuttingDown.getAsBoolean();
    }

    /** Throws {@link TerminateRunException} when {@link #isCancelled()}. */
    public void throwIfCancelled() throws TerminateRunException {
        if (isCancelled()) {
            throw new TerminateRunException(call + " cancelled");
        }
    }

    /** Runs {@code action} (once) when the caller cancels this call. */
    public void onCancel(Runnable action) {
        grpc.addListener(c -> action.run(), DIRECT);
    }

    /** Logs {@code message} with structured fields (key, value, key, value, ...) and the session id. */
    public void log(Level level, String message, Object... fields) {
        Object[] all = new Object[fields.length + 2];
        all[0] = "session_id";
        all[1] = sessionId;
        System.arraycopy(fields, 0, all, 2, fields.length);
        JsonLog.log(Logger.getLogger(connector), level, message, sessionId.isEmpty() ? fields : all);
    }
}
