// The one place that turns an error into a gRPC status: an ECMA2 error becomes its kind's code with
// a google.rpc.Status detail holding an ecma2.v1.Fault; anything else becomes
// ExtensibleExtensionException with foreign_type_name. Also reads a Fault back from a status
// (for clients and tests).

import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { Metadata, status, type ServiceError, type StatusObject } from "@grpc/grpc-js";

import { codeFor, Ecma2Error, ecma2Name } from "./errors.js";
import { type Fault, FaultKind, FaultSchema } from "./gen/ecma2/v1/fault_pb.js";
import { scrub } from "./secret.js";

export const FAULT_TYPE_URL = "type.googleapis.com/ecma2.v1.Fault";
const DETAILS_KEY = "grpc-status-details-bin";

/** A failure that is a protocol problem, not an ECMA2 exception: a plain status, no Fault. */
export class RpcError extends Error {
  constructor(
    readonly code: status,
    message: string,
  ) {
    super(message);
    this.name = "RpcError";
  }
}

/** Where a fault happened, filled into Fault.connector / call / session_id. */
export interface FaultPlace {
  connector: string;
  call: string;
  sessionId?: string;
}

/** The Fault for any thrown value. */
export function faultOf(error: unknown, place: FaultPlace): Fault {
  const fault = create(FaultSchema, { connector: place.connector, call: place.call });
  if (place.sessionId !== undefined) fault.sessionId = place.sessionId;
  if (error instanceof Ecma2Error) {
    fault.kind = error.kind;
    fault.message = scrub(error.message);
    fault.attributeName = error.attributeName;
    fault.parameterName = error.parameterName;
    fault.maName = error.maName;
    fault.dn = error.dn;
    fault.objectClasses = [...error.objectClasses];
    fault.objectType = error.objectType;
    fault.className = error.className;
  } else {
    fault.kind = FaultKind.EXTENSIBLE_EXTENSION_EXCEPTION;
    fault.message = scrub(error instanceof Error ? error.message : String(error));
    fault.foreignTypeName =
      error instanceof Error ? error.constructor.name : typeof error === "object" ? "Object" : typeof error;
  }
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause !== undefined) fault.inner = faultOf(cause, { connector: place.connector, call: place.call });
  return fault;
}

/** google.rpc.Status { code, message, details: [Any(Fault)] }, encoded by hand (three fields). */
function statusDetails(code: status, message: string, fault: Fault): Buffer {
  const any = new BinaryWriter().tag(1, 2).string(FAULT_TYPE_URL).tag(2, 2).bytes(toBinary(FaultSchema, fault)).finish();
  const bytes = new BinaryWriter().tag(1, 0).int32(code).tag(2, 2).string(message).tag(3, 2).bytes(any).finish();
  return Buffer.from(bytes);
}

/** The status object grpc-js sends for an error. */
export function toStatus(error: unknown, place: FaultPlace): Partial<StatusObject> {
  if (error instanceof RpcError) return { code: error.code, details: scrub(error.message), metadata: new Metadata() };
  const fault = faultOf(error, place);
  const code = codeFor(fault.kind);
  const details = `${ecma2Name(fault.kind)}: ${fault.message}`;
  const metadata = new Metadata();
  metadata.set(DETAILS_KEY, statusDetails(code, details, fault));
  return { code, details, metadata };
}

/** The Fault inside a failed call's status, if it has one. */
export function faultFromError(error: ServiceError | StatusObject): Fault | undefined {
  const raw = error.metadata.get(DETAILS_KEY)[0];
  if (!(raw instanceof Buffer)) return undefined;
  const status = new BinaryReader(raw);
  while (status.pos < status.len) {
    const [field, wire] = status.tag();
    if (field !== 3) {
      status.skip(wire);
      continue;
    }
    const any = new BinaryReader(status.bytes());
    let url = "";
    let value: Uint8Array | undefined;
    while (any.pos < any.len) {
      const [f, w] = any.tag();
      if (f === 1) url = any.string();
      else if (f === 2) value = any.bytes();
      else any.skip(w);
    }
    if (url === FAULT_TYPE_URL && value !== undefined) return fromBinary(FaultSchema, value);
  }
  return undefined;
}
