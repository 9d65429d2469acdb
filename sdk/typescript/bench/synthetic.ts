// The synthetic connector of the ecma2-bench row "TypeScript SDK vs Rust SDK": it generates N users
// in memory (no storage), exactly as bench/src/synthetic.rs does in Rust, so both SDKs serve the
// same entries and the ratio of their import throughput is the SDKs' own cost.
// Parameter "objects": how many users. node dist/bench/synthetic.js (launched like the host does).

import { create } from "@bufbuild/protobuf";

import {
  type CallContext,
  type CallImport,
  ConfigParameters,
  type CSEntryChange,
  Entry,
  type GetSchema,
  type ImportPage,
  type OpenImportConnectionRunStep,
  Attr,
  AttributeType,
  ref,
  SchemaSchema,
  serve,
} from "../src/index.js";

const TITLES = ["Engineer", "Manager", "Analyst"];
const DEPARTMENTS = ["Sales", "Engineering", "Finance", "Support"];
const dn = (n: number): string => `CN=User${String(n).padStart(7, "0")},OU=People,DC=synthetic,DC=example`;
const phone = (k: number): string => `+1 555 ${String(k % 10000).padStart(4, "0")}`;

/** User `n` (1-based), the same as Rust's synthetic::user(n). */
export function user(n: number): CSEntryChange {
  return Entry.add("user", dn(n), {
    anchors: { id: n },
    attrs: {
      displayName: `Synthetic User ${n}`,
      mail: `user${n}@synthetic.example`,
      employeeNumber: n,
      enabled: n % 7 !== 0,
      title: TITLES[n % 3]!,
      department: DEPARTMENTS[n % 4]!,
      manager: ref(dn(1)),
      phones: [phone(n), phone(n * 7)],
    },
  });
}

class Synthetic implements GetSchema, CallImport {
  readonly importPageSizes = { default: 1000, max: 10000 };
  private total = 0;
  private next = 1;
  private pageSize = 0;

  getSchema() {
    return create(SchemaSchema, {
      types: [
        {
          name: "user",
          attributes: [
            Attr.anchor("id", AttributeType.INTEGER),
            Attr.single("displayName"),
            Attr.single("mail"),
            Attr.single("employeeNumber", AttributeType.INTEGER),
            Attr.single("enabled", AttributeType.BOOLEAN),
            Attr.single("title"),
            Attr.single("department"),
            Attr.single("manager", AttributeType.REFERENCE),
            Attr.multi("phones"),
          ],
        },
      ],
    });
  }

  openImportConnection(_ctx: CallContext, config: ConfigParameters, _schema: unknown, step: OpenImportConnectionRunStep) {
    this.total = Number(config.value("objects", "0"));
    this.pageSize = step.pageSize;
  }

  getImportEntries(ctx: CallContext): ImportPage {
    ctx.throwIfAborted();
    const entries: CSEntryChange[] = [];
    while (entries.length < this.pageSize && this.next <= this.total) entries.push(user(this.next++));
    return { entries, customData: String(this.next - 1), moreToImport: this.next <= this.total };
  }

  closeImportConnection() {}
}

await serve({ name: "synthetic-ts", version: "0.1.0", create: () => new Synthetic() });
