// Entry frames: an entry whose encoding is larger than 1 MiB crosses as consecutive fragments of at
// most 1 MiB, the last marked `last` (docs/runtime.md, "Paging"). Both directions use this.

import { fromBinary } from "@bufbuild/protobuf";
import { BinaryWriter } from "@bufbuild/protobuf/wire";

import { type CSEntryChange, CSEntryChangeSchema, type EntryFragment } from "./gen/ecma2/v1/change_pb.js";
import { RpcError } from "./faults.js";
import { status } from "@grpc/grpc-js";

/** The largest piece of an entry in one fragment frame, and the size above which an entry is cut. */
export const FRAGMENT_SIZE = 1024 * 1024;
/** The largest gRPC message either side accepts. */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

/** A length-delimited field `field` holding `bytes`: one frame of a oneof, already encoded. */
export function encodedField(field: number, bytes: Uint8Array): Uint8Array {
  return new BinaryWriter().tag(field, 2).bytes(bytes).finish();
}

/** Fragment payloads of an encoded entry: one (whole) when it fits, else pieces of FRAGMENT_SIZE. */
export function* pieces(encoded: Uint8Array): Generator<{ data: Uint8Array; last: boolean }> {
  for (let at = 0; at < encoded.length; at += FRAGMENT_SIZE) {
    const end = Math.min(at + FRAGMENT_SIZE, encoded.length);
    yield { data: encoded.subarray(at, end), last: end === encoded.length };
  }
}

/** Puts fragments back together; refuses a stream that mixes them up. */
export class Reassembler {
  private parts: Uint8Array[] = [];
  private size = 0;

  push(fragment: EntryFragment): CSEntryChange | undefined {
    this.parts.push(fragment.data);
    this.size += fragment.data.length;
    if (this.size > 64 * MAX_MESSAGE_BYTES) throw new RpcError(status.RESOURCE_EXHAUSTED, "fragmented entry too large");
    if (!fragment.last) return undefined;
    const whole = Buffer.concat(this.parts, this.size);
    this.parts = [];
    this.size = 0;
    return fromBinary(CSEntryChangeSchema, whole);
  }

  /** Whether a fragmented entry is still incomplete. */
  get pending(): boolean {
    return this.parts.length > 0;
  }
}
