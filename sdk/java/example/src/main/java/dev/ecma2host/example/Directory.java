package dev.ecma2host.example;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The example's data: people kept in memory for the life of the process, with a change journal
 * for delta import. One directory per process, shared by every session (the SDK makes a fresh
 * connector instance per session; shared state lives here).
 */
final class Directory {
    /** One person. */
    record Person(String id, String cn, String title, String mail) {}

    /** One journal record: seq, the person's id and DN, and whether it was deleted. */
    record Change(long seq, String id, String dn, boolean deleted) {}

    static final Directory SHARED = new Directory();

    private final Map<String, Person> byId = new LinkedHashMap<>();
    private final List<Change> journal = new ArrayList<>();
    private boolean seeded;

    static String dn(String cn) {
        return "CN=" + cn.replace("\\", "\\\\").replace(",", "\\,") + ",OU=people";
    }

    synchronized void seed(int count) {
        if (seeded) {
            return;
        }
        seeded = true;
        for (int i = 1; i <= count; i++) {
            put(new Person(UUID.randomUUID().toString(), String.format("Person %05d", i), "Engineer " + (i % 7),
                    String.format("person%05d@example.com", i)));
        }
    }

    synchronized long watermark() {
        return journal.isEmpty() ? 0 : journal.get(journal.size() - 1).seq();
    }

    /** People sorted by id after {@code afterId}, at most {@code limit}. */
    synchronized List<Person> page(String afterId, int limit) {
        return byId.values().stream()
                .sorted((a, b) -> a.id().compareTo(b.id()))
                .filter(p -> afterId.isEmpty() || p.id().compareTo(afterId) > 0)
                .limit(limit)
                .toList();
    }

    synchronized List<Change> changesAfter(long seq, int limit) {
        return journal.stream().filter(c -> c.seq() > seq).limit(limit).toList();
    }

    synchronized Person get(String id) {
        return byId.get(id);
    }

    synchronized Person byCn(String cn) {
        return byId.values().stream().filter(p -> p.cn().equalsIgnoreCase(cn)).findFirst().orElse(null);
    }

    synchronized void put(Person p) {
        byId.put(p.id(), p);
        journal.add(new Change(journal.size() + 1L, p.id(), dn(p.cn()), false));
    }

    synchronized boolean delete(String id) {
        Person p = byId.remove(id);
        if (p == null) {
            return false;
        }
        journal.add(new Change(journal.size() + 1L, id, dn(p.cn()), true));
        return true;
    }
}
