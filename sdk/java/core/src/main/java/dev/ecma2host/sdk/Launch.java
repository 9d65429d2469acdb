package dev.ecma2host.sdk;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import java.io.File;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;

/** The launch environment (docs/runtime.md, "Launch" and "Remote mode") and the listeners. */
public final class Launch {
    private Launch() {}

    /** Mutual TLS files of remote mode. */
    public record Tls(String cert, String key, String clientCa) {}

    /**
     * Everything the environment configures.
     *
     * @param listen where to listen ({@code unix:/path} or {@code tcp:HOST:PORT})
     * @param launchSecret the secret every call must carry, or empty
     * @param hostPid the host's pid to watch, or 0
     * @param connectorName the host's name for the connector, or empty
     * @param logFormat {@code json} or {@code text}
     * @param tls remote mode's TLS files, or null
     * @param healthListen the plain health listener, or null
     */
    public record Settings(String listen, String launchSecret, long hostPid, String connectorName, String logFormat,
            Tls tls, String healthListen) {

        /** Local settings for tests: TCP on loopback, a port picked by the system. */
        public static Settings loopback(String secret) {
            return new Settings("tcp:127.0.0.1:0", secret, 0, "test", "json", null, null);
        }

        /** Reads the ECMA2_* variables; a bad value is an IllegalArgumentException naming it. */
        public static Settings from(Map<String, String> env) {
            String listen = env.getOrDefault("ECMA2_LISTEN", "");
            if (listen.isBlank()) {
                listen = "tcp:127.0.0.1:0";
            }
            parse(listen, "ECMA2_LISTEN");
            String secret = env.getOrDefault("ECMA2_LAUNCH_SECRET", "");
            long pid = 0;
            String pidText = env.getOrDefault("ECMA2_HOST_PID", "");
            if (!pidText.isBlank()) {
                try {
                    pid = Long.parseLong(pidText.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("ECMA2_HOST_PID is not a process id: " + pidText);
                }
            }
            String format = env.getOrDefault("ECMA2_LOG_FORMAT", "");
            if (format.isBlank()) {
                format = secret.isEmpty() ? "text" : "json";
            }
            if (!format.equals("json") && !format.equals("text")) {
                throw new IllegalArgumentException("ECMA2_LOG_FORMAT must be json or text, not " + format);
            }
            String cert = env.getOrDefault("ECMA2_TLS_CERT", "");
            String key = env.getOrDefault("ECMA2_TLS_KEY", "");
            String ca = env.getOrDefault("ECMA2_TLS_CLIENT_CA", "");
            Tls tls = null;
            if (!cert.isEmpty() || !key.isEmpty() || !ca.isEmpty()) {
                if (cert.isEmpty() || key.isEmpty()) {
                    throw new IllegalArgumentException("ECMA2_TLS_CERT and ECMA2_TLS_KEY must both be set for TLS");
                }
                if (ca.isEmpty()) {
                    throw new IllegalArgumentException(
                            "ECMA2_TLS_CLIENT_CA is required with TLS: there is no unauthenticated remote mode");
                }
                for (String[] f : new String[][] {{"ECMA2_TLS_CERT", cert}, {"ECMA2_TLS_KEY", key},
                        {"ECMA2_TLS_CLIENT_CA", ca}}) {
                    if (!Files.isReadable(Path.of(f[1]))) {
                        throw new IllegalArgumentException(f[0] + " names a file that cannot be read: " + f[1]);
                    }
                }
                if (!listen.startsWith("tcp:")) {
                    throw new IllegalArgumentException("ECMA2_LISTEN must be a tcp: address with TLS, not " + listen);
                }
                tls = new Tls(cert, key, ca);
                pid = 0; // with TLS the connector is remote: no host pid to watch
            }
            String health = env.getOrDefault("ECMA2_HEALTH_LISTEN", "");
            if (!health.isBlank()) {
                parse(health, "ECMA2_HEALTH_LISTEN");
            }
            return new Settings(listen, secret, pid, env.getOrDefault("ECMA2_CONNECTOR_NAME", ""), format, tls,
                    health.isBlank() ? null : health);
        }
    }

    /** A parsed address. */
    record Address(String unixPath, String host, int port) {}

    static Address parse(String text, String variable) {
        if (text.startsWith("unix:")) {
            String path = text.substring(5);
            if (!path.startsWith("/")) {
                throw new IllegalArgumentException(variable + " needs an absolute socket path: " + text);
            }
            return new Address(path, null, 0);
        }
        if (text.startsWith("tcp:")) {
            String rest = text.substring(4);
            int colon = rest.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(variable + " must be tcp:HOST:PORT, not " + text);
            }
            String host = rest.substring(0, colon);
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            try {
                int port = Integer.parseInt(rest.substring(colon + 1));
                if (port < 0 || port > 65535) {
                    throw new NumberFormatException();
                }
                return new Address(null, host, port);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(variable + " has a bad port: " + text);
            }
        }
        throw new IllegalArgumentException(variable + " must start with unix: or tcp:, not " + text);
    }

    /** A started server and the address it listens on (real port). */
    record Bound(Server server, String address) {}

    static Bound bind(String listen, Tls tls, UnaryOperator<NettyServerBuilder> services) throws Exception {
        Address a = parse(listen, "ECMA2_LISTEN");
        ServerCredentials creds = InsecureServerCredentials.create();
        if (tls != null) {
            creds = TlsServerCredentials.newBuilder()
                    .keyManager(new File(tls.cert()), new File(tls.key()))
                    .trustManager(new File(tls.clientCa()))
                    .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                    .build();
        }
        NettyServerBuilder b;
        if (a.unixPath() != null) {
            Files.deleteIfExists(Path.of(a.unixPath()));
            EpollEventLoopGroup group = new EpollEventLoopGroup(2);
            b = NettyServerBuilder.forAddress(new DomainSocketAddress(a.unixPath()), creds)
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(group)
                    .workerEventLoopGroup(group);
        } else {
            b = NettyServerBuilder.forAddress(new InetSocketAddress(a.host(), a.port()), creds);
        }
        b.maxInboundMessageSize(Framing.MAX_MESSAGE_BYTES);
        Server server = services.apply(b).build().start();
        String address = listen;
        if (a.unixPath() == null) {
            int port = a.port();
            for (SocketAddress sa : server.getListenSockets()) {
                if (sa instanceof InetSocketAddress isa) {
                    port = isa.getPort();
                    break;
                }
            }
            String host = a.host().contains(":") ? "[" + a.host() + "]" : a.host();
            address = "tcp:" + host + ":" + port;
        }
        return new Bound(server, address);
    }

    /**
     * Runs {@code stop} on SIGTERM and SIGINT, then lets the process exit with status 0. A second
     * signal while stopping ends the process at once (status 1).
     */
    @SuppressWarnings("removal")
    static void onSignals(Runnable stop) {
        java.util.concurrent.atomic.AtomicBoolean signalled = new java.util.concurrent.atomic.AtomicBoolean();
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), sig -> {
                    if (signalled.getAndSet(true)) {
                        Runtime.getRuntime().halt(1);
                    }
                    new Thread(stop, "ecma2-signal").start();
                });
            } catch (IllegalArgumentException unsupported) {
                // Not on this platform; the default handling stays.
            }
        }
    }
}
