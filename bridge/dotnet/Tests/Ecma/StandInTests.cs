// The stand-in Microsoft.MetadirectoryServicesEx: its public surface is the committed
// StandIn/surface.txt (diff it against the real DLL's with SurfaceDump on a MIM server), it
// carries the real assembly's identity so a bridge built here binds inside MIM, and it behaves as
// the API reference records (factories, validation table, keyed collections, defaults).
using System;
using System.IO;
using System.Linq;
using System.Reflection;
using Ecma2.Bridge.Tools;
using Microsoft.MetadirectoryServices;
using NUnit.Framework;

namespace Ecma2.Bridge.Tests.Ecma
{
    [TestFixture]
    public class StandInTests
    {
        private static string Source(string relative)
        {
            string dir = Path.GetDirectoryName(typeof(StandInTests).Assembly.Location);
            // build/test -> bridge/dotnet
            return Path.GetFullPath(Path.Combine(dir, "..", "..", relative));
        }

        [Test, Category("StandInOnly")]
        public void ThePublicSurfaceIsTheCommittedOne()
        {
            string[] expected = File.ReadAllLines(Source("StandIn/surface.txt"));
            string[] actual = SurfaceDump.Dump(typeof(CSEntryChange).Assembly).ToArray();
            string firstDifference = expected.Zip(actual, (e, a) => e == a ? null : "committed: " + e + "\nbuilt:     " + a).FirstOrDefault(d => d != null);
            Assert.IsNull(firstDifference, "regenerate StandIn/surface.txt with SurfaceDump when the change is intended");
            Assert.AreEqual(expected.Length, actual.Length);
            Assert.AreEqual(12, actual.Count(l => l.StartsWith("type Microsoft.MetadirectoryServices.IMAExtensible2", StringComparison.Ordinal)));
            Assert.AreEqual(42, typeof(CSEntryChange).Assembly.GetExportedTypes().Count(t => typeof(Exception).IsAssignableFrom(t)));
        }

        [Test, Category("StandInOnly")]
        public void TheStandInHasTheShippedAssemblysIdentityAndTheBridgeReferencesIt()
        {
            AssemblyName standIn = typeof(CSEntryChange).Assembly.GetName();
            Assert.AreEqual("Microsoft.MetadirectoryServicesEx", standIn.Name);
            Assert.AreEqual(new Version(4, 1, 4, 0), standIn.Version);
            Assert.AreEqual("31bf3856ad364e35", BitConverter.ToString(standIn.GetPublicKeyToken()).Replace("-", "").ToLowerInvariant());
            AssemblyName reference = typeof(Ecma2.Bridge.Ecma2Bridge).Assembly.GetReferencedAssemblies().Single(a => a.Name == "Microsoft.MetadirectoryServicesEx");
            Assert.AreEqual(standIn.FullName, reference.FullName, "Ecma2Bridge.dll binds to the MIM 2016 assembly by full name");
            AssemblyName bridge = typeof(Ecma2.Bridge.Ecma2Bridge).Assembly.GetName();
            Assert.IsTrue(typeof(Ecma2.Bridge.Ecma2Bridge).Assembly.GetReferencedAssemblies().All(a => a.Name == "mscorlib" || a.Name.StartsWith("System", StringComparison.Ordinal) || a.Name == "Microsoft.MetadirectoryServicesEx"),
                bridge.Name + " depends on the framework and the ECMA2 assembly only");
        }

        [Test]
        public void TheValidationTableOfTheDetachedModelHolds()
        {
            CSEntryChange add = CSEntryChange.Create();
            Assert.AreEqual(ObjectModificationType.Unconfigured, add.ObjectModificationType);
            Assert.Throws<InvalidOperationException>(() => add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("cn", "x")));
            add.ObjectModificationType = ObjectModificationType.Add;
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("cn", "x"));
            Assert.Throws<ArgumentException>(() => add.AttributeChanges.Add(AttributeChange.CreateAttributeReplace("sn", "y")));
            Assert.Throws<InvalidDNException>(() => add.AttributeChanges.Add(new Microsoft.MetadirectoryServices.DetachedObjectModel.AttributeChangeDetached("dn", AttributeModificationType.Unconfigured, null)));
            Assert.Throws<ArgumentException>(() => add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("cn", "again")), "keys are unique");
            Assert.AreEqual(AttributeModificationType.Replace, AttributeChange.CreateAttributeUpdate("x", (object)"v").ModificationType, "as the shipped IL does");
            Assert.Throws<InvalidOperationException>(() => AttributeChange.CreateAttributeAdd("x", (object)null), "the attribute factories refuse a null value");
            Assert.IsNull(ValueChange.CreateValueAdd(null).Value, "a ValueChange itself takes one, as the shipped class does");
            Assert.AreEqual("", ConfigParameterDefinition.CreateFileParameter("f").DefaultValue, "what a factory does not set reads as empty");
            Assert.AreEqual("0", ConfigParameterDefinition.CreateCheckBoxParameter("c", false).DefaultValue);
        }

        [Test]
        public void ConfigParameterGuardsItsSecret()
        {
            ConfigParameter secret = new ConfigParameter("p", Ecma2.Bridge.Driver.SyncEngine.Secure("x"));
            Assert.Throws<InvalidOperationException>(() => { string v = secret.Value; });
            Assert.Throws<InvalidOperationException>(() => { var v = new ConfigParameter("q", "plain").SecureValue; });
            Assert.AreEqual("1,2\\,3,", ConfigParameterDefinition.CreateDropDownParameter("d", new[] { "1", "2,3" }, false).Validation);
        }
    }
}
