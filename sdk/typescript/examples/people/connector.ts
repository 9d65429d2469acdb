// The SDK's example: a directory of people kept in a JSON file, with full and delta import and
// export (add, update, delete). It is what the guide walks through and what `ecma2 conformance`
// runs against. main.ts serves it.

import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

import {
  AttributeModificationType,
  AttributeType,
  Attr,
  BadServerCredentialsException,
  type CallContext,
  type CallExport,
  type CallImport,
  capabilities,
  type ConfigParameterDefinition,
  ConfigParameterPage,
  ConfigParameters,
  type CSEntryChange,
  type CSEntryChangeResult,
  Entry,
  type GetCapabilities,
  type GetParameters,
  type GetSchema,
  type ImportPage,
  MAExportError,
  MAObjectConfirmation,
  ObjectModificationType,
  OperationType,
  type OpenImportConnectionRunStep,
  Param,
  type ParameterValidationResult,
  Result,
  type Schema,
  SchemaSchema,
  Validation,
  added,
  anchorValue,
  removed,
} from "../../src/index.js";
import { create } from "@bufbuild/protobuf";

const DATA_FILE = "Data file";
const SEED = "Seed people";

interface Person {
  id: string;
  dn: string;
  name: string;
  email: string;
  department: string;
  active: boolean;
  phones: string[];
}

/** The file: people, and a log of changes numbered in order (the delta watermark is a number). */
interface Store {
  seq: number;
  people: Person[];
  log: { seq: number; id: string; dn: string; deleted: boolean }[];
}

function load(path: string, seed: number): Store {
  if (!existsSync(path)) {
    const people = Array.from({ length: seed }, (_, i) => ({
      id: `p${String(i + 1).padStart(6, "0")}`,
      dn: `CN=Person ${i + 1},OU=People`,
      name: `Person ${i + 1}`,
      email: `person${i + 1}@example.com`,
      department: ["Sales", "Engineering", "Finance"][i % 3]!,
      active: i % 7 !== 0,
      phones: [`+1 555 ${String(1000 + i)}`],
    }));
    save(path, { seq: 0, people, log: [] });
  }
  return JSON.parse(readFileSync(path, "utf8")) as Store;
}

function save(path: string, store: Store): void {
  writeFileSync(`${path}.tmp`, JSON.stringify(store));
  renameSync(`${path}.tmp`, path);
}

function entryOf(p: Person, kind: "add" | "replace"): CSEntryChange {
  return Entry[kind]("person", p.dn, {
    anchors: { id: p.id },
    attrs: { name: p.name, email: p.email, department: p.department, active: p.active, phones: p.phones },
    multiValued: ["phones"],
  });
}

function open(config: ConfigParameters): { path: string; store: Store } {
  const path = config.value(DATA_FILE).trim();
  if (path === "") throw new BadServerCredentialsException(`${DATA_FILE} is empty`);
  const seed = Number(config.value(SEED, "0") || "0");
  return { path, store: load(path, Number.isInteger(seed) && seed > 0 ? seed : 0) };
}

export class People implements GetCapabilities, GetParameters, GetSchema, CallImport, CallExport {
  readonly importPageSizes = { default: 100, max: 5000 };
  readonly exportPageSizes = { default: 50, max: 500 };
  private path = "";
  private pending: CSEntryChange[] = [];
  private watermark = "";
  private pageSize = 0;

  capabilities() {
    return capabilities({
      supportPassword: false,
      supportPartitions: false,
      supportHierarchy: false,
      objectConfirmation: MAObjectConfirmation.MA_OBJECT_CONFIRMATION_NORMAL,
    });
  }

  getConfigParameters(_ctx: CallContext, _config: ConfigParameters, page: ConfigParameterPage): ConfigParameterDefinition[] {
    // Both parameters live on the Connectivity page; the other pages are empty.
    if (page !== ConfigParameterPage.CONNECTIVITY) return [];
    return [Param.string(DATA_FILE), Param.string(SEED, "0")];
  }

  validateConfigParameters(_ctx: CallContext, config: ConfigParameters, page: ConfigParameterPage): ParameterValidationResult {
    if (page !== ConfigParameterPage.CONNECTIVITY) return Validation.success();
    if (config.value(DATA_FILE).trim() === "") return Validation.failure(DATA_FILE, `${DATA_FILE} must name a file`);
    const seed = config.value(SEED, "0");
    if (seed !== "" && !/^\d+$/.test(seed)) return Validation.failure(SEED, `${SEED} must be a whole number, got ${seed}`);
    return Validation.success();
  }

  getSchema(): Schema {
    return create(SchemaSchema, {
      types: [
        {
          name: "person",
          attributes: [
            Attr.anchor("id"),
            Attr.single("name"),
            Attr.single("email"),
            Attr.single("department"),
            Attr.single("active", AttributeType.BOOLEAN),
            Attr.multi("phones"),
          ],
        },
      ],
    });
  }

