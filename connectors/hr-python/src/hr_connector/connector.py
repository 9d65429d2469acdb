"""The HR connector: ECMA2 over the SQLite HR store.

* Objects: ``employee`` (anchor ``employeeId``, integer) and ``department`` (anchor
  ``deptId``, integer). Both anchors are assigned by the database and returned on export add.
* DN style Generic: every object has a one-level DN, ``CN=<id>`` for employees and
  ``CN=D<id>`` for departments unless the engine provisioned another one. References
  (``department``, ``manager``) are DNs; renames are supported.
* Full import pages through departments then employees; delta import returns everything whose
  change counter is above the watermark (Add for objects created since, Replace for changed
  ones, Delete from tombstones). The watermark (``custom_data``) is the highest counter seen.
* Per-object problems stay in the results: a stored email that is not an address imports with
  ``ImportErrorCustomContinueRun``; exporting a duplicate email is
  ``ExportErrorConstraintViolation``.
"""

from __future__ import annotations

import re
import sqlite3
from typing import ClassVar

import ecma2
from ecma2 import (
    AttributeChange,
    AttributeModificationType,
    AttributeOperation,
    AttributeType,
    CallContext,
    CloseExportConnectionRunStep,
    CloseImportConnectionResults,
    CloseImportConnectionRunStep,
    ConfigParameterDefinition,
    ConfigParameterPage,
    ConfigParameters,
    CSEntryChange,
    CSEntryChangeResult,
    GetImportEntriesResults,
    GetImportEntriesRunStep,
    MACapabilities,
    MAExportError,
    MAExportType,
    MAImportError,
    ObjectModificationType,
    OpenExportConnectionRunStep,
    OpenImportConnectionResults,
    OpenImportConnectionRunStep,
    OperationType,
    ParameterValidationResult,
    PutExportEntriesResults,
    Reference,
    Schema,
    SchemaAttribute,
    SchemaType,
    Value,
)
from hr_connector import params
from hr_connector.store import Department, Employee, HrStore, ObjectKind, Row, StoreError

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# Schema attribute name -> (column, type), per object type. Anchors are not writable.
EMPLOYEE_ATTRIBUTES: dict[str, tuple[str, AttributeType]] = {
    "displayName": ("display_name", AttributeType.STRING),
    "email": ("email", AttributeType.STRING),
    "title": ("title", AttributeType.STRING),
    "department": ("department_id", AttributeType.REFERENCE),
    "manager": ("manager_id", AttributeType.REFERENCE),
    "active": ("active", AttributeType.BOOLEAN),
    "photo": ("photo", AttributeType.BINARY),
}
DEPARTMENT_ATTRIBUTES: dict[str, tuple[str, AttributeType]] = {
    "name": ("name", AttributeType.STRING),
}
ANCHORS: dict[str, str] = {"employee": "employeeId", "department": "deptId"}
_PYTHON_TYPES: dict[AttributeType, tuple[type, ...]] = {
    AttributeType.STRING: (str,),
    AttributeType.REFERENCE: (str,),
    AttributeType.BOOLEAN: (bool,),
    AttributeType.BINARY: (bytes,),
}


class EntryError(Exception):
    """An object-level export error: becomes the entry's result, never a fault."""

    def __init__(self, code: MAExportError, name: str, detail: str) -> None:
        super().__init__(detail)
        self.code, self.name, self.detail = code, name, detail


def _open_store(config: ConfigParameters) -> HrStore:
    result = params.validate(config, ConfigParameterPage.CONNECTIVITY)
    if not result.ok:
        raise ecma2.ServerDownException(result.error_message)
    try:
        store = HrStore.open(config.value(params.DATABASE, ""), create=config.flag(params.CREATE))
    except StoreError as error:
        raise ecma2.ServerDownException(str(error)) from error
    store.seed(params.seed_count(config))
    return store


