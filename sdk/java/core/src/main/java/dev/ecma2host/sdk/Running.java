package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.ConnectorInfo;
import dev.ecma2host.ecma2.v1.ConnectorServiceGrpc;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/** A serving connector: its listeners, health, sessions and the way it stops. */
public final class Running {
    private static final Logger LOG = Logger.getLogger("ecma2.sdk");

    private final ConnectorService service;
    private final HealthStatusManager health;
    private final Server server;
    private final Server healthServer;
    private final String address;
    private final String healthAddress;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicBoolean stopping = new AtomicBoolean();
    private ScheduledExecutorService watcher;

    private Running(ConnectorService service, HealthStatusManager health, Server server, Server healthServer,
            String address, String healthAddress) {
        this.service = service;
        this.health = health;
        this.server = server;
        this.healthServer = healthServer;
        this.address = address;
        this.healthAddress = healthAddress;
    }

    static Running start(ConnectorInfo info, Supplier<? extends Ecma2Connector> factory, Launch.Settings s)
            throws Exception {
        Running[] self = new Running[1];
        ConnectorService service = new ConnectorService(info, factory, () -> {
            Thread t = new Thread(() -> self[0].stop(), "ecma2-shutdown");
            t.start();
        });
        HealthStatusManager health = new HealthStatusManager();
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(ConnectorServiceGrpc.SERVICE_NAME, ServingStatus.SERVING);
        Launch.Bound main = Launch.bind(s.listen(), s.tls(), b -> b
                .addService(ServerInterceptors.intercept(service, new SecretCheck(s.launchSecret())))
                .addService(health.getHealthService()));
        Launch.Bound probe = null;
        if (s.healthListen() != null) {
            probe = Launch.bind(s.healthListen(), null, b -> b.addService(health.getHealthService()));
        }
        Running r = new Running(service, health, main.server(), probe == null ? null : probe.server(),
                main.address(), probe == null ? null : probe.address());
        self[0] = r;
        if (s.hostPid() > 0) {
            r.watchHost(s.hostPid());
        }
        return r;
    }

    /** The address served, with the real port. */
    public String address() {
        return address;
    }

    /** The plain health listener's address, or null. */
    public String healthAddress() {
        return healthAddress;
    }

    /** How many sessions are open. */
    public int openSessions() {
        return service.openSessions();
    }

    /** The ready line (docs/runtime.md, "Ready line"). */
    public String readyLine() {
        StringBuilder s = new StringBuilder("{\"ecma2\":\"ready\",\"protocol\":1,\"address\":");
        JsonLog.quote(s, address);
        if (healthAddress != null) {
            s.append(",\"health_address\":");
            JsonLog.quote(s, healthAddress);
        }
        s.append(",\"pid\":").append(ProcessHandle.current().pid()).append('}');
        return s.toString();
    }

    private void watchHost(long hostPid) {
        long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
        watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ecma2-host-watch");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleAtFixedRate(() -> {
            boolean alive = ProcessHandle.of(hostPid).map(ProcessHandle::isAlive).orElse(false);
            long now = ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L);
            if (!alive || now != parent) {
                JsonLog.log(LOG, Level.INFO, "the host is gone", "host_pid", hostPid);
                new Thread(this::stop, "ecma2-shutdown").start();
            }
        }, 500, 500, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops: no new sessions, calls in flight see cancellation, every open session is closed
     * with TerminatedShuttingDown, health reports NOT_SERVING, the listeners close. Idempotent.
     */
    public void stop() {
        if (!stopping.compareAndSet(false, true)) {
            return;
        }
        try {
            health.setStatus("", ServingStatus.NOT_SERVING);
            health.setStatus(ConnectorServiceGrpc.SERVICE_NAME, ServingStatus.NOT_SERVING);
            int closed = service.closeAll();
            JsonLog.log(LOG, Level.INFO, "shutting down", "closed_sessions", closed);
            health.enterTerminalState();
            server.shutdown();
            if (healthServer != null) {
                healthServer.shutdown();
            }
            // Calls in flight have seen the cancellation; idle connections are not waited for long.
            if (!server.awaitTermination(1, TimeUnit.SECONDS)) {
                server.shutdownNow();
            }
            if (healthServer != null && !healthServer.awaitTermination(1, TimeUnit.SECONDS)) {
                healthServer.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.shutdownNow();
        } catch (RuntimeException e) {
            // Whatever failed, the process still stops: the latch below releases serve().
            JsonLog.log(LOG, Level.SEVERE, "stopping failed", "error_type", e.getClass().getName(),
                    "error", String.valueOf(e.getMessage()));
            server.shutdownNow();
        } finally {
            if (watcher != null) {
                watcher.shutdownNow();
            }
            stopped.countDown();
        }
    }

    /** Blocks until {@link #stop()} has finished. */
    public void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
