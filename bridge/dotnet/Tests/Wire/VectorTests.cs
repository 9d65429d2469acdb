// The generated codec against the byte vectors prost wrote (proto/testdata/vectors).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Ecma2.Protobuf;
using Ecma2.V1;
using NUnit.Framework;

namespace Ecma2.Bridge.Tests.Wire
{
    [TestFixture]
    public class VectorTests
    {
        /// <summary>The vector directory: $ECMA2_VECTORS_DIR, set by scripts/check.sh.</summary>
        internal static string Dir
        {
            get
            {
                var dir = Environment.GetEnvironmentVariable("ECMA2_VECTORS_DIR");
                if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir))
                {
                    throw new InvalidOperationException("ECMA2_VECTORS_DIR must name proto/testdata/vectors (scripts/check.sh sets it)");
                }
                return dir;
            }
        }

        internal static byte[] Vector(string name)
        {
            return File.ReadAllBytes(Path.Combine(Dir, name + ".bin"));
        }

        public static IEnumerable<TestCaseData> Index()
        {
            foreach (var line in File.ReadAllLines(Path.Combine(Dir, "index.tsv")))
            {
                if (line.StartsWith("#", StringComparison.Ordinal) || line.Length == 0) continue;
                var parts = line.Split('\t');
                yield return new TestCaseData(parts[0], parts[1]).SetName("Vector " + parts[0]);
            }
        }

        private static Type ClrType(string protoName)
        {
            Assembly bridge = typeof(CSEntryChange).Assembly;
            if (protoName == "google.rpc.Status") return typeof(Ecma2.Protobuf.Rpc.Status);
            const string prefix = "ecma2.v1.";
            Assert.That(protoName.StartsWith(prefix, StringComparison.Ordinal), protoName);
            var type = bridge.GetType("Ecma2.V1." + protoName.Substring(prefix.Length));
            Assert.IsNotNull(type, "no generated class for " + protoName);
            return type;
        }

        [TestCaseSource("Index")]
        public void DecodesAndReencodesByteForByte(string file, string protoName)
        {
            byte[] data = File.ReadAllBytes(Path.Combine(Dir, file));
            Type type = ClrType(protoName);
            var parse = type.GetMethod("ParseFrom", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(byte[]) }, null);
            var message = (IMessage)parse.Invoke(null, new object[] { data });
            Assert.AreEqual(data.Length, message.CalculateSize(), "CalculateSize of " + file);
            byte[] again = (byte[])type.GetMethod("ToByteArray").Invoke(message, null);
            CollectionAssert.AreEqual(data, again, file + " re-encodes differently");
            Assert.AreEqual(protoName, type.GetField("ProtoName").GetValue(null));
        }

        [Test]
        public void EveryGeneratedMessageHasAVector()
        {
            var covered = new HashSet<string>(Index().Select(t => (string)t.Arguments[1]));
            var generated = typeof(CSEntryChange).Assembly.GetTypes()
                .Where(t => t.Namespace == "Ecma2.V1" && typeof(IMessage).IsAssignableFrom(t))
                .Select(t => (string)t.GetField("ProtoName").GetValue(null)).ToList();
            Assert.Greater(generated.Count, 60);
            foreach (var name in generated) Assert.That(covered.Contains(name), name + " has no vector");
        }

        [Test]
        public void EntryFieldsDecodeTyped()
        {
            var e = CSEntryChange.ParseFrom(Vector("cs_entry_change"));
            Assert.AreEqual("6f1c2a34-0e7b-4d4b-9a55-0c4e8f0d7a11", e.Identifier);
            Assert.AreEqual(ObjectModificationType.Update, e.ObjectModificationType);
            Assert.AreEqual("CN=Zoë Ünïcode,OU=People", e.Dn);
            Assert.AreEqual("person", e.ObjectType);
            Assert.AreEqual(1, e.AnchorAttributes.Count);
            Assert.AreEqual(AttributeType.Integer, e.AnchorAttributes[0].DataType);
            Assert.AreEqual(AttributeValue.KindOneofCase.IntegerValue, e.AnchorAttributes[0].Value.KindCase);
            Assert.AreEqual(-42L, e.AnchorAttributes[0].Value.IntegerValue);
            Assert.AreEqual(5, e.AttributeChanges.Count);
            var mail = e.AttributeChanges[0];
            Assert.IsTrue(mail.IsMultiValued);
            Assert.AreEqual(AttributeModificationType.Update, mail.ModificationType);
            Assert.AreEqual(ValueModificationType.Add, mail.ValueChanges[0].ModificationType);
            Assert.AreEqual("a@example.org", mail.ValueChanges[0].Value.StringValue);
            // An empty string case is still that case (oneof presence), not "unset".
            Assert.AreEqual(AttributeValue.KindOneofCase.StringValue, mail.ValueChanges[1].Value.KindCase);
            Assert.AreEqual(ValueModificationType.Delete, mail.ValueChanges[1].ModificationType);
            var photo = e.AttributeChanges[1].ValueChanges[0].Value;
            Assert.AreEqual(AttributeValue.KindOneofCase.BinaryValue, photo.KindCase);
            Assert.AreEqual(300, photo.BinaryValue.Length);
            Assert.AreEqual(255, photo.BinaryValue[255]);
            Assert.AreEqual("CN=Boss", e.AttributeChanges[2].ValueChanges[0].Value.ReferenceValue);
            Assert.AreEqual(AttributeValue.KindOneofCase.ReferenceValue, e.AttributeChanges[2].ValueChanges[0].Value.KindCase);
            var active = e.AttributeChanges[3].ValueChanges[0].Value;
            Assert.AreEqual(AttributeValue.KindOneofCase.BooleanValue, active.KindCase);
            Assert.IsFalse(active.BooleanValue);
            Assert.AreEqual(AttributeModificationType.Delete, e.AttributeChanges[4].ModificationType);
            Assert.AreEqual(0, e.AttributeChanges[4].ValueChanges.Count);
            Assert.AreEqual(MAImportError.ImportErrorCustomContinueRun, e.ErrorCodeImport);
            Assert.AreEqual("invalid-manager", e.ErrorName);
            Assert.AreEqual("manager not found", e.ErrorDetail);
        }

        [Test]
        public void EachAttributeValueCase()
        {
            Assert.AreEqual(AttributeValue.KindOneofCase.StringValue, AttributeValue.ParseFrom(Vector("attribute_value_string_empty")).KindCase);
            var min = AttributeValue.ParseFrom(Vector("attribute_value_integer_min"));
            Assert.AreEqual(long.MinValue, min.IntegerValue);
            var zero = AttributeValue.ParseFrom(Vector("attribute_value_integer_zero"));
            Assert.AreEqual(AttributeValue.KindOneofCase.IntegerValue, zero.KindCase);
            Assert.AreEqual(0L, zero.IntegerValue);
            Assert.AreEqual("CN=x", AttributeValue.ParseFrom(Vector("attribute_value_reference")).ReferenceValue);
            var bin = AttributeValue.ParseFrom(Vector("attribute_value_binary_empty"));
            Assert.AreEqual(AttributeValue.KindOneofCase.BinaryValue, bin.KindCase);
            Assert.AreEqual(0, bin.BinaryValue.Length);
            Assert.IsTrue(AttributeValue.ParseFrom(Vector("attribute_value_boolean_true")).BooleanValue);
            var unset = AttributeValue.ParseFrom(Vector("attribute_value_unset"));
            Assert.AreEqual(AttributeValue.KindOneofCase.None, unset.KindCase);
            Assert.AreEqual("", unset.StringValue);
            Assert.IsNull(new GetImportEntriesResponse().Entry);
        }

        [Test]
        public void SettingAOneofCaseClearsTheOthers()
        {
            var v = new AttributeValue { StringValue = "a" };
            v.IntegerValue = 7;
            Assert.AreEqual(AttributeValue.KindOneofCase.IntegerValue, v.KindCase);
            Assert.AreEqual("", v.StringValue);
            CollectionAssert.AreEqual(new byte[] { 16, 7 }, v.ToByteArray());
            v.ClearKind();
            Assert.AreEqual(0, v.ToByteArray().Length);

            var frame = new GetImportEntriesResponse { Entry = new CSEntryChange() };
            frame.Results = new GetImportEntriesResults { MoreToImport = true };
            Assert.AreEqual(GetImportEntriesResponse.FrameOneofCase.Results, frame.FrameCase);
            Assert.IsNull(frame.Entry);
            frame.Results = null;
            Assert.AreEqual(GetImportEntriesResponse.FrameOneofCase.None, frame.FrameCase);
            Assert.Throws<ArgumentNullException>(() => v.StringValue = null);
        }

        [Test]
        public void ImportAndExportFrames()
        {
            var entry = GetImportEntriesResponse.ParseFrom(Vector("import_frame_entry"));
            Assert.AreEqual(GetImportEntriesResponse.FrameOneofCase.Entry, entry.FrameCase);
            Assert.AreEqual("person", entry.Entry.ObjectType);
            var fragment = GetImportEntriesResponse.ParseFrom(Vector("import_frame_fragment"));
            Assert.AreEqual(40, fragment.EntryFragment.Data.Length);
            Assert.IsFalse(fragment.EntryFragment.Last);
            var results = GetImportEntriesResponse.ParseFrom(Vector("import_frame_results"));
            Assert.AreEqual("watermark=17", results.Results.CustomData);
            Assert.IsTrue(results.Results.MoreToImport);
            var empty = GetImportEntriesResponse.ParseFrom(Vector("import_frame_results_empty"));
            Assert.AreEqual(GetImportEntriesResponse.FrameOneofCase.Results, empty.FrameCase);
            Assert.IsFalse(empty.Results.MoreToImport);

            var put = PutExportEntriesRequest.ParseFrom(Vector("export_frame_entry"));
            Assert.AreEqual("s-1", put.SessionId);
            Assert.AreEqual(PutExportEntriesRequest.FrameOneofCase.Entry, put.FrameCase);
            var last = PutExportEntriesRequest.ParseFrom(Vector("export_frame_fragment_last"));
            Assert.IsTrue(last.EntryFragment.Last);
            CollectionAssert.AreEqual(new byte[] { 0x0a, 3, (byte)'a', (byte)'b', (byte)'c' }, last.EntryFragment.Data);

            var res = PutExportEntriesResponse.ParseFrom(Vector("export_results"));
            Assert.AreEqual(2, res.Results.CsEntryChangeResults.Count);
            Assert.AreEqual(MAExportError.Success, res.Results.CsEntryChangeResults[0].ErrorCode);
            Assert.AreEqual("mail", res.Results.CsEntryChangeResults[0].AnchorAttributes[0].Name);
            Assert.AreEqual(MAExportError.ExportErrorCustomContinueRun, res.Results.CsEntryChangeResults[1].ErrorCode);
            Assert.AreEqual("it failed", res.Results.CsEntryChangeResults[1].ErrorDetail);
        }

        [Test]
        public void OptionalBoolsKeepPresenceAndFlagsArePacked()
        {
            var c = MACapabilities.ParseFrom(Vector("capabilities_presence"));
            Assert.AreEqual(false, c.ObjectRename);
            Assert.AreEqual(true, c.DeltaImport);
            Assert.AreEqual(false, c.FullExport);
            Assert.AreEqual(false, c.SupportHierarchy);
            Assert.IsNull(c.ConcurrentOperation);
            Assert.IsNull(c.SupportImport);
            Assert.AreEqual(MADistinguishedNameStyle.Ldap, c.DistinguishedNameStyle);
            Assert.AreEqual(MAExportType.MultivaluedReferenceAttributeUpdate, c.ExportType);
            Assert.AreEqual(MAObjectConfirmation.NoAddAndDeleteConfirmation, c.ObjectConfirmation);
            CollectionAssert.AreEqual(new[] { MANormalization.Uppercase, MANormalization.RemoveAccents }, c.Normalizations);
            var unset = MACapabilities.ParseFrom(Vector("capabilities_unset"));
            Assert.IsNull(unset.ObjectRename);
            Assert.AreEqual(0, unset.Normalizations.Count);
            // Writing: false is present (2 bytes), null is absent.
            CollectionAssert.AreEqual(new byte[] { 16, 0 }, new MACapabilities { ObjectRename = false }.ToByteArray());
        }

        [Test]
        public void PackedUInt32AndNegativeInt32()
        {
            var h = GetHostInfoRequest.ParseFrom(Vector("host_info_request"));
            CollectionAssert.AreEqual(new uint[] { 1, 300, 70000 }, h.ProtocolVersions);
            Assert.AreEqual("ecma2-bridge", h.EngineName);
            var open = OpenImportConnectionResponse.ParseFrom(Vector("open_import_negative_page_size"));
            Assert.AreEqual(-1, open.PageSize);
            Assert.IsNotNull(open.Results);
            Assert.AreEqual(3 + 2 + 11, Vector("open_import_negative_page_size").Length, "a negative int32 takes ten bytes");
            // The packed reader also accepts the unpacked form (as protobuf requires of parsers).
            var unpacked = GetHostInfoRequest.ParseFrom(new byte[] { 8, 1, 8, 2 });
            CollectionAssert.AreEqual(new uint[] { 1, 2 }, unpacked.ProtocolVersions);
        }

        [Test]
        public void PasswordRequestWithTimestampAndFlags()
        {
            var p = SetPasswordRequest.ParseFrom(Vector("set_password"));
            Assert.AreEqual("hunter2", p.NewPassword.Value);
            CollectionAssert.AreEqual(new[] { "top", "person" }, p.Csentry.ObjectClass);
            CollectionAssert.AreEqual(new[] { PasswordOption.ForceChangeAtLogOn, PasswordOption.ValidatePassword }, p.Options);
            var when = p.Csentry.ConnectionChangeTime.ToDateTime();
            Assert.AreEqual(DateTimeKind.Utc, when.Kind);
            Assert.AreEqual(new DateTime(2023, 11, 14, 22, 13, 20, DateTimeKind.Utc).AddTicks(1234567), when);
            var back = Timestamp.FromDateTime(when);
            Assert.AreEqual(1700000000L, back.Seconds);
            Assert.AreEqual(123456700, back.Nanos);
            var before = Timestamp.FromDateTime(new DateTime(1969, 12, 31, 23, 59, 59, 500, DateTimeKind.Utc));
            Assert.AreEqual(-1L, before.Seconds);
            Assert.AreEqual(500000000, before.Nanos);
        }

        [Test]
        public void StatusDetailsCarryAFault()
        {
            var status = Ecma2.Protobuf.Rpc.Status.ParseFrom(Vector("rpc_status_with_fault"));
            Assert.AreNotEqual(0, status.Code);
            Assert.AreEqual(1, status.Details.Count);
            Assert.IsTrue(status.Details[0].Is(Fault.ProtoName), status.Details[0].TypeUrl);
            var fault = status.Details[0].Unpack<Fault>();
            Assert.AreEqual(FaultKind.NoSuchAttributeInObjectTypeException, fault.Kind);
            Assert.AreEqual("no attribute \"x\" on person", fault.Message);
            Assert.AreEqual("demo", fault.Connector);
            Assert.AreEqual("GetImportEntries", fault.Call);
            var repacked = Any.Pack(fault, Fault.ProtoName);
            CollectionAssert.AreEqual(status.Details[0].ToByteArray(), repacked.ToByteArray());
        }

        [Test]
        public void EnumMembersFollowTheConventions()
        {
            Assert.AreEqual(3, (int)ObjectModificationType.Add);
            Assert.AreEqual(0, (int)ObjectModificationType.Unspecified);
            Assert.AreEqual(1, (int)Ecma2Interface.CallImport);
            Assert.AreEqual(12, (int)Ecma2Interface.Password);
            Assert.AreEqual(44, (int)FaultKind.ProvisioningBySyncRuleException);
            Assert.AreEqual(5, (int)MAExportType.MultivaluedReferenceAttributeUpdate);
            Assert.AreEqual(2, (int)ConfigParameterType.EncryptedString);
            Assert.AreEqual(2, (int)CloseReason.TerminatedByUser);
        }

        [Test]
        public void UnknownFieldsAreSkippedAndUnknownEnumValuesKept()
        {
            // field 99 varint, field 98 length-delimited, then name = "x".
            var info = ConnectorInfo.ParseFrom(new byte[] { 0x98, 0x06, 0x05, 0x92, 0x06, 0x01, 0xff, 0x0a, 0x01, (byte)'x' });
            Assert.AreEqual("x", info.Name);
            var c = SchemaAttribute.ParseFrom(new byte[] { 0x20, 0x63 });
            Assert.AreEqual(99, (int)c.DataType);
            CollectionAssert.AreEqual(new byte[] { 0x20, 0x63 }, c.ToByteArray());
        }

        [Test]
        public void MalformedInputIsRefusedClearly()
        {
            var full = Vector("cs_entry_change");
            var truncated = full.Take(full.Length - 3).ToArray();
            var e = Assert.Throws<InvalidProtocolBufferException>(() => CSEntryChange.ParseFrom(truncated));
            StringAssert.Contains("truncated", e.Message);
            Assert.Throws<InvalidProtocolBufferException>(() => CSEntryChange.ParseFrom(new byte[] { 0x00 }));
            Assert.Throws<InvalidProtocolBufferException>(() => CSEntryChange.ParseFrom(new byte[] { 0x0a, 0x02, 0xc3, 0x28 }));
        }

        [Test]
        public void AFiveMebibyteValueRoundTrips()
        {
            var big = new byte[5 * 1024 * 1024];
            new Random(7).NextBytes(big);
            var change = new ValueChange { Value = new AttributeValue { BinaryValue = big }, ModificationType = ValueModificationType.Add };
            var back = ValueChange.ParseFrom(change.ToByteArray());
            CollectionAssert.AreEqual(big, back.Value.BinaryValue);
        }
    }
}
