// The generated clients over the gRPC-Web channel against a real ecma2-host running the demo
// connector on 127.0.0.1 (a port the host picks; read back from its log).
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using Ecma2.Bridge.Wire;
using Ecma2.V1;
using NUnit.Framework;

namespace Ecma2.Bridge.Tests.Wire
{
    [TestFixture]
    public class LiveHostTests
    {
        private string dir;
        private Process host;
        private GrpcWebChannel channel;
        private ConnectorServiceClient connector;
        private HostServiceClient hostService;
        private Uri address;
        private string token;
        private readonly List<string> hostLog = new List<string>();

        private static string Required(string variable)
        {
            var value = Environment.GetEnvironmentVariable(variable);
            if (string.IsNullOrEmpty(value) || !File.Exists(value))
            {
                throw new InvalidOperationException(variable + " must name a built binary (scripts/check.sh sets it), got '" + value + "'");
            }
            return value;
        }

        [TestFixtureSetUp]
        public void StartHost()
        {
            string hostBin = Required("ECMA2_HOST_BIN");
            string demoBin = Required("ECMA2_DEMO_BIN");
            dir = Path.Combine(Path.GetTempPath(), "ecma2-bridge-wire-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            string config = Path.Combine(dir, "host.toml");
            File.WriteAllText(config,
                "state_dir = \"" + Path.Combine(dir, "state") + "\"\n" +
                "[engine]\nlisten = \"tcp:127.0.0.1:0\"\ntoken_file = \"" + Path.Combine(dir, "token") + "\"\n" +
                "[[connector]]\nname = \"demo\"\ncommand = \"" + demoBin + "\"\n");
            var start = new ProcessStartInfo(hostBin, "--config \"" + config + "\" --log-format json")
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            host = Process.Start(start);
            var listening = new ManualResetEventSlim();
            host.ErrorDataReceived += (sender, e) =>
            {
                if (e.Data == null) return;
                lock (hostLog) hostLog.Add(e.Data);
                var m = Regex.Match(e.Data, "\"address\":\"tcp:(127\\.0\\.0\\.1:[0-9]+)\"");
                if (m.Success && e.Data.Contains("host listening for engines"))
                {
                    address = new Uri("http://" + m.Groups[1].Value + "/");
                    listening.Set();
                }
            };
            host.OutputDataReceived += (sender, e) => { };
            host.BeginErrorReadLine();
            host.BeginOutputReadLine();
            if (!listening.Wait(TimeSpan.FromSeconds(60)))
            {
                string log;
                lock (hostLog) log = string.Join("\n", hostLog);
                throw new InvalidOperationException("ecma2-host did not report its address within 60 s:\n" + log);
            }
            token = File.ReadAllText(Path.Combine(dir, "token")).Trim();
            channel = new GrpcWebChannel(new GrpcWebChannelOptions
            {
                BaseAddress = address,
                BearerToken = token,
                DefaultTimeout = TimeSpan.FromSeconds(60),
            });
            connector = new ConnectorServiceClient(channel);
            hostService = new HostServiceClient(channel);
            // The demo connector is started by the host; wait until it is ready (bounded).
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                var status = hostService.GetConnectorStatus(new GetConnectorStatusRequest { Name = "demo" }, new CallOptions()).Status;
                if (status.State == ConnectorState.Ready) break;
                if (DateTime.UtcNow > deadline) throw new InvalidOperationException("the demo connector never became ready: " + status.State + " " + status.LastError);
                Thread.Sleep(50);
            }
        }

        [TestFixtureTearDown]
        public void StopHost()
        {
            if (channel != null) channel.Dispose();
            if (host != null && !host.HasExited)
            {
                // SIGTERM lets the host shut its connector down; kill only if it does not.
                Process.Start("kill", "-TERM " + host.Id).WaitForExit();
                if (!host.WaitForExit(30000)) host.Kill();
            }
            if (dir != null)
            {
                try { Directory.Delete(dir, true); } catch (IOException) { }
            }
        }

        private static CallOptions Demo()
        {
            return CallOptions.ForConnector("demo");
        }

