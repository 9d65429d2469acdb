// Configuration, schema, partitions, hierarchy, capabilities and the password CSEntry across the
// wire: secrets travel only as Secret, every page element type keeps its meaning, and absent
// capabilities keep ECMA2's constructor defaults.
using System;
using System.Collections.Generic;
using System.Linq;
using Ecma2.Bridge;
using Ecma2.Bridge.Driver;
using Microsoft.MetadirectoryServices;
using NUnit.Framework;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge.Tests.Ecma
{
    [TestFixture]
    public class ConfigMappingTests
    {
        [Test]
        public void AnEncryptedParameterTravelsAsASecretAndTheBridgesOwnStayHome()
        {
            ConfigParameterKeyedCollection ps = new ConfigParameterKeyedCollection();
            ps.Add(new ConfigParameter("server", "ldap.example"));
            ps.Add(new ConfigParameter("password", SyncEngine.Secure("s3cret!")));
            ps.Add(new ConfigParameter("legacy", "old-secret", true));
            ps.Add(new ConfigParameter(BridgeParameters.Connector, "demo"));
            ps.Add(new ConfigParameter(BridgeParameters.Host, "http://127.0.0.1:1/"));
            List<Pb.ConfigParameter> pb = Ecma2Mapping.ToPb(ps);
            Assert.AreEqual(new[] { "server", "password", "legacy" }, pb.Select(p => p.Name).ToArray());
            Assert.AreEqual("ldap.example", pb[0].Value);
            Assert.IsNull(pb[0].SecureValue);
            Assert.IsTrue(pb[1].IsEncrypted);
            Assert.AreEqual("", pb[1].Value, "the clear value field stays empty");
            Assert.AreEqual("s3cret!", pb[1].SecureValue.Value);
            Assert.AreEqual("old-secret", pb[2].SecureValue.Value, "an ECMA1-style encrypted value is read from Value");
            ConfigParameter back = Ecma2Mapping.FromPb(pb[1]);
            Assert.IsTrue(back.IsEncrypted);
            Assert.AreEqual("s3cret!", Ecma2Mapping.Reveal(back.SecureValue));
        }

        [Test]
        public void EveryPageElementTypeKeepsItsMeaning()
        {
            List<ConfigParameterDefinition> defs = new List<ConfigParameterDefinition>
            {
                ConfigParameterDefinition.CreateStringParameter("s", "^a+$", "aa"),
                ConfigParameterDefinition.CreateEncryptedStringParameter("e", ".+", null),
                ConfigParameterDefinition.CreateLabelParameter("a label"),
                ConfigParameterDefinition.CreateTextParameter("t", "multi\nline"),
                ConfigParameterDefinition.CreateDropDownParameter("d", new[] { "one", "t,wo" }, true, "one"),
                ConfigParameterDefinition.CreateCheckBoxParameter("c", true),
                ConfigParameterDefinition.CreateDividerParameter(),
                ConfigParameterDefinition.CreateFileParameter("f"),
            };
            foreach (ConfigParameterDefinition d in defs)
            {
                ConfigParameterDefinition back = Ecma2Mapping.FromPb(Pb.ConfigParameterDefinition.ParseFrom(Ecma2Mapping.ToPb(d).ToByteArray()));
                Assert.AreEqual(d.Type, back.Type, d.Type.ToString());
                Assert.AreEqual(d.Name ?? "", back.Name, d.Type + " name");
                Assert.AreEqual(d.Text ?? "", back.Text, d.Type + " text");
                Assert.AreEqual(d.Validation ?? "", back.Validation, d.Type + " validation");
                Assert.AreEqual(d.DefaultValue ?? "", back.DefaultValue, d.Type + " default");
                Assert.AreEqual(d.CheckBoxDefault, back.CheckBoxDefault, d.Type + " check box default");
                Assert.AreEqual(d.DropDownExtensible, back.DropDownExtensible, d.Type + " extensible");
            }
            Assert.AreEqual("one,t\\,wo,", defs[4].Validation, "the drop-down list as ECMA2 stores it");
        }

        [Test]
        public void ValidationResultsCrossAndAMissingCodeFails()
        {
            ParameterValidationResult r = new ParameterValidationResult(ParameterValidationResultCode.Failure, "no such folder", "database");
            ParameterValidationResult back = Ecma2Mapping.FromPb(Pb.ParameterValidationResult.ParseFrom(Ecma2Mapping.ToPb(r).ToByteArray()));
            Assert.AreEqual(ParameterValidationResultCode.Failure, back.Code);
            Assert.AreEqual("no such folder", back.ErrorMessage);
            Assert.AreEqual("database", back.ErrorParameter);
            Assert.AreEqual(ParameterValidationResultCode.Success, Ecma2Mapping.FromPb(Ecma2Mapping.ToPb(new ParameterValidationResult())).Code);
            Assert.AreEqual(ParameterValidationResultCode.Failure, Ecma2Mapping.FromPb(new Pb.ParameterValidationResult()).Code);
            Assert.AreEqual(ParameterValidationResultCode.Failure, Ecma2Mapping.FromPb((Pb.ParameterValidationResult)null).Code);
        }

        [Test]
        public void ASchemaCrossesWithAnchorsMultiValuesOperationsAndHiddenAttributes()
        {
            Schema s = ChangeMappingTests.UserSchema();
            s.Types["user"].Attributes["photo"].HiddenByDefault = true;
            s.Types["user"].PossibleDNComponentsForProvisioning.Add("cn");
            SchemaType ou = SchemaType.Create("organizationalUnit", false);
            ou.Attributes.Add(SchemaAttribute.CreateAnchorAttribute("id", AttributeType.String, AttributeOperation.ImportOnly));
            s.Types.Add(ou);
            Schema back = Ecma2Mapping.FromPb(Pb.Schema.ParseFrom(Ecma2Mapping.ToPb(s).ToByteArray()));
            Assert.AreEqual(new[] { "user", "organizationalUnit" }, back.Types.Select(t => t.Name).ToArray());
            foreach (SchemaType t in s.Types)
            {
                SchemaType b = back.Types[t.Name];
                Assert.AreEqual(t.Locked, b.Locked, t.Name + " locked");
                Assert.AreEqual(t.PossibleDNComponentsForProvisioning.ToArray(), b.PossibleDNComponentsForProvisioning.ToArray());
                Assert.AreEqual(t.AnchorAttributes.Select(a => a.Name).ToArray(), b.AnchorAttributes.Select(a => a.Name).ToArray());
                foreach (SchemaAttribute a in t.Attributes)
                {
                    Assert.AreEqual(a, b.Attributes[a.Name], t.Name + "." + a.Name);
                    Assert.AreEqual(a.HiddenByDefault, b.Attributes[a.Name].HiddenByDefault, t.Name + "." + a.Name + " hidden");
                }
            }
            Assert.IsNull(back.ChangeType);
        }

        [Test]
        public void PartitionsAndHierarchyNodesCross()
        {
            Partition p = Partition.Create(Guid.NewGuid(), "DC=demo,DC=example", "demo");
            p.HiddenByDefault = true;
            Partition back = Ecma2Mapping.FromPb(Pb.Partition.ParseFrom(Ecma2Mapping.ToPb(p).ToByteArray()));
            Assert.AreEqual(p.Identifier, back.Identifier);
            Assert.AreEqual(p.DN, back.DN);
            Assert.AreEqual(p.Name, back.Name);
            Assert.IsTrue(back.HiddenByDefault);
            HierarchyNode n = Ecma2Mapping.FromPb(Pb.HierarchyNode.ParseFrom(Ecma2Mapping.ToPb(HierarchyNode.Create("OU=People,DC=demo", "People")).ToByteArray()));
            Assert.AreEqual("OU=People,DC=demo", n.DN);
            Assert.AreEqual("People", n.DisplayName);
        }

        [Test]
        public void AbsentCapabilitiesKeepTheECMA2Defaults()
        {
            MACapabilities d = new MACapabilities();
            foreach (MACapabilities c in new[] { Ecma2Mapping.FromPb(new Pb.MACapabilities()), Ecma2Mapping.FromPb((Pb.MACapabilities)null) })
            {
                foreach (System.Reflection.PropertyInfo p in typeof(MACapabilities).GetProperties())
                {
                    Assert.AreEqual(p.GetValue(d, null), p.GetValue(c, null), p.Name);
                }
            }
            Assert.IsTrue(d.DeltaImport && d.ObjectRename && d.ConcurrentOperation && d.DeleteAddAsReplace && d.SupportImport && d.SupportExport && d.SupportPartitions && d.SupportPassword && d.SupportHierarchy);
            Assert.AreEqual(MAExportType.ObjectReplace, d.ExportType);
            Assert.AreEqual(MADistinguishedNameStyle.Generic, d.DistinguishedNameStyle);
        }

        [Test]
        public void EveryCapabilityCrossesWhenSetAwayFromItsDefault()
        {
            MACapabilities c = new MACapabilities
            {
                DistinguishedNameStyle = MADistinguishedNameStyle.Ldap,
                ObjectRename = false,
                NoReferenceValuesInFirstExport = true,
                DeltaImport = false,
                ConcurrentOperation = false,
                DeleteAddAsReplace = false,
                ExportPasswordInFirstPass = true,
                FullExport = true,
                ObjectConfirmation = MAObjectConfirmation.NoAddAndDeleteConfirmation,
                ExportType = MAExportType.MultivaluedReferenceAttributeUpdate,
                Normalizations = MANormalizations.Uppercase | MANormalizations.RemoveAccents,
                IsDNAsAnchor = true,
                SupportImport = false,
                SupportExport = false,
                SupportPartitions = false,
                SupportPassword = false,
                SupportHierarchy = false,
            };
            MACapabilities back = Ecma2Mapping.FromPb(Pb.MACapabilities.ParseFrom(Ecma2Mapping.ToPb(c).ToByteArray()));
            foreach (System.Reflection.PropertyInfo p in typeof(MACapabilities).GetProperties())
            {
                Assert.AreEqual(p.GetValue(c, null), p.GetValue(back, null), p.Name);
                Assert.AreNotEqual(p.GetValue(new MACapabilities(), null), p.GetValue(back, null), p.Name + " is away from its default");
            }
        }

        [Test]
        public void DistinguishedNameStyleNoneTurnsRenameOffAsECMA2Does()
        {
            Pb.MACapabilities pb = new Pb.MACapabilities { DistinguishedNameStyle = Pb.MADistinguishedNameStyle.None };
            Assert.IsFalse(Ecma2Mapping.FromPb(pb).ObjectRename);
        }

        [Test]
        public void ThePasswordCSEntryCarriesItsIdentityAndAttributes()
        {
            EngineCSEntry e = new EngineCSEntry("CN=Ada,OU=People,DC=demo", "user", "demo-ma")
                .With("cn", AttributeType.String, false, "Ada")
                .With("employeeNumber", AttributeType.Integer, false, 7L)
                .With("member", AttributeType.Reference, true, "CN=A", "CN=B");
            Pb.CSEntry pb = Pb.CSEntry.ParseFrom(Ecma2Mapping.ToPb(e).ToByteArray());
            Assert.AreEqual("CN=Ada,OU=People,DC=demo", pb.Dn);
            Assert.AreEqual("CN=Ada", pb.Rdn);
            Assert.AreEqual("user", pb.ObjectType);
            Assert.AreEqual(new[] { "user" }, pb.ObjectClass.ToArray());
            Assert.AreEqual("demo-ma", pb.Ma.Name);
            Assert.AreEqual(Pb.ConnectionState.Connected, pb.ConnectionState);
            Assert.AreEqual(Pb.RuleType.Projection, pb.ConnectionRule);
            Assert.AreEqual(new[] { "cn", "employeeNumber", "member" }, pb.Attributes.Select(a => a.Name).ToArray());
            Assert.AreEqual(7L, pb.Attributes[1].Values[0].IntegerValue);
            Assert.AreEqual(Pb.AttributeValue.KindOneofCase.ReferenceValue, pb.Attributes[2].Values[1].KindCase);
            Assert.IsTrue(pb.Attributes[2].IsMultivalued);
            Assert.IsTrue(pb.Attributes[0].IsPresent);
        }
    }
}
