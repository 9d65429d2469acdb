// End to end with the Rust demo connector: the driver loads build/test/Ecma2Bridge.dll the way
// MIM loads an Extensions DLL and runs config pages, schema, full import, export, delta import
// and passwords through a real ecma2-host; each import is compared with the `ecma2` CLI's run on
// the same host, and each failure must arrive as its exact ECMA2 exception type.
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Ecma2.Bridge.Driver;
using Microsoft.MetadirectoryServices;
using Microsoft.MetadirectoryServices.DetachedObjectModel;
using NUnit.Framework;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge.Tests.Ecma.EndToEnd
{
    [TestFixture, Category("EndToEnd")]
    public class DemoEndToEndTests
    {
        private HostProcess host;

        internal static string BridgeDll
        {
            get { return Path.Combine(Path.GetDirectoryName(typeof(DemoEndToEndTests).Assembly.Location), "Ecma2Bridge.dll"); }
        }

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

        private SyncEngine Engine(string database)
        {
            SyncEngine engine = SyncEngine.Load(BridgeDll);
            engine.Set(Ecma2.Bridge.BridgeParameters.Connector, "demo");
            engine.Set("database", database ?? host.DemoDatabase);
            return engine;
        }

        private List<string> CliImport(string connector, bool delta, params string[] parameters)
        {
            string drop = Path.Combine(host.Dir, "cli-" + Guid.NewGuid().ToString("N") + ".jsonl");
            List<string> args = new List<string> { "import", "--connector", connector, "--drop-file", drop, "--page-size", "3" };
            if (delta) args.Add("--delta");
            foreach (string p in parameters) { args.Add("--param"); args.Add(p); }
            host.Cli(null, args.ToArray());
            return File.ReadAllLines(drop).Where(l => l.Trim().Length > 0).Select(DropJson.Normalize).OrderBy(l => l, StringComparer.Ordinal).ToList();
        }

        private static List<string> Lines(ImportRun run, Schema schema)
        {
            return run.Entries.Select(e => DropJson.Entry(e, schema)).OrderBy(l => l, StringComparer.Ordinal).ToList();
        }

        private static CSEntryChange Find(ImportRun run, string dn)
        {
            CSEntryChange c = run.Entries.FirstOrDefault(e => string.Equals(e.DN, dn, StringComparison.OrdinalIgnoreCase));
            Assert.IsNotNull(c, dn + " was not imported; got " + string.Join(", ", run.Entries.Select(e => e.DN)));
            return c;
        }

        [Test]
        public void ConfigPagesAndValidationGoThroughTheBridge()
        {
            SyncEngine engine = Engine(null);
            IList<ConfigParameterDefinition> page = engine.Page(ConfigParameterPage.Connectivity);
            Assert.AreEqual(Ecma2.Bridge.BridgeParameters.Connector, page[0].Name);
            Assert.AreEqual(ConfigParameterType.DropDown, page[0].Type, "the host's connectors as a list");
            StringAssert.Contains("demo", page[0].Validation);
            StringAssert.Contains("hr", page[0].Validation);
            Assert.IsTrue(page.Any(d => d.Name == "database"), "the connector's own Connectivity parameters follow");
            Assert.AreEqual(ParameterValidationResultCode.Success, engine.Validate(ConfigParameterPage.Connectivity).Code);
            Assert.IsTrue(engine.Page(ConfigParameterPage.Partition).Any(d => d.Name == "import_groups" && d.Type == ConfigParameterType.CheckBox));
            Assert.AreEqual(2, engine.SchemaPages(5).Count, "schema pages 1 and 2, page 3 empty");

            engine.Set("seed_users", "many");
            ParameterValidationResult bad = engine.Validate(ConfigParameterPage.Connectivity);
            Assert.AreEqual(ParameterValidationResultCode.Failure, bad.Code);
            Assert.AreEqual("seed_users", bad.ErrorParameter);

            SyncEngine wrong = Engine(null);
            wrong.Set(Ecma2.Bridge.BridgeParameters.Connector, "nope");
            ParameterValidationResult unknown = wrong.Validate(ConfigParameterPage.Connectivity);
            Assert.AreEqual(ParameterValidationResultCode.Failure, unknown.Code);
            Assert.AreEqual(Ecma2.Bridge.BridgeParameters.Connector, unknown.ErrorParameter);
            StringAssert.Contains("demo", unknown.ErrorMessage);
        }

        [Test]
        public void CapabilitiesSchemaPartitionsAndHierarchyCome()
        {
            SyncEngine engine = Engine(null);
            CollectionAssert.AreEquivalent(new[]
            {
                "IMAExtensible2CallExport", "IMAExtensible2CallImport", "IMAExtensible2FileExport", "IMAExtensible2FileImport",
                "IMAExtensible2GetCapabilities", "IMAExtensible2GetCapabilitiesEx", "IMAExtensible2GetHierarchy", "IMAExtensible2GetParameters",
                "IMAExtensible2GetParametersEx", "IMAExtensible2GetPartitions", "IMAExtensible2GetSchema", "IMAExtensible2Password",
            }, engine.Interfaces);
            MACapabilities caps = engine.Capabilities();
            Assert.AreEqual(MADistinguishedNameStyle.Ldap, caps.DistinguishedNameStyle);
            Assert.AreEqual(MAExportType.AttributeUpdate, caps.ExportType);
            Assert.IsFalse(caps.DeleteAddAsReplace);
            Assert.IsTrue(caps.DeltaImport);
            IMAExtensible2GetCapabilities plain = engine.New<IMAExtensible2GetCapabilities>();
            Assert.AreEqual(MADistinguishedNameStyle.Ldap, plain.Capabilities.DistinguishedNameStyle, "the property asks the settings file's connector");
            IMAExtensible2CallImport import = engine.New<IMAExtensible2CallImport>();
            Assert.AreEqual(500, import.ImportDefaultPageSize);
            Assert.AreEqual(10000, import.ImportMaxPageSize);
            IMAExtensible2CallExport export = engine.New<IMAExtensible2CallExport>();
            Assert.AreEqual(100, export.ExportDefaultPageSize);
            Assert.AreEqual(5000, export.ExportMaxPageSize);

            Schema schema = engine.LoadSchema();
            CollectionAssert.AreEquivalent(new[] { "user", "group", "organizationalUnit" }, schema.Types.Select(t => t.Name).ToArray());
            Assert.AreEqual(AttributeType.Reference, schema.Types["user"].Attributes["manager"].DataType);
            Assert.IsTrue(schema.Types["user"].Attributes["id"].IsAnchor);
            IList<Partition> partitions = engine.Partitions();
            CollectionAssert.AreEquivalent(new[] { "DC=demo,DC=example", "DC=lab,DC=example" }, partitions.Select(p => p.DN).ToArray());
            IList<HierarchyNode> nodes = engine.Hierarchy(HierarchyNode.Create("DC=demo,DC=example", "demo"));
            Assert.IsTrue(nodes.Any(n => n.DN == "OU=People,DC=demo,DC=example"), string.Join(", ", nodes.Select(n => n.DN)));
        }

        [Test]
        public void FullImportExportAndDeltaMatchTheCli()
        {
            SyncEngine engine = Engine(null);
            engine.LoadSchema();
            ImportRun full = engine.Import(OperationType.Full, 3, null, null);
            Assert.Greater(full.Pages, 2, "a page size of 3 makes several pages");
            Assert.IsNotNull(full.Watermark);
            Find(full, "CN=Ada Lovelace,OU=People,DC=demo,DC=example");
            Find(full, "CN=Alan Turing,OU=People,DC=lab,DC=example");
            Assert.IsTrue(full.Entries.All(e => e.ObjectModificationType == ObjectModificationType.Add));
            List<string> cliFull = CliImport("demo", false, "database=" + host.DemoDatabase);
            CollectionAssert.AreEqual(cliFull, Lines(full, engine.Schema), "the bridge's full import is the CLI's");

            CSEntryChange ada = Find(full, "CN=Ada Lovelace,OU=People,DC=demo,DC=example");
            CSEntryChange babbage = Find(full, "CN=Charles Babbage,OU=Contractors,OU=People,DC=demo,DC=example");
            List<CSEntryChange> changes = new List<CSEntryChange>();
            CSEntryChange add = CSEntryChange.Create();
            add.ObjectModificationType = ObjectModificationType.Add;
            add.ObjectType = "user";
            add.DN = "CN=Bridge User,OU=People,DC=demo,DC=example";
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("cn", "Bridge User"));
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("mail", "bridge@demo.example"));
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("employeeNumber", 4242L));
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("enabled", true));
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("manager", ada.DN));
            changes.Add(add);
            CSEntryChange update = new CSEntryChangeDetached(Guid.NewGuid(), ObjectModificationType.Update, MAImportError.Success, null);
            update.ObjectType = "user";
            update.DN = ada.DN;
            update.AnchorAttributes.Add(AnchorAttribute.Create("id", ada.AnchorAttributes["id"].Value));
            update.AttributeChanges.Add(AttributeChange.CreateAttributeReplace("title", "Countess of Computing"));
            changes.Add(update);
            CSEntryChange delete = new CSEntryChangeDetached(Guid.NewGuid(), ObjectModificationType.Delete, MAImportError.Success, null);
            delete.ObjectType = "user";
            delete.DN = babbage.DN;
            delete.AnchorAttributes.Add(AnchorAttribute.Create("id", babbage.AnchorAttributes["id"].Value));
            changes.Add(delete);
            CSEntryChange taken = CSEntryChange.Create();
            taken.ObjectModificationType = ObjectModificationType.Add;
            taken.ObjectType = "user";
            taken.DN = "CN=Mail Thief,OU=People,DC=demo,DC=example";
            taken.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("cn", "Mail Thief"));
            taken.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("mail", "bridge@demo.example"));
            changes.Add(taken);

            List<CSEntryChangeResult> results = engine.Export(changes, 2, OperationType.Delta, null);
            Dictionary<Guid, CSEntryChangeResult> byId = results.ToDictionary(r => r.Identifier);
            Assert.AreEqual(MAExportError.Success, byId[add.Identifier].ErrorCode);
            Assert.IsTrue(byId[add.Identifier].AnchorAttributes.Contains("id"), "the add's result carries the assigned anchor");
            Assert.IsFalse(byId.ContainsKey(update.Identifier) && byId[update.Identifier].ErrorCode != MAExportError.Success);
            Assert.AreEqual(MAExportError.ExportErrorConstraintViolation, byId[taken.Identifier].ErrorCode);
            Assert.AreEqual("mail-not-unique", byId[taken.Identifier].ErrorName);

            ImportRun delta = engine.Import(OperationType.Delta, 0, full.Watermark, null);
            CSEntryChange added = Find(delta, add.DN);
            Assert.AreEqual(ObjectModificationType.Add, added.ObjectModificationType);
            Assert.AreEqual(byId[add.Identifier].AnchorAttributes["id"].ValueChanges[0].Value, added.AnchorAttributes["id"].Value);
            Assert.AreEqual(4242L, added.AttributeChanges["employeeNumber"].ValueChanges[0].Value);
            Assert.AreEqual(ada.DN, added.AttributeChanges["manager"].ValueChanges[0].Value);
            CSEntryChange updated = Find(delta, ada.DN);
            Assert.AreEqual(ObjectModificationType.Update, updated.ObjectModificationType);
            Assert.AreEqual("Countess of Computing", updated.AttributeChanges["title"].ValueChanges.Last().Value);
            Assert.AreEqual(ObjectModificationType.Delete, delta.Entries.Single(e => e.AnchorAttributes.Contains("id") && Equals(e.AnchorAttributes["id"].Value, babbage.AnchorAttributes["id"].Value)).ObjectModificationType);
            Assert.IsFalse(delta.Entries.Any(e => e.DN == taken.DN), "the refused add left nothing");

            List<string> cliDelta = CliImport("demo", true, "database=" + host.DemoDatabase);
            CollectionAssert.AreEqual(cliDelta, Lines(delta, engine.Schema), "the bridge's delta import is the CLI's");
        }

        [Test]
        public void AFiveMebibyteValueCrossesBothWays()
        {
            string database = Path.Combine(host.Dir, "big.db");
            SyncEngine engine = Engine(database);
            ImportRun first = engine.Import(OperationType.Full, 0, null, null);
            byte[] photo = new byte[5 * 1024 * 1024];
            new Random(12).NextBytes(photo);
            CSEntryChange add = CSEntryChange.Create();
            add.ObjectModificationType = ObjectModificationType.Add;
            add.ObjectType = "user";
            add.DN = "CN=Big Photo,OU=People,DC=demo,DC=example";
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("cn", "Big Photo"));
            add.AttributeChanges.Add(AttributeChange.CreateAttributeAdd("photo", photo));
            List<CSEntryChangeResult> results = engine.Export(new List<CSEntryChange> { add }, 0, OperationType.Delta, null);
            Assert.AreEqual(MAExportError.Success, results.Single(r => r.Identifier == add.Identifier).ErrorCode);
            ImportRun delta = engine.Import(OperationType.Delta, 0, first.Watermark, null);
            CSEntryChange back = Find(delta, add.DN);
            Assert.AreEqual(photo, (byte[])back.AttributeChanges["photo"].ValueChanges[0].Value, "5 MiB out through export and back through import, byte for byte");
        }

        [Test]
        public void PasswordsAreSetAndTheirFaultsAreExact()
        {
            SyncEngine engine = Engine(null);
            IMAExtensible2Password passwords = engine.OpenPasswords(null);
            Assert.AreEqual(ConnectionSecurityLevel.Secure, passwords.GetConnectionSecurityLevel());
            EngineCSEntry grace = new EngineCSEntry("CN=Grace Hopper,OU=People,DC=demo,DC=example", "user", "demo").With("cn", AttributeType.String, false, "Grace Hopper");
            passwords.SetPassword(grace, SyncEngine.Secure("Correct-Horse-9"), PasswordOptions.ForceChangeAtLogOn | PasswordOptions.ValidatePassword);
            passwords.ChangePassword(grace, SyncEngine.Secure("Correct-Horse-9"), SyncEngine.Secure("Battery-Staple-7"));
            OldPasswordIncorrectException old = Assert.Throws<OldPasswordIncorrectException>(() => passwords.ChangePassword(grace, SyncEngine.Secure("Wrong-Guess-1"), SyncEngine.Secure("Another-Pass-8")));
            StringAssert.DoesNotContain("Wrong-Guess-1", old.ToString());
            StringAssert.DoesNotContain("Another-Pass-8", old.ToString());
            PasswordPolicyViolationException weak = Assert.Throws<PasswordPolicyViolationException>(() => passwords.SetPassword(grace, SyncEngine.Secure("short"), PasswordOptions.ValidatePassword));
            StringAssert.DoesNotContain("short\"", weak.ToString());
            passwords.ClosePasswordConnection();
            StringAssert.DoesNotContain("Battery-Staple-7", host.Log, "no password in the host's log");
            host.Cli("Other-Secret-55\n", "password", "--connector", "demo", "--param", "database=" + host.DemoDatabase, "--dn", "CN=Alan Turing,OU=People,DC=lab,DC=example", "set");
        }

        [Test]
        public void APasswordSessionTheHostEndedIsReopened()
        {
            SyncEngine engine = Engine(null);
            IMAExtensible2Password passwords = engine.OpenPasswords(null);
            EngineCSEntry ada = new EngineCSEntry("CN=Ada Lovelace,OU=People,DC=demo,DC=example", "user", "demo").With("cn", AttributeType.String, false, "Ada Lovelace");
            passwords.SetPassword(ada, SyncEngine.Secure("First-Pass-123"), PasswordOptions.None);
            // The demo connector's sessions idle out after 3 s in this host; wait until the host has closed it.
            WaitFor(() => OpenSessions("demo") == 0, "the idle password session to be closed by the host");
            passwords.SetPassword(ada, SyncEngine.Secure("Second-Pass-456"), PasswordOptions.None);
            Assert.AreEqual(1, ((Ecma2.Bridge.Ecma2Bridge)passwords).PasswordSessionsReopened);
            passwords.ClosePasswordConnection();
        }

        [Test]
        public void ConnectorFaultsArriveAsTheirOwnTypes()
        {
            SyncEngine panics = Engine(null);
            panics.Set("test_panic_on", "GetSchema");
            Assert.Throws<ExtensibleExtensionException>(() => panics.LoadSchema());

            SyncEngine engine = Engine(null);
            engine.LoadSchema();
            WarningNoWatermarkException e = Assert.Throws<WarningNoWatermarkException>(() => engine.Import(OperationType.Delta, 0, null, null));
            StringAssert.Contains("watermark", e.Message.ToLowerInvariant());

            SyncEngine nowhere = Engine(null);
            string settings = Path.Combine(host.Dir, "down.settings");
            File.WriteAllText(settings, "host = http://127.0.0.1:9/\ntoken_file = " + host.TokenFile + "\nconnector = demo\n");
            Environment.SetEnvironmentVariable(Ecma2.Bridge.BridgeSettings.FileVariable, settings);
            try
            {
                Assert.Throws<ServerDownException>(() => nowhere.LoadSchema());
            }
            finally
            {
                Environment.SetEnvironmentVariable(Ecma2.Bridge.BridgeSettings.FileVariable, host.SettingsFile);
            }
        }

        [Test]
        public void ACancelledImportClosesItsSessionAsTerminatedByUser()
        {
            SyncEngine engine = Engine(null);
            engine.LoadSchema();
            engine.Set("test_block_get_ms", "60000");
            IMAExtensible2CallImport import = engine.New<IMAExtensible2CallImport>();
            import.OpenImportConnection(engine.Parameters, engine.Schema, new OpenImportConnectionRunStep(null, OperationType.Full, 10, null, new List<HierarchyNode>(), new List<HierarchyNode>()));
            Exception thrown = null;
            Thread run = new Thread(() =>
            {
                try
                {
                    import.GetImportEntries(new GetImportEntriesRunStep(new List<CSEntryChange>(), null));
                }
                catch (Exception x)
                {
                    thrown = x;
                }
            });
            int before = ObserveLines().Count(l => l.Contains("\"event\":\"blocking\""));
            run.Start();
            WaitFor(() => ObserveLines().Count(l => l.Contains("\"event\":\"blocking\"")) > before, "the connector to block in GetImportEntries");
            ((Ecma2.Bridge.Ecma2Bridge)import).Cancel();
            Assert.IsTrue(run.Join(TimeSpan.FromSeconds(30)), "the cancelled call returned");
            Assert.IsNotNull(thrown, "the cancelled page failed");
            WaitFor(() => ObserveLines().Any(l => l.Contains("\"event\":\"close\"") && l.Contains("\"reason\":\"TerminatedByUser\"") && l.Contains("\"kind\":\"import\"")), "the session to close with TerminatedByUser");
        }

        [Test]
        public void AnAbortedRunThreadClosesItsSessionAsTerminatedByUser()
        {
            // How a .NET Framework host stops code running in process: Thread.Abort on the run's thread.
            SyncEngine engine = Engine(null);
            engine.LoadSchema();
            engine.Set("test_block_get_ms", "60000");
            IMAExtensible2CallImport import = engine.New<IMAExtensible2CallImport>();
            import.OpenImportConnection(engine.Parameters, engine.Schema, new OpenImportConnectionRunStep(null, OperationType.Full, 10, null, new List<HierarchyNode>(), new List<HierarchyNode>()));
            bool aborted = false;
            Thread run = new Thread(() =>
            {
                try
                {
                    import.GetImportEntries(new GetImportEntriesRunStep(new List<CSEntryChange>(), null));
                }
                catch (ThreadAbortException)
                {
                    aborted = true;
                    Thread.ResetAbort();
                }
            });
            int closes = ObserveLines().Count(l => l.Contains("\"event\":\"close\"") && l.Contains("\"reason\":\"TerminatedByUser\""));
            int before = ObserveLines().Count(l => l.Contains("\"event\":\"blocking\""));
            run.Start();
            WaitFor(() => ObserveLines().Count(l => l.Contains("\"event\":\"blocking\"")) > before, "the connector to block in GetImportEntries");
            run.Abort();
            Assert.IsTrue(run.Join(TimeSpan.FromSeconds(30)), "the aborted thread ended");
            Assert.IsTrue(aborted, "the abort reached the run's thread");
            WaitFor(() => ObserveLines().Count(l => l.Contains("\"event\":\"close\"") && l.Contains("\"reason\":\"TerminatedByUser\"")) > closes, "the session to close with TerminatedByUser");
        }

        [Test]
        public void AKilledConnectorMidImportIsDroppedConnection()
        {
            SyncEngine engine = Engine(null);
            engine.LoadSchema();
            engine.Set("test_block_get_ms", "60000");
            int before = ObserveLines().Count(l => l.Contains("\"event\":\"blocking\""));
            Exception thrown = null;
            Thread run = new Thread(() =>
            {
                try
                {
                    engine.Import(OperationType.Full, 10, null, null);
                }
                catch (Exception x)
                {
                    thrown = x;
                }
            });
            run.Start();
            WaitFor(() => ObserveLines().Count(l => l.Contains("\"event\":\"blocking\"")) > before, "the connector to block in GetImportEntries");
            uint pid = Status("demo").Pid;
            Assert.Greater(pid, 0u);
            Process.Start(new ProcessStartInfo("kill", "-KILL " + pid) { UseShellExecute = false }).WaitForExit();
            Assert.IsTrue(run.Join(TimeSpan.FromSeconds(60)), "the import returned");
            Assert.IsInstanceOf<DroppedConnectionException>(thrown, thrown == null ? "nothing thrown" : thrown.ToString());
            host.WaitReady();
        }

        private string[] ObserveLines()
        {
            if (!File.Exists(host.ObserveFile)) return new string[0];
            using (FileStream f = new FileStream(host.ObserveFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (StreamReader r = new StreamReader(f))
            {
                return r.ReadToEnd().Split('\n');
            }
        }

        private Pb.ConnectorStatus Status(string name)
        {
            Ecma2.Bridge.HostLink link = Ecma2.Bridge.HostLink.For(host.Settings(), null);
            return link.Host.GetConnectorStatus(new Pb.GetConnectorStatusRequest { Name = name }, new Ecma2.Bridge.Wire.CallOptions { Deadline = DateTime.UtcNow.AddSeconds(10) }).Status;
        }

        private uint OpenSessions(string name)
        {
            return Status(name).OpenSessions;
        }

        internal static void WaitFor(Func<bool> condition, string what)
        {
            Stopwatch clock = Stopwatch.StartNew();
            using (ManualResetEvent never = new ManualResetEvent(false))
            {
                while (clock.Elapsed < TimeSpan.FromSeconds(60))
                {
                    if (condition()) return;
                    never.WaitOne(50);
                }
            }
            Assert.Fail("timed out waiting for " + what);
        }
    }
}
