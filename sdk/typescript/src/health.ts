// grpc.health.v1.Health, written by hand (two tiny messages): service "" and
// ecma2.v1.ConnectorService report SERVING while the connector accepts calls, NOT_SERVING once it
// is shutting down. Check and Watch; no launch secret needed (docs/runtime.md, "Services").

import { BinaryReader, BinaryWriter } from "@bufbuild/protobuf/wire";
import { type sendUnaryData, type ServerUnaryCall, type ServerWritableStream, type ServiceDefinition, status, type UntypedServiceImplementation } from "@grpc/grpc-js";

export const SERVING = 1;
export const NOT_SERVING = 2;
const SERVICE_UNKNOWN = 3;

interface CheckRequest {
  service: string;
}
interface CheckResponse {
  status: number;
}

function decodeRequest(b: Buffer): CheckRequest {
  const r = new BinaryReader(b);
  let service = "";
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 1) service = r.string();
    else r.skip(wire);
  }
  return { service };
}

function encodeResponse(v: CheckResponse): Buffer {
  return Buffer.from(new BinaryWriter().tag(1, 0).int32(v.status).finish());
}

function method(name: string, responseStream: boolean) {
  return {
    path: `/grpc.health.v1.Health/${name}`,
    requestStream: false,
    responseStream,
    requestSerialize: (v: CheckRequest) => Buffer.from(new BinaryWriter().tag(1, 2).string(v.service).finish()),
    requestDeserialize: decodeRequest,
    responseSerialize: encodeResponse,
    responseDeserialize: (b: Buffer): CheckResponse => {
      const r = new BinaryReader(b);
      let s = 0;
      while (r.pos < r.len) {
        const [field, wire] = r.tag();
        if (field === 1) s = r.int32();
        else r.skip(wire);
      }
      return { status: s };
    },
  };
}

export const healthDefinition = { check: method("Check", false), watch: method("Watch", true) } as unknown as ServiceDefinition;

/** The health state shared by every listener of the process. */
export class Health {
  private serving = true;
  private readonly watchers = new Set<ServerWritableStream<CheckRequest, CheckResponse>>();

  constructor(private readonly services: string[]) {}

  private statusOf(service: string): number {
    if (!this.services.includes(service)) return SERVICE_UNKNOWN;
    return this.serving ? SERVING : NOT_SERVING;
  }

  setNotServing(): void {
    this.serving = false;
    for (const w of this.watchers) w.write({ status: NOT_SERVING });
  }

  implementation(): UntypedServiceImplementation {
    return {
      check: (call: ServerUnaryCall<CheckRequest, CheckResponse>, callback: sendUnaryData<CheckResponse>) => {
        const s = this.statusOf(call.request.service);
        if (s === SERVICE_UNKNOWN) callback({ code: status.NOT_FOUND, details: `unknown service ${call.request.service}` });
        else callback(null, { status: s });
      },
      watch: (call: ServerWritableStream<CheckRequest, CheckResponse>) => {
        call.write({ status: this.statusOf(call.request.service) });
        this.watchers.add(call);
        call.on("cancelled", () => this.watchers.delete(call));
      },
    };
  }
}
