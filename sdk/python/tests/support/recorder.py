"""A small connector for the SDK's lifecycle tests: it records what it observed.

Every session appends JSON lines to the file named by the ``record`` parameter, so a test can
check what reached connector code (close reasons, cancellation, sizes) after the fact. The
``mode`` parameter picks a behaviour: ``fail-open``, ``block``, ``crash``, ``too-many``,
``big``, ``gc`` (records the collector's state per page), ``bad-late`` or normal paging over
``objects`` generated entries.
"""

from __future__ import annotations

import gc
import json
import os
import sys

import ecma2
import ecma2._service
from ecma2 import (
    CallContext,
    ConfigParameters,
    CSEntryChange,
    CSEntryChangeResult,
    GetImportEntriesResults,
    MACapabilities,
    Schema,
)

BIG_PHOTO_BYTES = 5 * 1024 * 1024 + 17


class Recorder(
    ecma2.GetCapabilities, ecma2.GetSchema, ecma2.CallImport, ecma2.CallExport, ecma2.Password
):
    import_default_page_size = 10
    import_max_page_size = 50
    export_default_page_size = 5
    export_max_page_size = 20

    def __init__(self) -> None:
        self.config = ConfigParameters()
        self.cursor = 0

    def record(self, ctx: CallContext, event: str, **fields: object) -> None:
        path = self.config.value("record")
        if not path:
            return
        line = json.dumps({"event": event, "session": ctx.session_id, "pid": os.getpid(), **fields})
        with open(path, "a", encoding="utf-8") as f:
            f.write(line + "\n")

    # configuration

    def capabilities(self, ctx: CallContext) -> MACapabilities:
        return MACapabilities(support_partitions=False, support_hierarchy=False)

    def get_schema(self, ctx: CallContext, config: ConfigParameters) -> Schema:
        return Schema.of(
            ecma2.SchemaType.create(
                "thing",
                ecma2.SchemaAttribute.anchor("id", ecma2.AttributeType.INTEGER),
                ecma2.SchemaAttribute.single_valued("blob", ecma2.AttributeType.BINARY),
            )
        )

    # import

    def open_import_connection(self, ctx, config, schema, run_step):
        self.config = config
        self.page_size = run_step.page_size
        self.total = int(config.value("objects", "25"))
        self.record(ctx, "open-import", page_size=run_step.page_size, gc=gc.isenabled())
        if config.value("mode") == "fail-open":
            raise ecma2.ServerDownException("directory offline")
        chunk = config.value("encode_chunk")
        if chunk:  # encode and send pages this many entries at a time (the SDK's default: 256)
            ecma2._service.ENCODE_CHUNK = int(chunk)
        if config.value("mode") == "print":
            print("stray output from connector code")  # must not reach stdout
        return ecma2.OpenImportConnectionResults()

    def get_import_entries(self, ctx, run_step):
        mode = self.config.value("mode", "")
        if mode == "block":
            self.record(ctx, "blocked")
            ctx.wait(60)
            self.record(ctx, "woke", cancelled=ctx.cancelled)
            ctx.raise_if_cancelled()
        if mode == "crash":
            return 1 // int(self.config.value("zero", "0"))
        if mode == "too-many":
            entries = [self.thing(i) for i in range(self.page_size + 1)]
            return GetImportEntriesResults(entries, "", False)
        if mode == "big-mixed":  # a large entry between small ones
            big = self.thing(1).attr("blob", bytes(range(256)) * (BIG_PHOTO_BYTES // 256 + 1))
            return GetImportEntriesResults([self.thing(0), big, self.thing(2)], "3", False)
        if mode == "big":
            entry = self.thing(1).attr("blob", bytes(range(256)) * (BIG_PHOTO_BYTES // 256 + 1))
            return GetImportEntriesResults([entry], "1", False)
        if mode == "gc":  # what the cyclic collector's state is while connector code runs
            self.record(ctx, "gc", where="page", enabled=gc.isenabled())
        end = min(self.cursor + self.page_size, self.total)
        entries = [self.thing(i) for i in range(self.cursor, end)]
        if mode == "bad-late" and len(entries) > 7:  # a value no encoding takes, late in a page
            entries[7].attr("blob", 2**64)
        self.cursor = end
        return GetImportEntriesResults(entries, str(end), end < self.total)

    def thing(self, i: int) -> CSEntryChange:
        return CSEntryChange.add("thing", dn=f"CN={i}").anchor("id", i)

    def close_import_connection(self, ctx, run_step):
        release = self.config.value("release")
        if release:  # hold the close until the test creates this file (bounded)
            self.record(ctx, "closing")
            for _ in range(400):
                if os.path.exists(release):
                    break
                ctx.wait(0.05)
        if self.config.value("mode") == "gc":
            self.record(ctx, "gc", where="close", enabled=gc.isenabled())
        self.record(ctx, "close-import", reason=run_step.reason.name)
        return ecma2.CloseImportConnectionResults(run_step.custom_data)

    # export

    def open_export_connection(self, ctx, config, schema, run_step):
        self.config = config
        self.record(ctx, "open-export", batch_size=run_step.batch_size)

    def put_export_entries(self, ctx, entries):
        sizes = [len(e.value("blob") or b"") for e in entries]
        self.record(ctx, "put-export", count=len(entries), blob_sizes=sizes)
        return ecma2.PutExportEntriesResults([CSEntryChangeResult.success(e) for e in entries])

    def close_export_connection(self, ctx, run_step):
        self.record(ctx, "close-export", reason=run_step.reason.name)

    # password

    def open_password_connection(self, ctx, config, partition):
        self.config = config
        self.record(ctx, "open-password")

    def close_password_connection(self, ctx):
        self.record(ctx, "close-password")

    def get_connection_security_level(self, ctx):
        return ecma2.ConnectionSecurityLevel.SECURE

    def set_password(self, ctx, csentry, new_password, options):
        # Careless logging on purpose: the SDK must keep the clear text out of the logs.
        ctx.log.info("setting password", extra={"dn": csentry.dn, "password": new_password})
        ctx.log.info("raw %s", new_password.expose())
        self.record(ctx, "set-password", dn=csentry.dn, options=int(options))
        if new_password.expose() == "reject-me":
            raise ecma2.PasswordPolicyViolationException(
                f"password {new_password.expose()} is too weak"
            )

    def change_password(self, ctx, csentry, old_password, new_password):
        self.record(ctx, "change-password", dn=csentry.dn)


if __name__ == "__main__":
    sys.exit(ecma2.serve(Recorder, name="recorder", version="1.2.3"))
