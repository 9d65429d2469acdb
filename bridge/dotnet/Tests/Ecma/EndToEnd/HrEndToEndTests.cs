// End to end with the Python HR connector (Generic DN style, integer anchors, AttributeReplace):
// full import, an export whose add the next delta import confirms, each compared with the CLI.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ecma2.Bridge.Driver;
using Microsoft.MetadirectoryServices;
using NUnit.Framework;

namespace Ecma2.Bridge.Tests.Ecma.EndToEnd
{
    [TestFixture, Category("EndToEnd")]
    public class HrEndToEndTests
    {
        private HostProcess host;

        [TestFixtureSetUp]
        public void Start()
        {
            host = new HostProcess(null);
            Environment.SetEnvironmentVariable(Ecma2.Bridge.BridgeSettings.FileVariable, host.SettingsFile);
        }

        [TestFixtureTearDown]
        public void Stop()
        {
            Environment.SetEnvironmentVariable(Ecma2.Bridge.BridgeSettings.FileVariable, null);
            if (host != null) host.Dispose();
        }

        private string[] Params()
        {
            return new[] { "Database path=" + host.HrDatabase, "Create if missing=1", "Seed employees=25" };
        }

        private SyncEngine Engine()
        {
            SyncEngine engine = SyncEngine.Load(DemoEndToEndTests.BridgeDll);
            engine.Set(Ecma2.Bridge.BridgeParameters.Connector, "hr");
            foreach (string p in Params())
            {
                int eq = p.IndexOf('=');
                engine.Set(p.Substring(0, eq), p.Substring(eq + 1));
            }
            return engine;
        }

        private List<string> CliImport(bool delta)
        {
            string drop = Path.Combine(host.Dir, "hr-" + Guid.NewGuid().ToString("N") + ".jsonl");
            List<string> args = new List<string> { "import", "--connector", "hr", "--drop-file", drop, "--page-size", "7" };
            if (delta) args.Add("--delta");
            foreach (string p in Params()) { args.Add("--param"); args.Add(p); }
            host.Cli(null, args.ToArray());
            return File.ReadAllLines(drop).Where(l => l.Trim().Length > 0).Select(DropJson.Normalize).OrderBy(l => l, StringComparer.Ordinal).ToList();
        }

        [Test]
        public void FullImportExportAndDeltaMatchTheCli()
        {
            SyncEngine engine = Engine();
            Assert.AreEqual(ParameterValidationResultCode.Success, engine.Validate(ConfigParameterPage.Connectivity).Code);
            Assert.AreEqual(MADistinguishedNameStyle.Generic, engine.Capabilities().DistinguishedNameStyle);
            Schema schema = engine.LoadSchema();
            Assert.AreEqual(AttributeType.Integer, schema.Types["employee"].Attributes["employeeId"].DataType);

            ImportRun full = engine.Import(OperationType.Full, 7, null, null);
            Assert.AreEqual(25, full.Entries.Count(e => e.ObjectType == "employee"), "every seeded employee");
            Assert.Greater(full.Pages, 3);
            List<string> cli = CliImport(false);
            CollectionAssert.AreEqual(cli, full.Entries.Select(e => DropJson.Entry(e, schema)).OrderBy(l => l, StringComparer.Ordinal).ToList());

            CSEntryChange add = CSEntryChange.Create();
            add.ObjectModificationType = ObjectModificationType.Add;
            add.ObjectType = "employee";
            add.DN = "CN=bridge-hire";
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("displayName", "Bridge Hire"));
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("email", "bridge.hire@hr.example"));
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("active", true));
            CSEntryChangeResult result = engine.Export(new List<CSEntryChange> { add }, 0, OperationType.Delta, null).Single();
            Assert.AreEqual(MAExportError.Success, result.ErrorCode, result.ErrorName + " " + result.ErrorDetail);
            object anchor = result.AnchorAttributes["employeeId"].ValueChanges[0].Value;
            Assert.IsInstanceOf<long>(anchor);

            ImportRun delta = engine.Import(OperationType.Delta, 0, full.Watermark, null);
            CSEntryChange hired = delta.Entries.Single(e => e.DN == "CN=bridge-hire");
            Assert.AreEqual(ObjectModificationType.Add, hired.ObjectModificationType);
            Assert.AreEqual(anchor, hired.AnchorAttributes["employeeId"].Value);
            Assert.AreEqual("bridge.hire@hr.example", hired.AttributeChanges["email"].ValueChanges[0].Value);
            CollectionAssert.AreEqual(CliImport(true), delta.Entries.Select(e => DropJson.Entry(e, schema)).OrderBy(l => l, StringComparer.Ordinal).ToList());
        }
    }
}
