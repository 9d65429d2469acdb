"""What ``IMAExtensible2Password`` receives: the engine's ``CSEntry``, as far as it can travel."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Self

from ecma2._pb import password_pb2
from ecma2.change import Value, value_from_pb, value_to_pb
from ecma2.enums import AttributeType, ConnectionState, RuleType, wire


def _time(
    message: password_pb2.CSEntry | password_pb2.Attrib, name: str
) -> datetime.datetime | None:
    if not message.HasField(name):
        return None
    stamp = getattr(message, name)
    return stamp.ToDatetime(tzinfo=datetime.UTC)  # type: ignore[no-any-return]


@dataclass(frozen=True)
class Attrib:
    """ECMA2 ``Attrib``: one attribute of a ``CSEntry``."""

    name: str
    data_type: AttributeType
    values: list[Value] = field(default_factory=list)
    is_multivalued: bool = False
    last_contribution_time: datetime.datetime | None = None
    last_contributing_ma: str = ""

    @property
    def is_present(self) -> bool:
        """ECMA2 ``IsPresent``."""
        return bool(self.values)

    @property
    def value(self) -> Value | None:
        """The single value, or ``None``."""
        return self.values[0] if self.values else None

    def to_pb(self) -> password_pb2.Attrib:
        """The wire message."""
        message = password_pb2.Attrib(
            name=self.name,
            data_type=wire(self.data_type),
            is_present=self.is_present,
            is_multivalued=self.is_multivalued,
            values=[value_to_pb(v) for v in self.values],
            last_contributing_ma=self.last_contributing_ma,
        )
        if self.last_contribution_time is not None:
            message.last_contribution_time.FromDatetime(self.last_contribution_time)
        return message

    @classmethod
    def from_pb(cls, message: password_pb2.Attrib) -> Self:
        """From the wire message."""
        return cls(
            message.name,
            AttributeType.from_wire(message.data_type),
            [value_from_pb(v) for v in message.values],
            message.is_multivalued,
            _time(message, "last_contribution_time"),
            message.last_contributing_ma,
        )


@dataclass(frozen=True)
class CSEntry:
    """ECMA2 ``CSEntry``: the connector space object whose password is set or changed."""

    dn: str
    object_type: str = ""
    rdn: str = ""
    object_class: list[str] = field(default_factory=list)
    attributes: list[Attrib] = field(default_factory=list)
    connection_state: ConnectionState | None = None
    ma_name: str = ""
    connection_rule: RuleType | None = None
    connection_change_time: datetime.datetime | None = None

    def __getitem__(self, name: str) -> Attrib:
        for attribute in self.attributes:
            if attribute.name == name:
                return attribute
        raise KeyError(name)

    def to_pb(self) -> password_pb2.CSEntry:
        """The wire message."""
        message = password_pb2.CSEntry(
            dn=self.dn,
            rdn=self.rdn,
            object_class=self.object_class,
            object_type=self.object_type,
            attributes=[a.to_pb() for a in self.attributes],
        )
        if self.connection_state is not None:
            message.connection_state = wire(self.connection_state)
        if self.connection_rule is not None:
            message.connection_rule = wire(self.connection_rule)
        if self.ma_name:
            message.ma.name = self.ma_name
        if self.connection_change_time is not None:
            message.connection_change_time.FromDatetime(self.connection_change_time)
        return message

    @classmethod
    def from_pb(cls, message: password_pb2.CSEntry) -> Self:
        """From the wire message."""
        return cls(
            dn=message.dn,
            object_type=message.object_type,
            rdn=message.rdn,
            object_class=list(message.object_class),
            attributes=[Attrib.from_pb(a) for a in message.attributes],
            connection_state=(
                ConnectionState.from_wire(message.connection_state)
                if message.connection_state
                else None
            ),
            ma_name=message.ma.name,
            connection_rule=(
                RuleType.from_wire(message.connection_rule) if message.connection_rule else None
            ),
            connection_change_time=_time(message, "connection_change_time"),
        )
