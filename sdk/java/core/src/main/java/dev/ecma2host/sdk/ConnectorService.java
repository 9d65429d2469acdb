package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.*;
import dev.ecma2host.sdk.fault.EntryPointNotImplementedException;
import dev.ecma2host.sdk.fault.ExtensibleExtensionException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * ecma2.v1.ConnectorService over a connector factory: sessions, page sizes, framing, faults and
 * shutdown as docs/runtime.md describes them.
 */
final class ConnectorService extends ConnectorServiceGrpc.ConnectorServiceImplBase {
    private static final Logger LOG = Logger.getLogger("ecma2.sdk");

    private final ConnectorInfo info;
    private final Supplier<? extends Ecma2Connector> factory;
    private final Ecma2Connector probe;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private volatile boolean shuttingDown;
    private final Runnable onShutdownRpc;

    ConnectorService(ConnectorInfo info, Supplier<? extends Ecma2Connector> factory, Runnable onShutdownRpc) {
        this.info = info;
        this.factory = factory;
        this.probe = factory.get();
        this.onShutdownRpc = onShutdownRpc;
    }

    /** The interfaces the connector class implements. */
    List<Ecma2Interface> interfaces() {
        List<Ecma2Interface> out = new ArrayList<>();
        Object p = probe;
        if (p instanceof CallImport) out.add(Ecma2Interface.ECMA2_INTERFACE_CALL_IMPORT);
        if (p instanceof CallExport) out.add(Ecma2Interface.ECMA2_INTERFACE_CALL_EXPORT);
        if (p instanceof FileImport) out.add(Ecma2Interface.ECMA2_INTERFACE_FILE_IMPORT);
        if (p instanceof FileExport) out.add(Ecma2Interface.ECMA2_INTERFACE_FILE_EXPORT);
        if (p instanceof GetSchema) out.add(Ecma2Interface.ECMA2_INTERFACE_GET_SCHEMA);
        if (p instanceof GetPartitions) out.add(Ecma2Interface.ECMA2_INTERFACE_GET_PARTITIONS);
        if (p instanceof GetHierarchy) out.add(Ecma2Interface.ECMA2_INTERFACE_GET_HIERARCHY);
        if (p instanceof GetCapabilities) out.add(Ecma2Interface.ECMA2_INTERFACE_GET_CAPABILITIES);
        if (p instanceof GetCapabilitiesEx) out.add(Ecma2Interface.ECMA2_INTERFACE_GET_CAPABILITIES_EX);
        if (p instanceof GetParameters) out.add(Ecma2Interface.ECMA2_INTERFACE_GET_PARAMETERS);
        if (p instanceof GetParametersEx) out.add(Ecma2Interface.ECMA2_INTERFACE_GET_PARAMETERS_EX);
        if (p instanceof Password) out.add(Ecma2Interface.ECMA2_INTERFACE_PASSWORD);
        return out;
    }

    boolean isShuttingDown() {
        return shuttingDown;
    }

    int openSessions() {
        return sessions.size();
    }

    // ---------------------------------------------------------------- plumbing

    @FunctionalInterface
    interface Body<T> {
        T run(Context ctx) throws Exception;
    }

    @FunctionalInterface
    interface CloseBody<T> {
        T run(Context ctx, Ecma2Connector instance) throws Exception;
    }

    private Context context(String call, String sessionId) {
        return new Context(info.getName(), call, sessionId, io.grpc.Context.current(), () -> shuttingDown);
    }

    private StatusRuntimeException failure(Throwable e, String call, String sessionId) {
        if (e instanceof StatusRuntimeException s) {
            return s;
        }
        Fault fault = Faults.faultOf(e, info.getName(), call);
        if (!(e instanceof dev.ecma2host.sdk.fault.Ecma2Exception)) {
            JsonLog.log(LOG, Level.WARNING, "connector call failed", "call", call, "session_id", sessionId,
                    "error_type", e.getClass().getName(), "error", fault.getMessage());
        }
        return Faults.toStatus(fault);
    }

