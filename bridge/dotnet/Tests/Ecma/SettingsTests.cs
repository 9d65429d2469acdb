// The settings file next to the DLL: typed, unknown keys refused, errors naming file, line and key.
using System.IO;
using Ecma2.Bridge;
using Microsoft.MetadirectoryServices;
using NUnit.Framework;

namespace Ecma2.Bridge.Tests.Ecma
{
    [TestFixture]
    public class SettingsTests
    {
        [Test]
        public void AGoodFileParses()
        {
            BridgeSettings s = BridgeSettings.Parse(new[] { "# comment", "host = http://127.0.0.1:5151/", "token_file = /etc/ecma2/engine.token", "connector = hr   # inline", "max_connections = 4" }, "a.settings");
            Assert.AreEqual("http://127.0.0.1:5151/", s.Host);
            Assert.AreEqual("/etc/ecma2/engine.token", s.TokenFile);
            Assert.AreEqual("hr", s.Connector);
            Assert.AreEqual(4, s.MaxConnections);
            Assert.AreEqual(120, s.CallTimeoutSeconds);
        }

        [TestCase(new[] { "host = http://x/", "token_file = t", "colour = blue" }, "a.settings line 3: unknown key `colour`")]
        [TestCase(new[] { "token_file = t" }, "a.settings: `host` is required")]
        [TestCase(new[] { "host = ftp://x/", "token_file = t" }, "a.settings line 1: `host` must be an http:// or https:// address, found `ftp://x/`")]
        [TestCase(new[] { "host = http://x/", "token_file = t", "max_connections = many" }, "a.settings line 3: `max_connections` must be a positive whole number, found `many`")]
        [TestCase(new[] { "host = http://x/", "host = http://y/" }, "a.settings line 2: key `host` is set twice")]
        [TestCase(new[] { "just words" }, "a.settings line 1: expected `key = value`")]
        public void ABadFileIsRefusedNamingTheProblem(string[] lines, string message)
        {
            ExtensibleExtensionException e = Assert.Throws<ExtensibleExtensionException>(() => BridgeSettings.Parse(lines, "a.settings"));
            StringAssert.Contains(message, e.Message);
        }

        [Test]
        public void AMissingTokenFileIsBadCredentialsNamingTheFile()
        {
            string path = Path.Combine(Path.GetTempPath(), "no-such-dir-ecma2", "engine.token");
            BridgeSettings s = BridgeSettings.Parse(new[] { "host = http://x/", "token_file = " + path }, "a.settings");
            StringAssert.Contains(path, Assert.Throws<BadServerCredentialsException>(() => s.ReadToken()).Message);
        }
    }
}
