// Every ECMA2 exception kind crosses as its own type: a failed call whose status carries a Fault
// becomes exactly that exception, with its message, extra properties and inner exception. A
// failed call without a Fault becomes the exception that says what failed, never with a secret.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Ecma2.Bridge;
using Ecma2.Bridge.Wire;
using Ecma2.Protobuf;
using NUnit.Framework;
using Mms = Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge.Tests.Ecma
{
    [TestFixture]
    public class FaultTests
    {
        private string dir;
        private HostLink link;

        [TestFixtureSetUp]
        public void SetUp()
        {
            dir = Path.Combine(Path.GetTempPath(), "ecma2-bridge-faults-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            File.WriteAllText(Path.Combine(dir, "token"), "TOKEN-never-shown\n");
            BridgeSettings settings = BridgeSettings.Parse(new[] { "host = http://127.0.0.1:9/", "token_file = " + Path.Combine(dir, "token") }, "test.settings");
            link = HostLink.For(settings, null);
        }

        [TestFixtureTearDown]
        public void TearDown()
        {
            Directory.Delete(dir, true);
        }

        public static IEnumerable<Pb.FaultKind> Kinds()
        {
            return Enum.GetValues(typeof(Pb.FaultKind)).Cast<Pb.FaultKind>().Where(k => k != Pb.FaultKind.Unspecified);
        }

        private static GrpcWebException Failed(Pb.Fault fault, StatusCode code)
        {
            Ecma2.Protobuf.Rpc.Status status = new Ecma2.Protobuf.Rpc.Status { Code = (int)code, Message = fault.Message };
            status.Details.Add(Any.Pack(fault, Pb.Fault.ProtoName));
            // As it arrives: the status detail decoded from its bytes.
            return new GrpcWebException(code, fault.Message, Ecma2.Protobuf.Rpc.Status.ParseFrom(status.ToByteArray()), "/ecma2.v1.ConnectorService/GetImportEntries", null);
        }

        [Test, TestCaseSource("Kinds")]
        public void AFaultCrossesAsItsOwnECMA2Exception(Pb.FaultKind kind)
        {
            Pb.Fault fault = new Pb.Fault
            {
                Kind = kind,
                Message = "the " + kind + " message",
                Connector = "demo",
                Call = "GetImportEntries",
                AttributeName = "mail",
                ParameterName = "database",
                MaName = "HR",
                Dn = "CN=Ada,OU=People",
                ObjectType = "user",
                ClassName = "person",
            };
            fault.ObjectClasses.Add("top");
            fault.ObjectClasses.Add("person");
            fault.Inner = new Pb.Fault { Kind = Pb.FaultKind.ServerDownException, Message = "inner" };
            Exception e = link.Translate(Failed(fault, StatusCode.FailedPrecondition), "demo", "GetImportEntries");

            Type expected = Faults.Types[kind];
            Assert.AreEqual(expected, e.GetType());
            Assert.AreEqual("Microsoft.MetadirectoryServices", expected.Namespace);
            Assert.AreEqual(kind.ToString().ToLowerInvariant(), expected.Name.ToLowerInvariant(), "the kind names the type");
            Assert.AreEqual("the " + kind + " message", e.Message);
            Assert.IsInstanceOf<Mms.ServerDownException>(e.InnerException);
            Assert.AreEqual("inner", e.InnerException.Message);
            // The extra data each type exposes.
            System.Reflection.PropertyInfo p;
            if ((p = expected.GetProperty("AttributeName")) != null) Assert.AreEqual("mail", p.GetValue(e, null));
            if ((p = expected.GetProperty("ParameterName")) != null) Assert.AreEqual("database", p.GetValue(e, null));
            if ((p = expected.GetProperty("MAName")) != null) Assert.AreEqual("HR", p.GetValue(e, null));
            // DN is a ReferenceValue the real assembly builds through the running sync engine; its text is in m_DN.
            if (expected.GetProperty("DN") != null) Assert.AreEqual("CN=Ada,OU=People", expected.GetField("m_DN", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic).GetValue(e));
            if ((p = expected.GetProperty("ClassName")) != null) Assert.AreEqual("person", p.GetValue(e, null));
            if ((p = expected.GetProperty("ObjectType")) != null) Assert.AreEqual("user", p.GetValue(e, null));
            if ((p = expected.GetProperty("ObjectClasses")) != null) Assert.AreEqual(new[] { "top", "person" }, p.GetValue(e, null));

            // And back: the exception gives the same Fault.
            Pb.Fault again = Faults.FromException(e);
            Assert.AreEqual(kind, again.Kind);
            Assert.AreEqual(fault.Message, again.Message);
            Assert.AreEqual(Pb.FaultKind.ServerDownException, again.Inner.Kind);
        }

        [Test]
        public void EveryKindHasAType()
        {
            Assert.AreEqual(42, Kinds().Count());
            Assert.AreEqual(42, Faults.Types.Count);
            Assert.AreEqual(42, Faults.Types.Values.Distinct().Count(), "no two kinds share a type");
            Assert.IsTrue(Faults.Types.Values.All(t => typeof(ApplicationException).IsAssignableFrom(t)));
        }

        [Test]
        public void AnUnknownOrMissingKindIsExtensibleExtensionException()
        {
            Assert.IsInstanceOf<Mms.ExtensibleExtensionException>(link.Translate(Failed(new Pb.Fault { Kind = (Pb.FaultKind)99, Message = "x" }, StatusCode.Internal), "demo", "GetSchema"));
            Assert.IsInstanceOf<Mms.ExtensibleExtensionException>(link.Translate(Failed(new Pb.Fault { Message = "x" }, StatusCode.Internal), "demo", "GetSchema"));
        }

        [Test]
        public void AForeignExceptionKeepsItsTypeName()
        {
            Pb.Fault f = Faults.FromException(new InvalidOperationException("boom"));
            Assert.AreEqual(Pb.FaultKind.ExtensibleExtensionException, f.Kind);
            Assert.AreEqual("System.InvalidOperationException", f.ForeignTypeName);
        }

        [Test]
        public void AFailureWithoutAFaultSaysWhatFailed()
        {
            Exception down = link.Translate(new GrpcWebException(StatusCode.Unavailable, "connection refused", null, "/x", null), "demo", "OpenImportConnection");
            Assert.IsInstanceOf<Mms.ServerDownException>(down);
            StringAssert.Contains("demo", down.Message);
            StringAssert.Contains("OpenImportConnection", down.Message);
            StringAssert.Contains("http://127.0.0.1:9/", down.Message);

            Exception auth = link.Translate(new GrpcWebException(StatusCode.Unauthenticated, "bad token", null, "/x", null), "demo", "GetSchema");
            Assert.IsInstanceOf<Mms.BadServerCredentialsException>(auth);
            StringAssert.DoesNotContain("TOKEN-never-shown", auth.ToString());

            Exception other = link.Translate(new GrpcWebException(StatusCode.NotFound, "session 1 not found", null, "/x", null), "demo", "GetImportEntries");
            Assert.IsInstanceOf<Mms.ExtensibleExtensionException>(other);
            StringAssert.Contains("NotFound", other.Message);
            StringAssert.Contains("session 1 not found", other.Message);
        }
    }
}
