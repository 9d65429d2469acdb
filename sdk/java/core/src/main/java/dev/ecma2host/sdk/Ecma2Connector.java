package dev.ecma2host.sdk;

/**
 * The common parent of the twelve ECMA2 interfaces. A connector class implements the ones it
 * supports ({@link CallImport}, {@link GetSchema}, ...); the SDK announces exactly those.
 */
public interface Ecma2Connector {}