  openImportConnection(ctx: CallContext, config: ConfigParameters, _schema: Schema, step: OpenImportConnectionRunStep) {
    const { store } = open(config);
    this.pageSize = step.pageSize; // the size in force, never 0
    this.watermark = String(store.seq);
    if (step.importType === OperationType.DELTA) {
      const since = Number(step.customData || "0");
      // The last change of each object after the watermark, in order.
      const last = new Map<string, Store["log"][number]>();
      for (const c of store.log) if (c.seq > since) last.set(c.id, c);
      const byId = new Map(store.people.map((p) => [p.id, p]));
      this.pending = [...last.values()].map((c) => {
        const p = byId.get(c.id);
        return c.deleted || p === undefined ? Entry.delete("person", c.dn, { id: c.id }) : entryOf(p, "replace");
      });
    } else {
      this.pending = store.people.map((p) => entryOf(p, "add"));
    }
    ctx.log.info("import opened", { type: OperationType[step.importType], objects: this.pending.length });
    return { customData: this.watermark };
  }

  async getImportEntries(ctx: CallContext): Promise<ImportPage> {
    ctx.throwIfAborted();
    const page = this.pending.splice(0, this.pageSize);
    return { entries: page, customData: this.watermark, moreToImport: this.pending.length > 0 };
  }

  closeImportConnection() {
    return { customData: this.watermark };
  }

  openExportConnection(_ctx: CallContext, config: ConfigParameters) {
    this.path = open(config).path;
  }

  putExportEntries(_ctx: CallContext, entries: CSEntryChange[]): CSEntryChangeResult[] {
    const store = load(this.path, 0);
    const results = entries.map((e) => this.apply(store, e));
    save(this.path, store);
    return results;
  }

  private apply(store: Store, e: CSEntryChange): CSEntryChangeResult {
    const find = (): Person | undefined => {
      const id = anchorValue(e, "id");
      return store.people.find((p) => (id !== undefined ? p.id === id : p.dn.toLowerCase() === e.dn.toLowerCase()));
    };
    const logChange = (p: Person, deleted: boolean): void => {
      store.seq += 1;
      store.log.push({ seq: store.seq, id: p.id, dn: p.dn, deleted });
    };
    switch (e.objectModificationType) {
      case ObjectModificationType.ADD: {
        if (store.people.some((p) => p.dn.toLowerCase() === e.dn.toLowerCase())) {
          return Result.error(e, MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT, "ExistingObject", `${e.dn} exists`);
        }
        const p: Person = { id: `p${crypto.randomUUID()}`, dn: e.dn, name: "", email: "", department: "", active: true, phones: [] };
        this.update(p, e);
        store.people.push(p);
        logChange(p, false);
        return Result.success(e, { id: p.id });
      }
      case ObjectModificationType.UPDATE:
      case ObjectModificationType.REPLACE: {
        const p = find();
        if (p === undefined) return Result.error(e, MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT, "MissingObject", `${e.dn} not found`);
        this.update(p, e);
        logChange(p, false);
        return Result.success(e);
      }
      case ObjectModificationType.DELETE: {
        const p = find();
        if (p === undefined) return Result.error(e, MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT, "MissingObject", `${e.dn} not found`);
        store.people.splice(store.people.indexOf(p), 1);
        logChange(p, true);
        return Result.success(e);
      }
      default:
        return Result.error(e, MAExportError.MA_EXPORT_ERROR_EXPORT_ERROR_SYNTAX_VIOLATION, "SyntaxViolation", "unsupported change type");
    }
  }

  private update(p: Person, e: CSEntryChange): void {
    // An add carries the DN; an update names the object by its old DN, and a rename is the
    // attribute change "DN" holding the new one.
    if (e.objectModificationType === ObjectModificationType.ADD && e.dn) p.dn = e.dn;
    for (const c of e.attributeChanges) {
      const values = added(c);
      const clear = c.modificationType === AttributeModificationType.DELETE;
      switch (c.name) {
        case "DN":
          p.dn = String(values[0] ?? p.dn);
          break;
        case "name":
        case "email":
        case "department":
          p[c.name] = clear ? "" : String(values[0] ?? "");
          break;
        case "active":
          p.active = clear ? false : values[0] === true;
          break;
        case "phones": {
          const drop = new Set(removed(c).map(String));
          const base = c.modificationType === AttributeModificationType.UPDATE ? p.phones.filter((v) => !drop.has(v)) : [];
          p.phones = clear ? [] : [...base, ...values.map(String)];
          break;
        }
      }
    }
  }

  closeExportConnection(): void {}
}
