package dev.ecma2host.sdk;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import dev.ecma2host.ecma2.v1.CSEntryChange;
import dev.ecma2host.ecma2.v1.EntryFragment;
import java.util.ArrayList;
import java.util.List;

/**
 * Entry framing (docs/runtime.md, "Paging"): an entry whose encoding is larger than 1 MiB
 * travels as consecutive fragments of at most 1 MiB, the last marked {@code last}.
 */
public final class Framing {
    /** The largest entry that travels whole, and the largest fragment. */
    public static final int FRAGMENT_BYTES = 1 << 20;
    /** The largest message either side accepts (16 MiB). */
    public static final int MAX_MESSAGE_BYTES = 16 << 20;
    /** The largest entry reassembled from fragments. */
    public static final int MAX_ENTRY_BYTES = 256 << 20;

    private Framing() {}

    /** The fragments of an entry, or an empty list when it travels whole. */
    public static List<EntryFragment> fragments(CSEntryChange entry) {
        if (entry.getSerializedSize() <= FRAGMENT_BYTES) {
            return List.of();
        }
        ByteString all = entry.toByteString();
        List<EntryFragment> out = new ArrayList<>();
        for (int off = 0; off < all.size(); off += FRAGMENT_BYTES) {
            int end = Math.min(all.size(), off + FRAGMENT_BYTES);
            out.add(EntryFragment.newBuilder()
                    .setData(all.substring(off, end))
                    .setLast(end == all.size())
                    .build());
        }
        return out;
    }

    /** Reassembles fragments into entries. Not thread-safe: one per stream. */
    public static final class Reassembler {
        private ByteString pending = ByteString.EMPTY;
        private boolean open;

        /** Adds a fragment; returns the entry when it was the last one. */
        public CSEntryChange add(EntryFragment f) throws InvalidProtocolBufferException {
            if (pending.size() + f.getData().size() > MAX_ENTRY_BYTES) {
                throw new IllegalArgumentException(
                        "a fragmented entry is larger than " + MAX_ENTRY_BYTES + " bytes");
            }
            pending = pending.concat(f.getData());
            open = true;
            if (!f.getLast()) {
                return null;
            }
            CSEntryChange e = CSEntryChange.parseFrom(pending);
            pending = ByteString.EMPTY;
            open = false;
            return e;
        }

        /** Whether a fragmented entry was started and not finished. */
        public boolean incomplete() {
            return open;
        }
    }
}
