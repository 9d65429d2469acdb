package dev.ecma2host.sdk;

import static org.junit.jupiter.api.Assertions.*;

import com.google.protobuf.ByteString;
import dev.ecma2host.ecma2.v1.*;
import dev.ecma2host.sdk.fault.BadServerCredentialsException;
import io.grpc.ClientInterceptors;
import io.grpc.Context.CancellableContext;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The runtime over a real loopback gRPC server, driven as the host drives a connector. */
class RuntimeTest {
    static final String SECRET = "launch-secret-for-tests";
    /** What the test connector's instances saw, across sessions. */
    static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    static volatile CountDownLatch pageStarted = new CountDownLatch(1);

    /** A connector that imports pages of configurable entries and records its lifecycle. */
    public static final class Probe implements CallImport, GetSchema {
        private int pageSize;
        private String mode = "";
        private final int instance = System.identityHashCode(this);

        @Override
        public Schema schema(Context ctx, Params params) {
            return Schema.newBuilder().addTypes(SchemaType.newBuilder().setName("thing")).build();
        }

        @Override
        public int importDefaultPageSize() {
            return 10;
        }

        @Override
        public int importMaxPageSize() {
            return 20;
        }

        @Override
        public OpenImportConnectionResults openImportConnection(
                Context ctx, Params params, Schema types, OpenImportConnectionRunStep step) throws Exception {
            pageSize = step.getPageSize();
            mode = params.get("mode").orElse("");
            EVENTS.add("open " + instance + " " + pageSize);
            if (mode.equals("fail-open")) {
                throw new BadServerCredentialsException("wrong credentials for user ann");
            }
            return OpenImportConnectionResults.getDefaultInstance();
        }