class HrConnector(
    ecma2.GetCapabilities,
    ecma2.GetParameters,
    ecma2.GetSchema,
    ecma2.CallImport,
    ecma2.CallExport,
):
    """An HR system in SQLite, imported and exported through ECMA2."""

    import_default_page_size: ClassVar[int] = 100
    import_max_page_size: ClassVar[int] = 1000
    export_default_page_size: ClassVar[int] = 100
    export_max_page_size: ClassVar[int] = 1000

    def __init__(self) -> None:
        self.store: HrStore | None = None
        self.import_type = OperationType.FULL
        self.page_size = 0
        self.full_cursor = (-1, 0)
        self.delta_start = 0
        self.delta_cursor = 0
        self.high_water = 0

    # -- configuration ----------------------------------------------------------------------

    def capabilities(self, ctx: CallContext) -> MACapabilities:
        return MACapabilities(
            export_type=MAExportType.ATTRIBUTE_REPLACE,
            delete_add_as_replace=False,
            support_partitions=False,
            support_hierarchy=False,
            support_password=False,
        )

    def get_config_parameters(
        self, ctx: CallContext, config: ConfigParameters, page: ConfigParameterPage
    ) -> list[ConfigParameterDefinition]:
        return params.definitions(page)

    def validate_config_parameters(
        self, ctx: CallContext, config: ConfigParameters, page: ConfigParameterPage
    ) -> ParameterValidationResult:
        return params.validate(config, page)

    def get_schema(self, ctx: CallContext, config: ConfigParameters) -> Schema:
        return Schema.of(
            SchemaType.create(
                "employee",
                SchemaAttribute.anchor(
                    "employeeId", AttributeType.INTEGER, AttributeOperation.IMPORT_ONLY
                ),
                *(
                    SchemaAttribute.single_valued(name, data_type)
                    for name, (_, data_type) in EMPLOYEE_ATTRIBUTES.items()
                ),
                locked=True,
            ),
            SchemaType.create(
                "department",
                SchemaAttribute.anchor(
                    "deptId", AttributeType.INTEGER, AttributeOperation.IMPORT_ONLY
                ),
                SchemaAttribute.single_valued("name", AttributeType.STRING),
                locked=True,
            ),
        )

    # -- import -----------------------------------------------------------------------------

    def open_import_connection(
        self,
        ctx: CallContext,
        config: ConfigParameters,
        schema: Schema,
        run_step: OpenImportConnectionRunStep,
    ) -> OpenImportConnectionResults:
        self.store = _open_store(config)
        self.import_type = run_step.import_type
        self.page_size = run_step.page_size
        # Changes made while the run pages are picked up by the next delta, not this one.
        self.high_water = self.store.counter()
        if self.import_type is OperationType.DELTA:
            watermark = run_step.custom_data.strip()
            if not watermark.isdigit():
                raise ecma2.WarningNoWatermarkException(
                    f"delta import needs a watermark from a full import, got {watermark!r}"
                )
            self.delta_start = self.delta_cursor = int(watermark)
        ctx.log.info(
            "import opened",
            extra={"import_type": self.import_type.name, "high_water": self.high_water},
        )
        return OpenImportConnectionResults()

    def get_import_entries(
        self, ctx: CallContext, run_step: GetImportEntriesRunStep
    ) -> GetImportEntriesResults:
        store = self._store()
        ctx.raise_if_cancelled()
        if self.import_type is OperationType.DELTA:
            changes, more = store.delta_page(
                self.delta_start, self.delta_cursor, self.high_water, self.page_size
            )
            entries = [self._delta_entry(row) for row in changes]
            if changes:
                self.delta_cursor = changes[-1].rowversion
            watermark = self.delta_cursor if more else self.high_water
        else:
            objects, more = store.full_page(self.full_cursor, self.page_size)
            entries = [self._entry(row, ObjectModificationType.ADD) for row in objects]
            if objects:
                last = objects[-1]
                if isinstance(last, Employee):
                    self.full_cursor = (1, last.employee_id)
                else:
                    self.full_cursor = (0, last.dept_id)
            watermark = self.high_water
        return GetImportEntriesResults(entries, str(watermark), more)

    def close_import_connection(
        self, ctx: CallContext, run_step: CloseImportConnectionRunStep
    ) -> CloseImportConnectionResults:
        ctx.log.info("import closed", extra={"reason": run_step.reason.name})
        if self.store is not None:
            self.store.close()
            self.store = None
        return CloseImportConnectionResults(run_step.custom_data)

    def _store(self) -> HrStore:
        if self.store is None:
            raise ecma2.ExtensibleExtensionException("the connection is not open")
        return self.store

    def _delta_entry(self, row: Row) -> CSEntryChange:
        if isinstance(row, Department | Employee):
            created_since = row.created_rv > self.delta_start
            kind = ObjectModificationType.ADD if created_since else ObjectModificationType.REPLACE
            return self._entry(row, kind)
        return CSEntryChange.delete(row.kind, dn=row.dn).anchor(ANCHORS[row.kind], row.anchor)

    def _entry(self, row: Row, kind: ObjectModificationType) -> CSEntryChange:
        if isinstance(row, Department):
            entry = CSEntryChange.create("department", kind, dn=row.dn)
            return entry.anchor("deptId", row.dept_id).attr("name", row.name or None)
        assert isinstance(row, Employee)
        entry = (
            CSEntryChange.create("employee", kind, dn=row.dn)
            .anchor("employeeId", row.employee_id)
            .attr("displayName", row.display_name)
            .attr("title", row.title)
            .attr("department", Reference(row.department_dn) if row.department_dn else None)
            .attr("manager", Reference(row.manager_dn) if row.manager_dn else None)
            .attr("active", row.active)
            .attr("photo", row.photo)
        )
        if row.email is not None and not EMAIL.match(row.email):
            return entry.error(
                MAImportError.IMPORT_ERROR_CUSTOM_CONTINUE_RUN,
                "invalid-email",
                f"employee {row.employee_id} has an email that is not an address: {row.email!r}",
            )
        return entry.attr("email", row.email)

    # -- export -----------------------------------------------------------------------------

    def open_export_connection(
        self,
        ctx: CallContext,
        config: ConfigParameters,
        schema: Schema,
        run_step: OpenExportConnectionRunStep,
    ) -> None:
        self.store = _open_store(config)
        ctx.log.info("export opened", extra={"batch_size": run_step.batch_size})

    def put_export_entries(
        self, ctx: CallContext, entries: list[CSEntryChange]
    ) -> PutExportEntriesResults:
        store = self._store()
        results = []
        with store.transaction():
            for entry in entries:
                ctx.raise_if_cancelled()
                try:
                    with store.savepoint():
                        results.append(self._export(store, entry))
                except EntryError as problem:
                    results.append(
                        CSEntryChangeResult.error(entry, problem.code, problem.name, problem.detail)
                    )
        failed = sum(1 for r in results if r.error_code is not MAExportError.SUCCESS)
        ctx.log.info("batch exported", extra={"entries": len(entries), "errors": failed})
        return PutExportEntriesResults(results)

    def close_export_connection(
        self, ctx: CallContext, run_step: CloseExportConnectionRunStep
    ) -> None:
        ctx.log.info("export closed", extra={"reason": run_step.reason.name})
        if self.store is not None:
            self.store.close()
            self.store = None

    def _export(self, store: HrStore, entry: CSEntryChange) -> CSEntryChangeResult:
        kind = _kind(entry.object_type)
        modification = entry.object_modification_type
        try:
            if modification is ObjectModificationType.ADD:
                return self._export_add(store, kind, entry)
            object_id = self._existing(store, kind, entry)
            if modification is ObjectModificationType.DELETE:
                store.delete(kind, object_id)
                return CSEntryChangeResult.success(entry)
            if modification in (ObjectModificationType.UPDATE, ObjectModificationType.REPLACE):
                replace_all = modification is ObjectModificationType.REPLACE
                values, retry = self._columns(store, kind, entry, replace_all=replace_all)
                store.update(kind, object_id, values)
                if retry:
                    return _retry_references(entry, retry)
                return CSEntryChangeResult.success(entry)
        except sqlite3.IntegrityError as error:
            raise _integrity_problem(error) from error
        raise EntryError(
            MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_ERROR,
            "unsupported-change",
            f"cannot export a {modification.name} change",
        )

    def _export_add(
        self, store: HrStore, kind: ObjectKind, entry: CSEntryChange
    ) -> CSEntryChangeResult:
        if entry.dn and store.dn_taken(entry.dn):
            raise EntryError(
                MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT,
                "dn-exists",
                f"an object with DN {entry.dn} already exists",
            )
        values, retry = self._columns(store, kind, entry, replace_all=True)
        object_id = store.insert(kind, entry.dn, values)
        anchors: dict[str, Value] = {ANCHORS[kind]: object_id}
        if retry:
            result = _retry_references(entry, retry)
            result.anchor_attributes = [AttributeChange.add(ANCHORS[kind], object_id)]
            return result
        return CSEntryChangeResult.success(entry, anchors)

    def _existing(self, store: HrStore, kind: ObjectKind, entry: CSEntryChange) -> int:
        anchor = entry.anchor_value(ANCHORS[kind])
        if anchor is not None and not isinstance(anchor, int):
            raise EntryError(
                MAExportError.EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE,
                "invalid-anchor",
                f"{ANCHORS[kind]} must be an integer, got {anchor!r}",
            )
        object_id = store.find(kind, anchor=anchor, dn=entry.dn)
        if object_id is None:
            raise EntryError(
                MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT,
                "missing-object",
                f"no {kind} with {ANCHORS[kind]}={anchor} or DN {entry.dn!r}",
            )
        return object_id

    def _columns(
        self, store: HrStore, kind: ObjectKind, entry: CSEntryChange, *, replace_all: bool
    ) -> tuple[dict[str, object], list[str]]:
        """The column values an entry sets, and the references that could not be resolved."""
        attributes = EMPLOYEE_ATTRIBUTES if kind == "employee" else DEPARTMENT_ATTRIBUTES
        values: dict[str, object] = {}
        if replace_all:
            values = {column: None for column, _ in attributes.values()}
            if kind == "employee":
                values["active"] = 1
            else:
                values["name"] = ""
        unresolved: list[str] = []
        for change in entry.attribute_changes:
            if change.name == "DN":
                new_dn = str(change.value)
                if new_dn != entry.dn and store.dn_taken(new_dn):
                    raise EntryError(
                        MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT,
                        "dn-exists",
                        f"cannot rename to {new_dn}: the DN is taken",
                    )
                values["dn"] = new_dn
                continue
            if change.name not in attributes:
                raise EntryError(
                    MAExportError.EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE,
                    "unknown-attribute",
                    f"{kind} has no attribute {change.name!r}",
                )
            column, data_type = attributes[change.name]
            value = _new_value(change)
            if value is None:
                values[column] = 1 if column == "active" else None
                continue
            _check_type(change.name, value, data_type)
            if data_type is AttributeType.REFERENCE:
                target: ObjectKind = "department" if change.name == "department" else "employee"
                ref_id = store.find(target, dn=str(value))
                if ref_id is None:
                    unresolved.append(change.name)
                    continue
                values[column] = ref_id
            elif change.name == "email" and not EMAIL.match(str(value)):
                raise EntryError(
                    MAExportError.EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE,
                    "invalid-email",
                    f"{value!r} is not an email address",
                )
            else:
                values[column] = int(value) if isinstance(value, bool) else value
        return values, unresolved


