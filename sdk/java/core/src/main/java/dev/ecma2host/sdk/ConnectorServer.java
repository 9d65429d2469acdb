package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.ConnectorInfo;
import java.io.PrintStream;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A connector program's entry point:
 *
 * <pre>{@code
 * public static void main(String[] args) {
 *     ConnectorServer.create("todo", "1.0.0", Todo::new).serveAndExit();
 * }
 * }</pre>
 *
 * The factory makes a fresh connector instance for every session and every stateless call, as
 * the sync engine makes a fresh ECMA2 connector object. The interfaces the instance's class
 * implements are the ones the handshake announces.
 */
public final class ConnectorServer {
    /** The SDK's name in the handshake. */
    public static final String SDK_NAME = "ecma2-sdk-java";
    /** The SDK's version. */
    public static final String SDK_VERSION = "0.1.0";

    private final String name;
    private final String version;
    private final Supplier<? extends Ecma2Connector> factory;

    private ConnectorServer(String name, String version, Supplier<? extends Ecma2Connector> factory) {
        this.name = name;
        this.version = version;
        this.factory = factory;
    }

    /** A connector named {@code name} (its own name, such as "sql"), built by {@code factory}. */
    public static ConnectorServer create(String name, String version, Supplier<? extends Ecma2Connector> factory) {
        return new ConnectorServer(name, version, factory);
    }

    ConnectorInfo info() {
        return ConnectorInfo.newBuilder()
                .setName(name)
                .setVersion(version)
                .setSdkName(SDK_NAME)
                .setSdkVersion(SDK_VERSION)
                .setLanguage("java")
                .build();
    }

    /**
     * Serves as docs/runtime.md says, configured from the process environment, until a signal,
     * the Shutdown RPC or the host's disappearance; then exits with status 0 (64 for a bad
     * configuration, 70 when serving fails).
     */
    public void serveAndExit() {
        System.exit(serve(System.getenv()));
    }

    /** {@link #serveAndExit()} without the exit: returns the status. */
    public int serve(Map<String, String> env) {
        // Only the ready line goes to stdout: everything else printed goes to stderr.
        PrintStream stdout = System.out;
        System.setOut(System.err);
        Launch.Settings settings;
        try {
            settings = Launch.Settings.from(env);
        } catch (IllegalArgumentException bad) {
            System.err.println(name + ": " + bad.getMessage());
            return 64;
        }
        JsonLog.install(settings.logFormat(), Level.INFO);
        Logger log = Logger.getLogger(settings.connectorName().isEmpty() ? name : settings.connectorName());
        Running running;
        try {
            running = start(settings);
        } catch (Exception e) {
            JsonLog.log(log, Level.SEVERE, "cannot serve", "error", String.valueOf(e.getMessage()));
            return 70;
        }
        stdout.println(running.readyLine());
        stdout.flush();
        JsonLog.log(log, Level.INFO, "serving", "address", running.address(), "sdk", SDK_NAME);
        Launch.onSignals(running::stop);
        running.awaitStopped();
        return 0;
    }

    /** Starts serving with explicit settings (tests, embedding); the caller stops it. */
    public Running start(Launch.Settings settings) throws Exception {
        return Running.start(info(), factory, settings);
    }
}
