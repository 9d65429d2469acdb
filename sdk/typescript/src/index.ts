// ecma2-sdk for TypeScript: write an ECMA2 connector for ecma2-host as a Node program.
// See README.md ("Write a connector in TypeScript") and docs/runtime.md for what the SDK does.

export * from "./errors.js";
export { faultFromError, faultOf, FAULT_TYPE_URL, RpcError } from "./faults.js";
export { FRAGMENT_SIZE, MAX_MESSAGE_BYTES, Reassembler } from "./framing.js";
export type * from "./interfaces.js";
export { configureLogging, Logger, type Level, type Fields } from "./logging.js";
export * from "./model.js";
export { serve, parseAddress, ConfigError, type ServeOptions } from "./runtime.js";
export { Secret } from "./secret.js";
export { connectorServiceDefinition, interfacesOf, PROTOCOL_VERSIONS, SDK_NAME, SDK_VERSION, Service } from "./service.js";

export * from "./gen/ecma2/v1/capabilities_pb.js";
export * from "./gen/ecma2/v1/change_pb.js";
export * from "./gen/ecma2/v1/config_pb.js";
export * from "./gen/ecma2/v1/connector_pb.js";
export * from "./gen/ecma2/v1/export_pb.js";
export * from "./gen/ecma2/v1/fault_pb.js";
export * from "./gen/ecma2/v1/file_pb.js";
export * from "./gen/ecma2/v1/handshake_pb.js";
export * from "./gen/ecma2/v1/hierarchy_pb.js";
export * from "./gen/ecma2/v1/import_pb.js";
export * from "./gen/ecma2/v1/password_pb.js";
export * from "./gen/ecma2/v1/schema_pb.js";
