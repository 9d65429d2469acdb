package dev.ecma2host.sdk;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** Refuses every call without the launch secret (health is a separate service and not checked). */
final class SecretCheck implements ServerInterceptor {
    static final Metadata.Key<String> KEY = Metadata.Key.of("ecma2-launch-secret", Metadata.ASCII_STRING_MARSHALLER);

    private final byte[] secret;

    SecretCheck(String secret) {
        this.secret = secret == null || secret.isEmpty() ? null : secret.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
            ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        if (secret != null) {
            String given = headers.get(KEY);
            byte[] g = given == null ? new byte[0] : given.getBytes(StandardCharsets.UTF_8);
            if (!MessageDigest.isEqual(secret, g)) {
                call.close(Status.UNAUTHENTICATED.withDescription("missing or wrong ecma2-launch-secret"),
                        new Metadata());
                return new ServerCall.Listener<>() {};
            }
        }
        return next.startCall(call, headers);
    }
}
