package dev.ecma2host.sdk;

import com.google.protobuf.Any;
import dev.ecma2host.ecma2.v1.Fault;
import dev.ecma2host.ecma2.v1.FaultKind;
import dev.ecma2host.sdk.fault.Ecma2Exception;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;

/** Exceptions to gRPC statuses with a Fault detail, with the code docs/protocol.md fixes per kind. */
public final class Faults {
    private Faults() {}

    /** The gRPC status code for each FaultKind (docs/protocol.md, "Faults"). */
    public static Status.Code codeFor(FaultKind kind) {
        return switch (kind) {
            case FAULT_KIND_NO_SUCH_ATTRIBUTE_EXCEPTION,
                    FAULT_KIND_NO_SUCH_PARAMETER_EXCEPTION,
                    FAULT_KIND_NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION,
                    FAULT_KIND_ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION,
                    FAULT_KIND_ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION,
                    FAULT_KIND_ATTRIBUTE_NOT_PRESENT_EXCEPTION,
                    FAULT_KIND_ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION,
                    FAULT_KIND_NO_SUCH_CLASS_EXCEPTION,
                    FAULT_KIND_NO_SUCH_OBJECT_TYPE_EXCEPTION,
                    FAULT_KIND_NO_SUCH_OBJECT_EXCEPTION,
                    FAULT_KIND_NO_SUCH_MANAGEMENT_AGENT_EXCEPTION,
                    FAULT_KIND_OBJECT_NOT_FOUND_EXCEPTION -> Status.Code.NOT_FOUND;
            case FAULT_KIND_TOO_MANY_VALUES_EXCEPTION,
                    FAULT_KIND_INVALID_DN_EXCEPTION,
                    FAULT_KIND_OLD_PASSWORD_INCORRECT_EXCEPTION,
                    FAULT_KIND_OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION,
                    FAULT_KIND_PASSWORD_ILL_FORMED_EXCEPTION -> Status.Code.INVALID_ARGUMENT;
            case FAULT_KIND_NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION,
                    FAULT_KIND_MISSING_PARENT_OBJECT_EXCEPTION,
                    FAULT_KIND_DECLINE_MAPPING_EXCEPTION,
                    FAULT_KIND_UNEXPECTED_DATA_EXCEPTION,
                    FAULT_KIND_PASSWORD_POLICY_VIOLATION_EXCEPTION,
                    FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION,
                    FAULT_KIND_WARNING_NO_WATERMARK_EXCEPTION -> Status.Code.FAILED_PRECONDITION;
            case FAULT_KIND_OBJECT_ALREADY_EXISTS_EXCEPTION -> Status.Code.ALREADY_EXISTS;
            case FAULT_KIND_TERMINATE_RUN_EXCEPTION, FAULT_KIND_FATAL_ENTRY_EXPORT_EXCEPTION -> Status.Code.ABORTED;
            case FAULT_KIND_ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION -> Status.Code.UNIMPLEMENTED;
            case FAULT_KIND_ACCESS_DENIED_EXCEPTION -> Status.Code.PERMISSION_DENIED;
            case FAULT_KIND_SERVER_DOWN_EXCEPTION,
                    FAULT_KIND_FAILED_CONNECTION_EXCEPTION,
                    FAULT_KIND_DROPPED_CONNECTION_EXCEPTION -> Status.Code.UNAVAILABLE;
            default -> Status.Code.INTERNAL;
        };
    }

    /** The fault a thrown exception travels as. */
    public static Fault faultOf(Throwable e, String connector, String call) {
        Fault.Builder f;
        if (e instanceof Ecma2Exception x) {
            f = x.toFault();
        } else {
            f = Fault.newBuilder()
                    .setKind(FaultKind.FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION)
                    .setMessage(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    .setForeignTypeName(e.getClass().getName());
        }
        return f.setConnector(connector).setCall(call).build();
    }

    /** The status for a fault. */
    public static StatusRuntimeException toStatus(Fault fault) {
        com.google.rpc.Status s = com.google.rpc.Status.newBuilder()
                .setCode(codeFor(fault.getKind()).value())
                .setMessage(fault.getMessage())
                .addDetails(Any.pack(fault))
                .build();
        return StatusProto.toStatusRuntimeException(s);
    }

    /** The fault carried by a status, if any (for clients and tests). */
    public static java.util.Optional<Fault> fromStatus(Throwable t) {
        com.google.rpc.Status s = StatusProto.fromThrowable(t);
        if (s == null) {
            return java.util.Optional.empty();
        }
        for (Any a : s.getDetailsList()) {
            if (a.is(Fault.class)) {
                try {
                    return java.util.Optional.of(a.unpack(Fault.class));
                } catch (com.google.protobuf.InvalidProtocolBufferException e) {
                    return java.util.Optional.empty();
                }
            }
        }
        return java.util.Optional.empty();
    }
}