        private List<ConfigParameter> Params()
        {
            return new List<ConfigParameter>
            {
                new ConfigParameter { Name = "database", Value = Path.Combine(dir, "demo.db") },
                new ConfigParameter { Name = "seed_users", Value = "40" },
            };
        }

        [Test]
        public void HostInfoListAndHandshake()
        {
            var info = hostService.GetHostInfo(new GetHostInfoRequest { ProtocolVersions = { 1 }, EngineName = "bridge-wire-test" }, new CallOptions());
            Assert.AreEqual(1u, info.ProtocolVersion);
            Assert.IsNotEmpty(info.HostVersion);
            var list = hostService.ListConnectors(new ListConnectorsRequest(), new CallOptions());
            CollectionAssert.AreEqual(new[] { "demo" }, list.Connectors.Select(c => c.Name).ToArray());
            Assert.AreEqual(ConnectorState.Ready, list.Connectors[0].State);
            var hello = connector.Handshake(new HandshakeRequest { ProtocolVersions = { 1 }, CallerName = "bridge-wire-test" }, Demo());
            Assert.AreEqual(1u, hello.ProtocolVersion);
            CollectionAssert.Contains(hello.Interfaces, Ecma2Interface.CallImport);
            CollectionAssert.Contains(hello.Interfaces, Ecma2Interface.CallExport);
        }

        [Test]
        public void AFullImportStreamsEveryPage()
        {
            var schemaRequest = new GetSchemaRequest();
            schemaRequest.ConfigParameters.AddRange(Params());
            var schema = connector.GetSchema(schemaRequest, Demo()).Schema;
            Assert.IsTrue(schema.Types.Any(t => t.Name == "user"), "the demo schema has a user type");
            var request = new OpenImportConnectionRequest { Types = schema, ImportRunStep = new OpenImportConnectionRunStep { PageSize = 7, ImportType = OperationType.Full } };
            request.ConfigParameters.AddRange(Params());
            var open = connector.OpenImportConnection(request, Demo());
            Assert.AreEqual(7, open.PageSize);
            var entries = new List<CSEntryChange>();
            int pages = 0;
            while (true)
            {
                pages++;
                GetImportEntriesResults results = null;
                int inPage = 0;
                foreach (var frame in connector.GetImportEntries(new GetImportEntriesRequest { SessionId = open.SessionId, ImportRunStep = new GetImportEntriesRunStep() }, Demo()))
                {
                    Assert.IsNull(results, "a frame after the results frame");
                    switch (frame.FrameCase)
                    {
                        case GetImportEntriesResponse.FrameOneofCase.Entry:
                            entries.Add(frame.Entry);
                            inPage++;
                            break;
                        case GetImportEntriesResponse.FrameOneofCase.Results:
                            results = frame.Results;
                            break;
                        default:
                            Assert.Fail("unexpected frame " + frame.FrameCase);
                            break;
                    }
                }
                Assert.IsNotNull(results, "the page ended without its results frame");
                Assert.LessOrEqual(inPage, 7);
                if (!results.MoreToImport) break;
                Assert.Less(pages, 100, "too many pages");
            }
            connector.CloseImportConnection(new CloseImportConnectionRequest { SessionId = open.SessionId, ImportRunStep = new CloseImportConnectionRunStep { Reason = CloseReason.Normal } }, Demo());
            Assert.GreaterOrEqual(entries.Count, 40);
            Assert.Greater(pages, 1);
            Assert.IsTrue(entries.All(e => e.ObjectModificationType == ObjectModificationType.Add));
            Assert.AreEqual(entries.Count, entries.Select(e => e.Dn).Distinct().Count(), "every object once");
        }

