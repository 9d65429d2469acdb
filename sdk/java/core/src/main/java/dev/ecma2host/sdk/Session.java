package dev.ecma2host.sdk;

import java.util.concurrent.locks.ReentrantLock;

/** One open import, export or password session: its connector instance and page size. */
final class Session {
    enum Kind { IMPORT, EXPORT, PASSWORD }

    final String id;
    final Kind kind;
    final Ecma2Connector instance;
    final int pageSize;
    /** Calls of one session never run concurrently; Close waits for a call in flight. */
    final ReentrantLock lock = new ReentrantLock();
    /** Set once the instance's close has been called. */
    boolean closed;

    Session(String id, Kind kind, Ecma2Connector instance, int pageSize) {
        this.id = id;
        this.kind = kind;
        this.instance = instance;
        this.pageSize = pageSize;
    }
}