        @Override
        public ImportPage importEntries(Context ctx, GetImportEntriesRunStep step) throws Exception {
            List<CSEntryChange> out = new ArrayList<>();
            switch (mode) {
                case "too-many" -> {
                    for (int i = 0; i <= pageSize; i++) {
                        out.add(Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, "thing")
                                .dn("CN=" + i).build());
                    }
                }
                case "big" -> out.add(Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, "thing")
                        .dn("CN=big").attr("blob", new byte[3 * 1024 * 1024 + 5]).build());
                case "crash" -> throw new IllegalStateException("boom");
                case "wait-cancel" -> {
                    pageStarted.countDown();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (!ctx.isCancelled() && System.nanoTime() < deadline) {
                        Thread.sleep(5);
                    }
                    EVENTS.add("cancel seen " + ctx.isCancelled());
                    ctx.throwIfCancelled();
                }
                default -> out.add(Model.entry(ObjectModificationType.OBJECT_MODIFICATION_TYPE_ADD, "thing")
                        .dn("CN=" + instance).anchor("id", 1L).build());
            }
            return new ImportPage(out, "w1", false);
        }

        @Override
        public CloseImportConnectionResults closeImportConnection(Context ctx, CloseImportConnectionRunStep step) {
            EVENTS.add("close " + instance + " " + step.getReason());
            return CloseImportConnectionResults.newBuilder().setCustomData("final").build();
        }
    }

    Running running;
    ManagedChannel channel;
    ConnectorServiceGrpc.ConnectorServiceBlockingStub client;

    @BeforeEach
    void start() throws Exception {
        EVENTS.clear();
        running = ConnectorServer.create("probe", "1.0", Probe::new).start(Launch.Settings.loopback(SECRET));
        String[] hp = running.address().substring(4).split(":");
        channel = NettyChannelBuilder.forAddress(hp[0], Integer.parseInt(hp[1])).usePlaintext()
                .maxInboundMessageSize(Framing.MAX_MESSAGE_BYTES).build();
        Metadata md = new Metadata();
        md.put(SecretCheck.KEY, SECRET);
        client = ConnectorServiceGrpc.newBlockingStub(
                ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(md)));
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        running.stop();
    }

    private String open(String mode, int pageSize) {
        return client.openImportConnection(OpenImportConnectionRequest.newBuilder()
                .addConfigParameters(ConfigParameter.newBuilder().setName("mode").setValue(mode))
                .setImportRunStep(OpenImportConnectionRunStep.newBuilder().setPageSize(pageSize)
                        .setImportType(OperationType.OPERATION_TYPE_FULL))
                .build()).getSessionId();
    }

    private List<GetImportEntriesResponse> page(String session) {
        List<GetImportEntriesResponse> frames = new ArrayList<>();
        Iterator<GetImportEntriesResponse> it = client.getImportEntries(
                GetImportEntriesRequest.newBuilder().setSessionId(session).build());
        it.forEachRemaining(frames::add);
        return frames;
    }

    private void close(String session, CloseReason reason) {
        client.closeImportConnection(CloseImportConnectionRequest.newBuilder().setSessionId(session)
                .setImportRunStep(CloseImportConnectionRunStep.newBuilder().setReason(reason)).build());
    }

    @Test
    void the_ready_line_names_the_real_address() {
        assertTrue(running.address().matches("tcp:127\\.0\\.0\\.1:[1-9][0-9]*"), running.address());
        assertTrue(running.readyLine().startsWith("{\"ecma2\":\"ready\",\"protocol\":1,\"address\":\"tcp:127.0.0.1:"));
    }

    @Test
    void calls_without_the_launch_secret_are_refused_but_health_is_open() {
        var bare = ConnectorServiceGrpc.newBlockingStub(channel);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> bare.handshake(HandshakeRequest.newBuilder().addProtocolVersions(1).build()));
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        HealthCheckResponse h = HealthGrpc.newBlockingStub(channel).check(
                HealthCheckRequest.newBuilder().setService("ecma2.v1.ConnectorService").build());
        assertEquals(HealthCheckResponse.ServingStatus.SERVING, h.getStatus());
    }

    @Test
    void handshake_announces_the_implemented_interfaces_and_page_sizes() {
        HandshakeResponse h = client.handshake(HandshakeRequest.newBuilder().addProtocolVersions(1)
                .addProtocolVersions(7).build());
        assertEquals(1, h.getProtocolVersion());
        assertEquals(List.of(Ecma2Interface.ECMA2_INTERFACE_CALL_IMPORT, Ecma2Interface.ECMA2_INTERFACE_GET_SCHEMA),
                h.getInterfacesList());
        assertEquals(10, h.getImportPageSizes().getDefaultPageSize());
        assertEquals(20, h.getImportPageSizes().getMaxPageSize());
        assertEquals("java", h.getConnector().getLanguage());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.handshake(HandshakeRequest.newBuilder().addProtocolVersions(2).build()));
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("[2]"));
    }

    @Test
    void an_unimplemented_interface_is_unimplemented_with_a_fault() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                () -> client.getHierarchy(GetHierarchyRequest.getDefaultInstance()));
        assertEquals(Status.Code.UNIMPLEMENTED, e.getStatus().getCode());
        Fault f = Faults.fromStatus(e).orElseThrow();
        assertEquals(FaultKind.FAULT_KIND_ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION, f.getKind());
        assertTrue(f.getMessage().contains("IMAExtensible2GetHierarchy"));
    }

    @Test
    void page_size_zero_is_the_default_and_above_the_maximum_is_refused() {
        var r = client.openImportConnection(OpenImportConnectionRequest.newBuilder()
                .setImportRunStep(OpenImportConnectionRunStep.newBuilder()).build());
        assertEquals(10, r.getPageSize());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> open("", 21));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().contains("21") && e.getStatus().getDescription().contains("20"));
    }

    @Test
    void each_session_gets_a_fresh_instance_and_close_is_idempotent() {
        String a = open("", 5);
        String b = open("", 5);
        String dnA = page(a).get(0).getEntry().getDn();
        String dnB = page(b).get(0).getEntry().getDn();
        assertNotEquals(dnA, dnB);
        close(a, CloseReason.CLOSE_REASON_NORMAL);
        close(a, CloseReason.CLOSE_REASON_NORMAL);
        assertEquals(1, EVENTS.stream().filter(x -> x.startsWith("close")).count());
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> page(a));
        assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
        assertEquals("session " + a + " not found", e.getStatus().getDescription());
        close(b, CloseReason.CLOSE_REASON_NORMAL);
    }

    @Test
    void a_page_larger_than_the_page_size_is_not_sent() {
        String s = open("too-many", 3);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> page(s));
        Fault f = Faults.fromStatus(e).orElseThrow();
        assertEquals(FaultKind.FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION, f.getKind());
        assertTrue(f.getMessage().contains("4 entries for a page of at most 3"), f.getMessage());
    }

    @Test
    void an_entry_over_one_mebibyte_travels_in_fragments() throws Exception {
        String s = open("big", 5);
        List<GetImportEntriesResponse> frames = page(s);
        List<EntryFragment> frags = frames.stream().filter(GetImportEntriesResponse::hasEntryFragment)
                .map(GetImportEntriesResponse::getEntryFragment).toList();
        assertEquals(4, frags.size());
        assertTrue(frags.stream().allMatch(f -> f.getData().size() <= Framing.FRAGMENT_BYTES));
        assertTrue(frags.get(3).getLast());
        assertFalse(frags.get(0).getLast());
        ByteString all = ByteString.EMPTY;
        for (EntryFragment f : frags) {
            all = all.concat(f.getData());
        }
        assertEquals("CN=big", CSEntryChange.parseFrom(all).getDn());
        assertTrue(frames.get(frames.size() - 1).hasResults());
    }

    @Test
    void a_failed_open_keeps_the_session_until_closed() {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> open("fail-open", 5));
        Fault f = Faults.fromStatus(e).orElseThrow();
        assertEquals(FaultKind.FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION, f.getKind());
        assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
        assertEquals("probe", f.getConnector());
        assertEquals("OpenImportConnection", f.getCall());
        assertFalse(f.getSessionId().isEmpty());
        assertEquals(1, running.openSessions());
        close(f.getSessionId(), CloseReason.CLOSE_REASON_OPEN_CONNECTION_FAILURE);
        assertEquals(0, running.openSessions());
        assertTrue(EVENTS.get(EVENTS.size() - 1).endsWith("CLOSE_REASON_OPEN_CONNECTION_FAILURE"));
    }

    @Test
    void a_crash_is_an_extensible_extension_exception_and_the_connector_goes_on() {
        String s = open("crash", 5);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> page(s));
        Fault f = Faults.fromStatus(e).orElseThrow();
        assertEquals(FaultKind.FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION, f.getKind());
        assertEquals("java.lang.IllegalStateException", f.getForeignTypeName());
        assertEquals(Status.Code.INTERNAL, e.getStatus().getCode());
        String t = open("", 5);
        assertEquals(2, page(t).size());
    }

    @Test
    void connector_code_sees_the_caller_cancel() throws Exception {
        pageStarted = new CountDownLatch(1);
        String s = open("wait-cancel", 5);
        var async = ConnectorServiceGrpc.newStub(ClientInterceptors.intercept(channel,
                MetadataUtils.newAttachHeadersInterceptor(secretHeaders())));
        CancellableContext call = io.grpc.Context.current().withCancellation();
        CountDownLatch done = new CountDownLatch(1);
        call.run(() -> async.getImportEntries(GetImportEntriesRequest.newBuilder().setSessionId(s).build(),
                new StreamObserver<>() {
                    public void onNext(GetImportEntriesResponse r) {}

                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    public void onCompleted() {
                        done.countDown();
                    }
                }));
        assertTrue(pageStarted.await(5, TimeUnit.SECONDS));
        call.cancel(null);
        assertTrue(done.await(5, TimeUnit.SECONDS));
        // Close waits for the page in flight, which has seen the cancel by then.
        close(s, CloseReason.CLOSE_REASON_TERMINATED_BY_USER);
        assertTrue(EVENTS.contains("cancel seen true"), EVENTS.toString());
    }

    private static Metadata secretHeaders() {
        Metadata md = new Metadata();
        md.put(SecretCheck.KEY, SECRET);
        return md;
    }

    @Test
    void shutdown_closes_every_session_with_terminated_shutting_down() {
        open("", 5);
        open("", 5);
        ShutdownResponse r = client.shutdown(ShutdownRequest.newBuilder().setReason("test").build());
        assertEquals(2, r.getClosedSessions());
        assertEquals(2, EVENTS.stream().filter(x -> x.endsWith("CLOSE_REASON_TERMINATED_SHUTTING_DOWN")).count());
        running.awaitStopped();
    }
}