        [Test]
        public void AnExportBatchStreamsItsEntries()
        {
            var openRequest = new OpenExportConnectionRequest { ExportRunStep = new OpenExportConnectionRunStep { ExportType = OperationType.Delta } };
            openRequest.ConfigParameters.AddRange(Params());
            var open = connector.OpenExportConnection(openRequest, Demo());
            int enumerated = 0;
            var ids = new[] { "x-1", "x-2", "x-3", "x-4" };
            var frames = ids.Select(id =>
            {
                enumerated++;
                return new PutExportEntriesRequest
                {
                    SessionId = open.SessionId,
                    Entry = new CSEntryChange { Identifier = id, ObjectModificationType = ObjectModificationType.Add, ObjectType = "no-such-type", Dn = "CN=" + id },
                };
            });
            var response = connector.PutExportEntries(frames, Demo());
            Assert.AreEqual(ids.Length, enumerated, "the request stream was enumerated once");
            CollectionAssert.AreEqual(ids, response.Results.CsEntryChangeResults.Select(r => r.Identifier).ToArray());
            Assert.IsTrue(response.Results.CsEntryChangeResults.All(r => r.ErrorCode == MAExportError.ExportErrorCustomContinueRun && r.ErrorName == "unknown-object-type"));
            connector.CloseExportConnection(new CloseExportConnectionRequest { SessionId = open.SessionId, ExportRunStep = new CloseExportConnectionRunStep { Reason = CloseReason.Normal } }, Demo());
        }

        [Test]
        public void ErrorsCarryTheirStatus()
        {
            var missing = Assert.Throws<GrpcWebException>(() =>
                connector.GetImportEntries(new GetImportEntriesRequest { SessionId = "no-such-session" }, Demo()).ToList());
            Assert.AreEqual(StatusCode.NotFound, missing.Code);
            StringAssert.Contains("no-such-session", missing.Detail);
            StringAssert.Contains("/ecma2.v1.ConnectorService/GetImportEntries", missing.Message);

            using (var wrong = new GrpcWebChannel(new GrpcWebChannelOptions { BaseAddress = address, BearerToken = "not-the-token" }))
            {
                var refused = Assert.Throws<GrpcWebException>(() => new HostServiceClient(wrong).ListConnectors(new ListConnectorsRequest(), new CallOptions()));
                Assert.AreEqual(StatusCode.Unauthenticated, refused.Code);
                StringAssert.DoesNotContain("not-the-token", refused.Message);
            }

            var unknown = Assert.Throws<GrpcWebException>(() => connector.GetSchema(new GetSchemaRequest(), CallOptions.ForConnector("nobody")));
            Assert.AreEqual(StatusCode.NotFound, unknown.Code, unknown.Message);

            // A fault from the connector: the decoded google.rpc.Status holds an ecma2.v1.Fault.
            var hierarchy = new GetHierarchyRequest { Parent = new HierarchyNode { Dn = "=,=" } };
            hierarchy.ConfigParameters.AddRange(Params());
            var fault = Assert.Throws<GrpcWebException>(() => connector.GetHierarchy(hierarchy, Demo()));
            Assert.IsNotNull(fault.Status, fault.Message);
            Assert.AreEqual((int)fault.Code, fault.Status.Code);
            Assert.IsTrue(fault.Status.Details[0].Is(Fault.ProtoName));
            var detail = fault.Status.Details[0].Unpack<Fault>();
            Assert.AreEqual(FaultKind.InvalidDnException, detail.Kind, detail.Message);
            Assert.AreEqual("demo", detail.Connector);
        }

        [Test]
        public void CancellationAndDeadlineEndTheCall()
        {
            using (var cts = new CancellationTokenSource())
            {
                cts.Cancel();
                var cancelled = Assert.Throws<GrpcWebException>(() => hostService.ListConnectors(new ListConnectorsRequest(), new CallOptions { CancellationToken = cts.Token }));
                Assert.AreEqual(StatusCode.Cancelled, cancelled.Code);
            }
            var late = Assert.Throws<GrpcWebException>(() => hostService.ListConnectors(new ListConnectorsRequest(), new CallOptions { Deadline = DateTime.UtcNow.AddSeconds(-1) }));
            Assert.AreEqual(StatusCode.DeadlineExceeded, late.Code);
            // The channel still works afterwards.
            Assert.AreEqual(1, hostService.ListConnectors(new ListConnectorsRequest(), new CallOptions()).Connectors.Count);
        }
    }
}