def _kind(object_type: str) -> ObjectKind:
    if object_type == "employee":
        return "employee"
    if object_type == "department":
        return "department"
    raise EntryError(
        MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_ERROR,
        "unknown-object-type",
        f"the HR system has no object type {object_type!r}",
    )


def _new_value(change: AttributeChange) -> Value | None:
    """The value a single-valued attribute ends with after the change (``None``: removed)."""
    if change.modification_type is AttributeModificationType.DELETE:
        return None
    if change.modification_type is AttributeModificationType.UPDATE:
        added = change.values
        return added[-1] if added else None
    return change.value


def _check_type(name: str, value: Value, data_type: AttributeType) -> None:
    expected = _PYTHON_TYPES[data_type]
    wrong_bool = isinstance(value, bool) and data_type is not AttributeType.BOOLEAN
    if not isinstance(value, expected) or wrong_bool:
        raise EntryError(
            MAExportError.EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE,
            "invalid-value",
            f"{name} takes a {data_type.name.lower()} value, not {type(value).__name__}",
        )


def _retry_references(entry: CSEntryChange, names: list[str]) -> CSEntryChangeResult:
    return CSEntryChangeResult.error(
        entry,
        MAExportError.EXPORT_ACTION_RETRY_REFERENCE_ATTRIBUTE,
        "reference-not-found",
        f"not exported yet: {', '.join(names)}; the object was written without them",
    )


def _integrity_problem(error: sqlite3.IntegrityError) -> EntryError:
    text = str(error)
    if "employees.email" in text:
        return EntryError(
            MAExportError.EXPORT_ERROR_CONSTRAINT_VIOLATION,
            "duplicate-email",
            "another employee already has this email address",
        )
    if ".dn" in text:
        return EntryError(
            MAExportError.EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT,
            "dn-exists",
            "another object already has this DN",
        )
    return EntryError(MAExportError.EXPORT_ERROR_CONSTRAINT_VIOLATION, "constraint", text)
