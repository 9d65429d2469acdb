package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.CSEntryChange;
import java.util.List;

/**
 * One page of an import: ECMA2's GetImportEntriesResults with its CSEntries.
 *
 * @param entries the page's entries, at most the session's page size
 * @param customData the watermark after this page
 * @param moreToImport whether the engine should ask for another page
 */
public record ImportPage(List<CSEntryChange> entries, String customData, boolean moreToImport) {
    public ImportPage {
        entries = List.copyOf(entries);
        customData = customData == null ? "" : customData;
    }
}
