// The change model across the wire: every part of CSEntryChange, AnchorAttribute,
// AttributeChange, ValueChange and CSEntryChangeResult goes ECMA2 -> proto -> bytes -> proto ->
// ECMA2 unchanged; values are typed by DataType or, when Undefined, by the run's schema; what
// ECMA2 refuses comes back as UnexpectedDataException naming the entry and attribute.
using System;
using System.Collections.Generic;
using System.Linq;
using Ecma2.Bridge;
using Microsoft.MetadirectoryServices;
using Microsoft.MetadirectoryServices.DetachedObjectModel;
using NUnit.Framework;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge.Tests.Ecma
{
    [TestFixture]
    public class ChangeMappingTests
    {
        internal static Schema UserSchema()
        {
            Schema s = Schema.Create();
            SchemaType user = SchemaType.Create("user", true);
            user.Attributes.Add(SchemaAttribute.CreateAnchorAttribute("id", AttributeType.String));
            user.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("cn", AttributeType.String));
            user.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("manager", AttributeType.Reference));
            user.Attributes.Add(SchemaAttribute.CreateMultiValuedAttribute("member", AttributeType.Reference));
            user.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("employeeNumber", AttributeType.Integer));
            user.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("photo", AttributeType.Binary));
            user.Attributes.Add(SchemaAttribute.CreateSingleValuedAttribute("enabled", AttributeType.Boolean, AttributeOperation.ExportOnly));
            s.Types.Add(user);
            return s;
        }

        private static CSEntryChange RoundTrip(CSEntryChange c, Schema schema)
        {
            byte[] bytes = Ecma2Mapping.ToPb(c, schema).ToByteArray();
            return Ecma2Mapping.FromPb(Pb.CSEntryChange.ParseFrom(bytes));
        }

        [Test]
        public void AnAddWithEveryValueTypeCrossesUnchanged()
        {
            CSEntryChange c = CSEntryChange.Create();
            c.ObjectModificationType = ObjectModificationType.Add;
            c.ObjectType = "user";
            c.DN = "CN=Ada\\, Countess,OU=People,DC=demo";
            c.AnchorAttributes.Add(AnchorAttribute.Create("id", "a-1"));
            c.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("cn", "Ada"));
            c.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("manager", "CN=Babbage,OU=People,DC=demo"));
            c.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("member", new List<object> { "CN=A", "CN=B" }));
            c.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("employeeNumber", 42));
            c.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("photo", new byte[] { 0, 1, 2, 255 }));
            c.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("enabled", true));

            Pb.CSEntryChange pb = Ecma2Mapping.ToPb(c, UserSchema());
            Assert.AreEqual(c.Identifier.ToString(), pb.Identifier);
            Assert.AreEqual(Pb.ObjectModificationType.Add, pb.ObjectModificationType);
            Assert.AreEqual(Pb.AttributeValue.KindOneofCase.ReferenceValue, pb.AttributeChanges[1].ValueChanges[0].Value.KindCase, "a reference is typed from the schema");
            Assert.AreEqual(Pb.AttributeValue.KindOneofCase.StringValue, pb.AttributeChanges[0].ValueChanges[0].Value.KindCase);
            Assert.AreEqual(42L, pb.AttributeChanges[3].ValueChanges[0].Value.IntegerValue, "Int32 travels as int64");

            CSEntryChange back = RoundTrip(c, UserSchema());
            Assert.AreEqual(c.Identifier, back.Identifier);
            Assert.AreEqual(ObjectModificationType.Add, back.ObjectModificationType);
            Assert.AreEqual("user", back.ObjectType);
            Assert.AreEqual(c.DN, back.DN);
            Assert.AreEqual("CN=Ada\\, Countess", back.RDN, "RDN is derived from the DN, escapes kept");
            Assert.AreEqual("a-1", back.AnchorAttributes["id"].Value);
            Assert.AreEqual(new[] { "cn", "manager", "member", "employeeNumber", "photo", "enabled" }, back.ChangedAttributeNames.ToArray());
            Assert.AreEqual("Ada", back.AttributeChanges["cn"].ValueChanges[0].Value);
            Assert.AreEqual(new object[] { "CN=A", "CN=B" }, back.AttributeChanges["member"].ValueChanges.Select(v => v.Value).ToArray());
            Assert.AreEqual(42L, back.AttributeChanges["employeeNumber"].ValueChanges[0].Value);
            Assert.AreEqual(new byte[] { 0, 1, 2, 255 }, back.AttributeChanges["photo"].ValueChanges[0].Value);
            Assert.AreEqual(true, back.AttributeChanges["enabled"].ValueChanges[0].Value);
            Assert.AreEqual(AttributeModificationType.Add, back.AttributeChanges["cn"].ModificationType);
            Assert.AreEqual(ValueModificationType.Add, back.AttributeChanges["cn"].ValueChanges[0].ModificationType);
            Assert.AreEqual(MAImportError.Success, back.ErrorCodeImport);
            Assert.IsNull(back.ErrorName);
        }

        [Test]
        public void AnUpdateKeepsEveryModificationTypeAndTheDataTypeItCarries()
        {
            CSEntryChange c = new CSEntryChangeDetached(Guid.NewGuid(), ObjectModificationType.Update, MAImportError.Success, null);
            c.DN = "CN=x";
            c.AttributeChanges.Add(AttributeChange.CreateAttributeReplace("cn", "y"));
            c.AttributeChanges.Add(AttributeChange.CreateAttributeDelete("photo"));
            c.AttributeChanges.Add(AttributeChange.CreateAttributeUpdate("member", new List<ValueChange> { ValueChange.CreateValueAdd("CN=A"), ValueChange.CreateValueDelete("CN=B") }));
            c.AttributeChanges.Add(AttributeChange.CreateNewDN("CN=z"));
            c.AttributeChanges.Add(new AttributeChangeDetached("employeeNumber", AttributeModificationType.Replace, new List<ValueChange> { ValueChange.CreateValueAdd(7L) }, AttributeType.Integer, false, false));
            CSEntryChange back = RoundTrip(c, UserSchema());
            Assert.AreEqual(ObjectModificationType.Update, back.ObjectModificationType);
            Assert.AreEqual(AttributeModificationType.Replace, back.AttributeChanges["cn"].ModificationType);
            Assert.AreEqual(AttributeModificationType.Delete, back.AttributeChanges["photo"].ModificationType);
            Assert.AreEqual(0, back.AttributeChanges["photo"].ValueChanges.Count);
            Assert.AreEqual(AttributeModificationType.Update, back.AttributeChanges["member"].ModificationType);
            Assert.AreEqual(ValueModificationType.Delete, back.AttributeChanges["member"].ValueChanges[1].ModificationType);
            Assert.AreEqual(AttributeModificationType.Unconfigured, back.AttributeChanges["DN"].ModificationType, "a rename is the DN change with Unconfigured, as ECMA2 builds it");
            Assert.AreEqual("CN=z", back.AttributeChanges["DN"].ValueChanges[0].Value);
            Assert.AreEqual(AttributeType.Integer, back.AttributeChanges["employeeNumber"].DataType);
            Assert.IsFalse(back.AttributeChanges["employeeNumber"].IsMultiValued);
            Assert.AreEqual(AttributeType.Undefined, back.AttributeChanges["cn"].DataType, "a factory-built change stays Undefined");
            Assert.IsTrue(back.AttributeChanges["cn"].IsMultiValued);
        }

        [Test]
        public void ADeleteAndAnImportErrorCross()
        {
            CSEntryChange c = new CSEntryChangeDetached(Guid.NewGuid(), ObjectModificationType.Delete, MAImportError.ImportErrorCustomContinueRun, null);
            c.ObjectType = "user";
            c.AnchorAttributes.Add(new AnchorAttributeDetached("id", AttributeType.String, "gone"));
            c.ErrorName = "bad-row";
            c.ErrorDetail = "the row says why";
            CSEntryChange back = RoundTrip(c, null);
            Assert.AreEqual(ObjectModificationType.Delete, back.ObjectModificationType);
            Assert.AreEqual(MAImportError.ImportErrorCustomContinueRun, back.ErrorCodeImport);
            Assert.AreEqual("bad-row", back.ErrorName);
            Assert.AreEqual("the row says why", back.ErrorDetail);
            Assert.AreEqual(AttributeType.String, back.AnchorAttributes["id"].DataType);
            Assert.IsNull(back.DN, "an empty DN reads as null");
        }

        [Test]
        public void AnAttributeChangeECMA2RefusesIsUnexpectedDataNamingIt()
        {
            Pb.CSEntryChange pb = new Pb.CSEntryChange { Identifier = Guid.NewGuid().ToString(), ObjectModificationType = Pb.ObjectModificationType.Add, Dn = "CN=x" };
            pb.AttributeChanges.Add(new Pb.AttributeChange { Name = "cn", ModificationType = Pb.AttributeModificationType.Delete });
            UnexpectedDataException e = Assert.Throws<UnexpectedDataException>(() => Ecma2Mapping.FromPb(pb));
            StringAssert.Contains("`cn`", e.Message);
            StringAssert.Contains("CN=x", e.Message);
        }

        [Test]
        public void AValueWithNoTypeIsUnexpectedData()
        {
            Pb.CSEntryChange pb = new Pb.CSEntryChange { Identifier = Guid.NewGuid().ToString(), ObjectModificationType = Pb.ObjectModificationType.Add };
            Pb.AttributeChange a = new Pb.AttributeChange { Name = "cn", ModificationType = Pb.AttributeModificationType.Add };
            a.ValueChanges.Add(new Pb.ValueChange { Value = new Pb.AttributeValue(), ModificationType = Pb.ValueModificationType.Add });
            pb.AttributeChanges.Add(a);
            StringAssert.Contains("`cn`", Assert.Throws<UnexpectedDataException>(() => Ecma2Mapping.FromPb(pb)).Message);
        }

        [Test]
        public void AValueOfATypeECMA2DoesNotAllowIsRefusedBeforeSending()
        {
            CSEntryChange c = CSEntryChange.Create();
            c.ObjectModificationType = ObjectModificationType.Add;
            c.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("when", DateTime.UtcNow));
            StringAssert.Contains("System.DateTime", Assert.Throws<UnexpectedDataException>(() => Ecma2Mapping.ToPb(c, null)).Message);
        }

        [Test]
        public void ABadIdentifierIsNamed()
        {
            Pb.CSEntryChange pb = new Pb.CSEntryChange { Identifier = "not-a-guid", ObjectModificationType = Pb.ObjectModificationType.Add };
            StringAssert.Contains("not-a-guid", Assert.Throws<UnexpectedDataException>(() => Ecma2Mapping.FromPb(pb)).Message);
        }

        [Test]
        public void ExportResultsKeepEveryField()
        {
            Guid id = Guid.NewGuid();
            CSEntryChangeResult r = CSEntryChangeResult.Create(id, new List<AttributeChange> { AttributeChange.CreateAttributeAdd("id", "assigned-7") }, MAExportError.ExportErrorConstraintViolation, "mail-not-unique", "held by CN=x");
            Pb.PutExportEntriesResults pb = new Pb.PutExportEntriesResults();
            pb.CsEntryChangeResults.Add(Ecma2Mapping.ToPb(r));
            pb.CsEntryChangeResults.Add(new Pb.CSEntryChangeResult { Identifier = Guid.Empty.ToString() });
            PutExportEntriesResults back = Ecma2Mapping.FromPb(Pb.PutExportEntriesResults.ParseFrom(pb.ToByteArray()));
            Assert.AreEqual(2, back.CSEntryChangeResults.Count);
            CSEntryChangeResult got = back.CSEntryChangeResults[id];
            Assert.AreEqual(MAExportError.ExportErrorConstraintViolation, got.ErrorCode);
            Assert.AreEqual("mail-not-unique", got.ErrorName);
            Assert.AreEqual("held by CN=x", got.ErrorDetail);
            Assert.AreEqual("assigned-7", got.AnchorAttributes["id"].ValueChanges[0].Value);
            Assert.AreEqual(MAExportError.Success, back.CSEntryChangeResults[Guid.Empty].ErrorCode, "UNSPECIFIED reads as Success");
        }

        [Test]
        public void ALargeEntryTravelsInFragmentsOfAtMostOneMebibyte()
        {
            CSEntryChange c = CSEntryChange.Create();
            c.ObjectModificationType = ObjectModificationType.Add;
            byte[] photo = new byte[5 * 1024 * 1024];
            new Random(7).NextBytes(photo);
            c.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("photo", photo));
            Pb.CSEntryChange small = Ecma2Mapping.ToPb(CSEntryChange.Create(), null);
            Pb.CSEntryChange big = Ecma2Mapping.ToPb(c, null);
            List<Pb.PutExportEntriesRequest> frames = Ecma2Bridge.Frames("S", new List<Pb.CSEntryChange> { small, big, small }).ToList();
            Assert.AreEqual("S", frames[0].SessionId);
            Assert.IsTrue(frames.Skip(1).All(f => f.SessionId == ""), "only the first frame names the session");
            Assert.AreEqual(Pb.PutExportEntriesRequest.FrameOneofCase.Entry, frames[0].FrameCase);
            Assert.AreEqual(Pb.PutExportEntriesRequest.FrameOneofCase.Entry, frames[frames.Count - 1].FrameCase);
            List<Pb.EntryFragment> fragments = frames.Skip(1).Take(frames.Count - 2).Select(f => f.EntryFragment).ToList();
            Assert.AreEqual(6, fragments.Count);
            Assert.IsTrue(fragments.All(f => f.Data.Length <= Ecma2Bridge.FragmentSize));
            Assert.AreEqual(new[] { false, false, false, false, false, true }, fragments.Select(f => f.Last).ToArray());
            byte[] joined = fragments.SelectMany(f => f.Data).ToArray();
            CSEntryChange back = Ecma2Mapping.FromPb(Pb.CSEntryChange.ParseFrom(joined));
            Assert.AreEqual(photo, back.AttributeChanges["photo"].ValueChanges[0].Value);
        }
    }
}