    private <T> void unary(String call, String sessionId, StreamObserver<T> out, Body<T> body) {
        T value;
        try {
            value = body.run(context(call, sessionId));
        } catch (Throwable e) {
            out.onError(failure(e, call, sessionId));
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }

    @SuppressWarnings("unchecked")
    private <I> I as(Class<I> iface, Ecma2Connector c, String ecma2Name) throws EntryPointNotImplementedException {
        if (!iface.isInstance(c)) {
            throw new EntryPointNotImplementedException("the connector does not implement " + ecma2Name);
        }
        return (I) c;
    }

    private <I> I fresh(Class<I> iface, String ecma2Name) throws EntryPointNotImplementedException {
        as(iface, probe, ecma2Name);
        return as(iface, factory.get(), ecma2Name);
    }

    private static StatusRuntimeException notFound(String id) {
        return Status.NOT_FOUND.withDescription("session " + id + " not found").asRuntimeException();
    }

    private Session session(String id, Session.Kind kind) {
        Session s = sessions.get(id);
        if (s == null || s.kind != kind) {
            throw notFound(id);
        }
        return s;
    }

    /** Runs {@code body} holding the session's lock; NOT_FOUND once it was closed. */
    private <T> T locked(Session s, Body<T> body, Context ctx) throws Exception {
        s.lock.lock();
        try {
            if (s.closed) {
                throw notFound(s.id);
            }
            return body.run(ctx);
        } finally {
            s.lock.unlock();
        }
    }

    private int pageSize(int asked, int def, int max, String what) {
        if (asked == 0) {
            return def;
        }
        if (asked < 0 || asked > max) {
            throw Status.INVALID_ARGUMENT
                    .withDescription(what + " " + asked + " is outside 1.." + max + " (the connector's maximum is "
                            + max + ")")
                    .asRuntimeException();
        }
        return asked;
    }

    private String register(Session.Kind kind, Ecma2Connector instance, int pageSize) {
        if (shuttingDown) {
            throw Status.UNAVAILABLE.withDescription("the connector is shutting down").asRuntimeException();
        }
        String id = UUID.randomUUID().toString();
        sessions.put(id, new Session(id, kind, instance, pageSize));
        return id;
    }

    /** Calls open; on failure the session stays registered and the fault names it. */
    private void open(String call, String id, StreamObserver<?> out, Body<Void> body) throws Exception {
        try {
            body.run(context(call, id));
        } catch (Exception e) {
            Fault f = Faults.faultOf(e, info.getName(), call).toBuilder().setSessionId(id).build();
            JsonLog.log(LOG, Level.INFO, "open failed", "call", call, "session_id", id, "error", f.getMessage());
            throw Faults.toStatus(f);
        }
    }

    /** Closes one session (idempotent): the instance's close, then removal. */
    private <T> T close(String id, Session.Kind kind, String call, CloseBody<T> close, T none) throws Exception {
        Session s = sessions.get(id);
        if (s == null || s.kind != kind) {
            return none;
        }
        s.lock.lock();
        try {
            if (s.closed) {
                return none;
            }
            s.closed = true;
            sessions.remove(id);
            return close.run(context(call, id), s.instance);
        } finally {
            s.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- handshake and stateless calls

    @Override
    public void handshake(HandshakeRequest req, StreamObserver<HandshakeResponse> out) {
        if (!req.getProtocolVersionsList().contains(1)) {
            out.onError(Status.FAILED_PRECONDITION
                    .withDescription("no common protocol version: the caller speaks " + req.getProtocolVersionsList()
                            + ", the connector speaks [1]")
                    .asRuntimeException());
            return;
        }
        HandshakeResponse.Builder r = HandshakeResponse.newBuilder()
                .setProtocolVersion(1)
                .setConnector(info)
                .addAllInterfaces(interfaces());
        if (probe instanceof CallImport i) {
            r.setImportPageSizes(PageSizes.newBuilder()
                    .setDefaultPageSize(i.importDefaultPageSize())
                    .setMaxPageSize(i.importMaxPageSize()));
        }
        if (probe instanceof CallExport e) {
            r.setExportPageSizes(PageSizes.newBuilder()
                    .setDefaultPageSize(e.exportDefaultPageSize())
                    .setMaxPageSize(e.exportMaxPageSize()));
        }
        out.onNext(r.build());
        out.onCompleted();
    }

    @Override
    public void getCapabilities(GetCapabilitiesRequest req, StreamObserver<GetCapabilitiesResponse> out) {
        unary("GetCapabilities", "", out, ctx -> GetCapabilitiesResponse.newBuilder()
                .setCapabilities(fresh(GetCapabilities.class, "IMAExtensible2GetCapabilities").capabilities(ctx))
                .build());
    }

    @Override
    public void getCapabilitiesEx(GetCapabilitiesExRequest req, StreamObserver<GetCapabilitiesExResponse> out) {
        unary("GetCapabilitiesEx", "", out, ctx -> GetCapabilitiesExResponse.newBuilder()
                .setCapabilities(fresh(GetCapabilitiesEx.class, "IMAExtensible2GetCapabilitiesEx")
                        .capabilitiesEx(ctx, new Params(req.getConfigParametersList())))
                .build());
    }

    @Override
    public void getConfigParameters(GetConfigParametersRequest req, StreamObserver<GetConfigParametersResponse> out) {
        unary("GetConfigParameters", "", out, ctx -> GetConfigParametersResponse.newBuilder()
                .addAllDefinitions(fresh(GetParameters.class, "IMAExtensible2GetParameters")
                        .configParameters(ctx, new Params(req.getConfigParametersList()), req.getPage()))
                .build());
    }

    @Override
    public void validateConfigParameters(
            ValidateConfigParametersRequest req, StreamObserver<ValidateConfigParametersResponse> out) {
        unary("ValidateConfigParameters", "", out, ctx -> ValidateConfigParametersResponse.newBuilder()
                .setResult(fresh(GetParameters.class, "IMAExtensible2GetParameters")
                        .validateConfigParameters(ctx, new Params(req.getConfigParametersList()), req.getPage()))
                .build());
    }

    @Override
    public void getConfigParametersEx(
            GetConfigParametersExRequest req, StreamObserver<GetConfigParametersExResponse> out) {
        unary("GetConfigParametersEx", "", out, ctx -> GetConfigParametersExResponse.newBuilder()
                .addAllDefinitions(fresh(GetParametersEx.class, "IMAExtensible2GetParametersEx")
                        .configParametersEx(ctx, new Params(req.getConfigParametersList()), req.getPage(),
                                req.getPageNumber()))
                .build());
    }

    @Override
    public void validateConfigParametersEx(
            ValidateConfigParametersExRequest req, StreamObserver<ValidateConfigParametersExResponse> out) {
        unary("ValidateConfigParametersEx", "", out, ctx -> ValidateConfigParametersExResponse.newBuilder()
                .setResult(fresh(GetParametersEx.class, "IMAExtensible2GetParametersEx")
                        .validateConfigParametersEx(ctx, new Params(req.getConfigParametersList()), req.getPage(),
                                req.getPageNumber()))
                .build());
    }

    @Override
    public void getSchema(GetSchemaRequest req, StreamObserver<GetSchemaResponse> out) {
        unary("GetSchema", "", out, ctx -> GetSchemaResponse.newBuilder()
                .setSchema(fresh(GetSchema.class, "IMAExtensible2GetSchema")
                        .schema(ctx, new Params(req.getConfigParametersList())))
                .build());
    }

    @Override
    public void getPartitions(GetPartitionsRequest req, StreamObserver<GetPartitionsResponse> out) {
        unary("GetPartitions", "", out, ctx -> GetPartitionsResponse.newBuilder()
                .addAllPartitions(fresh(GetPartitions.class, "IMAExtensible2GetPartitions")
                        .partitions(ctx, new Params(req.getConfigParametersList())))
                .build());
    }

    @Override
    public void getHierarchy(GetHierarchyRequest req, StreamObserver<GetHierarchyResponse> out) {
        unary("GetHierarchy", "", out, ctx -> GetHierarchyResponse.newBuilder()
                .addAllNodes(fresh(GetHierarchy.class, "IMAExtensible2GetHierarchy")
                        .hierarchy(ctx, new Params(req.getConfigParametersList()), req.getParent()))
                .build());
    }

    @Override
    public void writeImportFile(WriteImportFileRequest req, StreamObserver<WriteImportFileResponse> out) {
        unary("WriteImportFile", "", out, ctx -> WriteImportFileResponse.newBuilder()
                .setResults(fresh(FileImport.class, "IMAExtensible2FileImport").writeImportFile(ctx,
                        new Params(req.getConfigParametersList()), req.getTypes(), req.getImportRunStep()))
                .build());
    }

    @Override
    public void readExportFile(ReadExportFileRequest req, StreamObserver<ReadExportFileResponse> out) {
        unary("ReadExportFile", "", out, ctx -> {
            fresh(FileExport.class, "IMAExtensible2FileExport").readExportFile(ctx,
                    new Params(req.getConfigParametersList()), req.getTypes(), req.getExportRunStep());
            return ReadExportFileResponse.getDefaultInstance();
        });
    }

    // ---------------------------------------------------------------- import

    @Override
    public void openImportConnection(
            OpenImportConnectionRequest req, StreamObserver<OpenImportConnectionResponse> out) {
        String call = "OpenImportConnection";
        unary(call, "", out, ctx0 -> {
            CallImport c = fresh(CallImport.class, "IMAExtensible2CallImport");
            int size = pageSize(req.getImportRunStep().getPageSize(), c.importDefaultPageSize(),
                    c.importMaxPageSize(), "import page size");
            OpenImportConnectionRunStep step = req.getImportRunStep().toBuilder().setPageSize(size).build();
            String id = register(Session.Kind.IMPORT, c, size);
            OpenImportConnectionResults[] results = new OpenImportConnectionResults[1];
            open(call, id, out, ctx -> {
                results[0] = c.openImportConnection(ctx, new Params(req.getConfigParametersList()),
                        req.getTypes(), step);
                return null;
            });
            return OpenImportConnectionResponse.newBuilder()
                    .setSessionId(id)
                    .setResults(results[0] == null ? OpenImportConnectionResults.getDefaultInstance() : results[0])
                    .setPageSize(size)
                    .build();
        });
    }

    @Override
    public void getImportEntries(GetImportEntriesRequest req, StreamObserver<GetImportEntriesResponse> out) {
        String call = "GetImportEntries";
        String id = req.getSessionId();
        ImportPage page;
        try {
            Session s = session(id, Session.Kind.IMPORT);
            Context ctx = context(call, id);
            page = locked(s, c -> ((CallImport) s.instance).importEntries(c, req.getImportRunStep()), ctx);
            if (page == null) {
                throw new ExtensibleExtensionException("GetImportEntries returned no page");
            }
            if (page.entries().size() > s.pageSize) {
                throw new ExtensibleExtensionException("the connector returned " + page.entries().size()
                        + " entries for a page of at most " + s.pageSize + "; the page was not sent");
            }
        } catch (Throwable e) {
            out.onError(failure(e, call, id));
            return;
        }
        ServerCallStreamObserver<GetImportEntriesResponse> stream =
                (ServerCallStreamObserver<GetImportEntriesResponse>) out;
        try {
            for (CSEntryChange e : page.entries()) {
                if (stream.isCancelled()) {
                    return;
                }
                List<EntryFragment> frags = Framing.fragments(e);
                if (frags.isEmpty()) {
                    out.onNext(GetImportEntriesResponse.newBuilder().setEntry(e).build());
                } else {
                    for (EntryFragment f : frags) {
                        out.onNext(GetImportEntriesResponse.newBuilder().setEntryFragment(f).build());
                    }
                }
            }
            out.onNext(GetImportEntriesResponse.newBuilder()
                    .setResults(GetImportEntriesResults.newBuilder()
                            .setCustomData(page.customData())
                            .setMoreToImport(page.moreToImport()))
                    .build());
            out.onCompleted();
        } catch (StatusRuntimeException cancelled) {
            // The caller went away mid-page; the host closes the session.
        }
    }

    @Override
    public void closeImportConnection(
            CloseImportConnectionRequest req, StreamObserver<CloseImportConnectionResponse> out) {
        String call = "CloseImportConnection";
        unary(call, req.getSessionId(), out, ctx0 -> {
            CloseImportConnectionResults r = close(req.getSessionId(), Session.Kind.IMPORT, call,
                    (ctx, inst) -> ((CallImport) inst).closeImportConnection(ctx,
                            req.getImportRunStep()),
                    CloseImportConnectionResults.getDefaultInstance());
            return CloseImportConnectionResponse.newBuilder()
                    .setResults(r == null ? CloseImportConnectionResults.getDefaultInstance() : r)
                    .build();
        });
    }

    // ---------------------------------------------------------------- export

    @Override
    public void openExportConnection(
            OpenExportConnectionRequest req, StreamObserver<OpenExportConnectionResponse> out) {
        String call = "OpenExportConnection";
        unary(call, "", out, ctx0 -> {
            CallExport c = fresh(CallExport.class, "IMAExtensible2CallExport");
            int size = pageSize(req.getExportRunStep().getBatchSize(), c.exportDefaultPageSize(),
                    c.exportMaxPageSize(), "export batch size");
            OpenExportConnectionRunStep step = req.getExportRunStep().toBuilder().setBatchSize(size).build();
            String id = register(Session.Kind.EXPORT, c, size);
            open(call, id, out, ctx -> {
                c.openExportConnection(ctx, new Params(req.getConfigParametersList()), req.getTypes(), step);
                return null;
            });
            return OpenExportConnectionResponse.newBuilder().setSessionId(id).setBatchSize(size).build();
        });
    }

    @Override
    public StreamObserver<PutExportEntriesRequest> putExportEntries(StreamObserver<PutExportEntriesResponse> out) {
        String call = "PutExportEntries";
        io.grpc.Context grpcContext = io.grpc.Context.current();
        return new StreamObserver<>() {
            private String id;
            private Session session;
            private final List<CSEntryChange> entries = new ArrayList<>();
            private final Framing.Reassembler reassembler = new Framing.Reassembler();
            private boolean failed;

            private void fail(Throwable e) {
                if (!failed) {
                    failed = true;
                    out.onError(failure(e, call, id == null ? "" : id));
                }
            }

            @Override
            public void onNext(PutExportEntriesRequest frame) {
                if (failed) {
                    return;
                }
                try {
                    if (id == null) {
                        id = frame.getSessionId();
                        session = session(id, Session.Kind.EXPORT);
                    }
                    CSEntryChange e = switch (frame.getFrameCase()) {
                        case ENTRY -> frame.getEntry();
                        case ENTRY_FRAGMENT -> reassembler.add(frame.getEntryFragment());
                        default -> null;
                    };
                    if (e != null) {
                        entries.add(e);
                        if (entries.size() > session.pageSize) {
                            throw Status.INVALID_ARGUMENT
                                    .withDescription("the batch holds more than the session's batch size "
                                            + session.pageSize + " entries")
                                    .asRuntimeException();
                        }
                    }
                } catch (IllegalArgumentException | com.google.protobuf.InvalidProtocolBufferException bad) {
                    fail(Status.INVALID_ARGUMENT.withDescription(bad.getMessage()).asRuntimeException());
                } catch (Throwable t) {
                    fail(t);
                }
            }

            @Override
            public void onError(Throwable t) {
                failed = true;
            }

            @Override
            public void onCompleted() {
                if (failed) {
                    return;
                }
                if (id == null) {
                    fail(Status.INVALID_ARGUMENT.withDescription("an empty batch names no session")
                            .asRuntimeException());
                    return;
                }
                if (reassembler.incomplete()) {
                    fail(Status.INVALID_ARGUMENT.withDescription("the batch ended inside a fragmented entry")
                            .asRuntimeException());
                    return;
                }
                PutExportEntriesResults results;
                try {
                    Context ctx = new Context(info.getName(), call, id, grpcContext, () -> shuttingDown);
                    results = locked(session,
                            c -> ((CallExport) session.instance).putExportEntries(c, List.copyOf(entries)), ctx);
                } catch (Throwable t) {
                    fail(t);
                    return;
                }
                out.onNext(PutExportEntriesResponse.newBuilder()
                        .setResults(results == null ? PutExportEntriesResults.getDefaultInstance() : results)
                        .build());
                out.onCompleted();
            }
        };
    }

    @Override
    public void closeExportConnection(
            CloseExportConnectionRequest req, StreamObserver<CloseExportConnectionResponse> out) {
        String call = "CloseExportConnection";
        unary(call, req.getSessionId(), out, ctx0 -> {
            close(req.getSessionId(), Session.Kind.EXPORT, call, (ctx, inst) -> {
                ((CallExport) inst).closeExportConnection(ctx, req.getExportRunStep());
                return null;
            }, null);
            return CloseExportConnectionResponse.getDefaultInstance();
        });
    }

    // ---------------------------------------------------------------- password

    @Override
    public void openPasswordConnection(
            OpenPasswordConnectionRequest req, StreamObserver<OpenPasswordConnectionResponse> out) {
        String call = "OpenPasswordConnection";
        unary(call, "", out, ctx0 -> {
            Password c = fresh(Password.class, "IMAExtensible2Password");
            String id = register(Session.Kind.PASSWORD, c, 0);
            open(call, id, out, ctx -> {
                c.openPasswordConnection(ctx, new Params(req.getConfigParametersList()), req.getPartition());
                return null;
            });
            return OpenPasswordConnectionResponse.newBuilder().setSessionId(id).build();
        });
    }

    @Override
    public void getConnectionSecurityLevel(
            GetConnectionSecurityLevelRequest req, StreamObserver<GetConnectionSecurityLevelResponse> out) {
        String call = "GetConnectionSecurityLevel";
        unary(call, req.getSessionId(), out, ctx -> {
            Session s = session(req.getSessionId(), Session.Kind.PASSWORD);
            return GetConnectionSecurityLevelResponse.newBuilder()
                    .setLevel(locked(s, c -> ((Password) s.instance).connectionSecurityLevel(c), ctx))
                    .build();
        });
    }

    @Override
    public void setPassword(SetPasswordRequest req, StreamObserver<SetPasswordResponse> out) {
        String call = "SetPassword";
        unary(call, req.getSessionId(), out, ctx -> {
            Session s = session(req.getSessionId(), Session.Kind.PASSWORD);
            locked(s, c -> {
                ((Password) s.instance).setPassword(c, req.getCsentry(), req.getNewPassword(), req.getOptionsList());
                return null;
            }, ctx);
            return SetPasswordResponse.getDefaultInstance();
        });
    }

    @Override
    public void changePassword(ChangePasswordRequest req, StreamObserver<ChangePasswordResponse> out) {
        String call = "ChangePassword";
        unary(call, req.getSessionId(), out, ctx -> {
            Session s = session(req.getSessionId(), Session.Kind.PASSWORD);
            locked(s, c -> {
                ((Password) s.instance).changePassword(c, req.getCsentry(), req.getOldPassword(),
                        req.getNewPassword());
                return null;
            }, ctx);
            return ChangePasswordResponse.getDefaultInstance();
        });
    }

    @Override
    public void closePasswordConnection(
            ClosePasswordConnectionRequest req, StreamObserver<ClosePasswordConnectionResponse> out) {
        String call = "ClosePasswordConnection";
        unary(call, req.getSessionId(), out, ctx0 -> {
            close(req.getSessionId(), Session.Kind.PASSWORD, call, (ctx, inst) -> {
                ((Password) inst).closePasswordConnection(ctx);
                return null;
            }, null);
            return ClosePasswordConnectionResponse.getDefaultInstance();
        });
    }

    // ---------------------------------------------------------------- shutdown

    @Override
    public void shutdown(ShutdownRequest req, StreamObserver<ShutdownResponse> out) {
        JsonLog.log(LOG, Level.INFO, "shutdown asked", "reason", req.getReason());
        int closed = closeAll();
        out.onNext(ShutdownResponse.newBuilder().setClosedSessions(closed).build());
        out.onCompleted();
        onShutdownRpc.run();
    }

    /**
     * Stops accepting sessions, lets calls in flight see cancellation, and closes every open
     * session with TerminatedShuttingDown. Returns how many sessions it closed.
     */
    int closeAll() {
        shuttingDown = true;
        int closed = 0;
        for (Session s : List.copyOf(sessions.values())) {
            try {
                switch (s.kind) {
                    case IMPORT -> close(s.id, s.kind, "CloseImportConnection", (ctx, inst) ->
                            ((CallImport) inst).closeImportConnection(ctx,
                                    CloseImportConnectionRunStep.newBuilder()
                                            .setReason(CloseReason.CLOSE_REASON_TERMINATED_SHUTTING_DOWN)
                                            .build()), null);
                    case EXPORT -> close(s.id, s.kind, "CloseExportConnection", (ctx, inst) -> {
                        ((CallExport) inst).closeExportConnection(ctx,
                                CloseExportConnectionRunStep.newBuilder()
                                        .setReason(CloseReason.CLOSE_REASON_TERMINATED_SHUTTING_DOWN)
                                        .build());
                        return null;
                    }, null);
                    case PASSWORD -> close(s.id, s.kind, "ClosePasswordConnection", (ctx, inst) -> {
                        ((Password) inst).closePasswordConnection(ctx);
                        return null;
                    }, null);
                }
                closed++;
            } catch (Exception e) {
                closed++;
                JsonLog.log(LOG, Level.WARNING, "closing a session at shutdown failed", "session_id", s.id,
                        "error_type", e.getClass().getName());
            }
        }
        return closed;
    }
}
