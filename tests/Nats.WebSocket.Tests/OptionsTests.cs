using Nats.Core.Config;
using Nats.Core.Config.Binding;
using Nats.Core.Plugins;
using Nats.WebSocket.Config;

namespace Nats.WebSocket.Tests;

/// <summary>The websocket {} block: nats-server's keys, aliases, types, checks and texts.</summary>
[TestFixture]
public sealed class OptionsTests
{
    private static WebSocketOptions Parse(string block, string rest = "") =>
        WebSocketOptionsParser.Parse(Section(block, rest, out var server), server);

    private static ConfValue Section(string block, string rest, out ServerOptions server)
    {
        var map = ConfParser.ParseString($"{rest}\nwebsocket {{\n{block}\n}}\n", "ws.conf");
        server = ServerOptionsBinder.Bind(map).Options;
        return map["websocket"];
    }

    [Test]
    public void Every_key_is_read()
    {
        var options = Parse("""
            listen: "127.0.0.1:8443"
            advertise: "ws.example:443"
            no_tls: true
            same_origin: true
            allowed_origins: ["http://a.example", "https://b.example:8443"]
            compression: true
            handshake_timeout: "3s"
            jwt_cookie: jwtc
            user_cookie: uc
            pass_cookie: pc
            token_cookie: tc
            authorization { user: wsu, password: wsp, timeout: 2.5 }
            headers { "Strict-Transport-Security": "max-age=60" }
            ping_interval: "30s"
            """, "trusted_keys: [\"ODSKR7MYFQZ5MMAJPS3QZ3PLFVVPDMDGEOKDTMSLBPLLEANN4BFB3PD\"]");
        Assert.That(options, Is.EqualTo(new WebSocketOptions
        {
            Host = "127.0.0.1", Port = 8443, Advertise = "ws.example:443", NoTls = true, SameOrigin = true,
            AllowedOrigins = ["http://a.example", "https://b.example:8443"], Compression = true,
            HandshakeTimeout = TimeSpan.FromSeconds(3), JwtCookie = "jwtc", UsernameCookie = "uc", PasswordCookie = "pc",
            TokenCookie = "tc", Username = "wsu", Password = "wsp", AuthTimeoutSeconds = 2.5,
            Headers = [new("Strict-Transport-Security", "max-age=60")], PingInterval = TimeSpan.FromSeconds(30),
        }));
    }

    [TestCase("host: h\nport: 1\nno_tls: true", "h", 1)]
    [TestCase("net: h\nport: -1\nno_tls: true", "h", -1)]
    [TestCase("listen: 4443\nno_tls: true", "", 4443)]
    [TestCase("listen: \":4443\"\nno_tls: true", "", 4443)]
    public void Host_and_port_come_from_listen_or_their_own_keys(string block, string host, int port)
    {
        var options = Parse(block);
        Assert.That((options.Host, options.Port), Is.EqualTo((host, port)));
    }

    [TestCase("compress: true", true)]
    [TestCase("origin: \"http://x.example\"", true)]
    [TestCase("allow_origins: [\"http://x.example\"]", true)]
    [TestCase("authentication { token: t }", true)]
    public void Aliases_are_accepted(string entry, bool _)
    {
        Assert.DoesNotThrow(() => Parse("port: -1\nno_tls: true\n" + entry));
    }

    [Test]
    public void A_bare_integer_handshake_timeout_is_seconds()
    {
        Assert.That(Parse("handshake_timeout: 4").HandshakeTimeout, Is.EqualTo(TimeSpan.FromSeconds(4)));
    }

    [TestCase("bogus: 1", "ws.conf:3:1: unknown field \"bogus\"")]
    [TestCase("authorization { users: [] }", "ws.conf:3:17: unknown field \"users\"")]
    [TestCase("handshake_timeout: true", "ws.conf:3:1: error parsing handshake timeout: unsupported type bool")]
    [TestCase("handshake_timeout: \"soon\"", "invalid duration")]
    [TestCase("headers: 1", "ws.conf:3:1: error parsing headers: unsupported type int64")]
    [TestCase("headers { X: 1 }", "error parsing header key X: unsupported type int64")]
    [TestCase("port: \"x\"", "expected an integer")]
    [TestCase("listen: \"nope\"", "could not parse address string \"nope\"")]
    [TestCase("compression: 1", "expected a boolean")]
    [TestCase("allowed_origins: 1", "error parsing allowed origins: unsupported type int64")]
    public void Bad_values_are_refused_naming_the_place(string entry, string expected)
    {
        var error = Assert.Throws(Is.InstanceOf<ConfigException>(), () => Parse(entry))!;
        Assert.That(error.Message, Does.Contain(expected));
    }

    [Test]
    public void Not_a_map_is_refused()
    {
        var map = ConfParser.ParseString("websocket: 1", "ws.conf");
        var error = Assert.Throws<ConfigException>(() => WebSocketOptionsParser.Parse(map["websocket"]))!;
        Assert.That(error.Message, Is.EqualTo("ws.conf:1:12: Expected websocket to be a map, got int64"));
    }

    [TestCase("port: -1", "websocket requires TLS configuration")]
    [TestCase("port: -1\nno_tls: true\nallowed_origins: [\"ftp://x.example\"]",
        "unable to parse allowed origin \"ftp://x.example\": allowed origins must be absolute URLs with http or https scheme")]
    [TestCase("port: -1\nno_tls: true\nallowed_origins: [\"x.example\"]", "unable to parse allowed origin: parse \"x.example\": invalid URI for request")]
    [TestCase("port: -1\nno_tls: true\nallowed_origins: [\"http://\"]", "unable to parse allowed origin \"http://\": host is required")]
    [TestCase("port: -1\nno_tls: true\nno_auth_user: bob", "no_auth_user: \"bob\" present, but users/nkeys are not defined")]
    [TestCase("port: -1\nno_tls: true\njwt_cookie: c", "trusted operators or trusted keys configuration is required for JWT authentication via cookie \"c\"")]
    [TestCase("port: -1\nno_tls: true\nheaders { Upgrade: x }", "websocket: invalid header \"Upgrade\" not allowed")]
    [TestCase("port: -1\nno_tls: true\nheaders { Sec-WebSocket-Foo: x }", "websocket: invalid header \"Sec-WebSocket-Foo\", \"Sec-WebSocket-\" prefix not allowed")]
    public void An_enabled_listener_is_checked_as_nats_server_does(string block, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => Parse(block))!;
        Assert.That(error.Reason, Is.EqualTo(expected));
    }

    [TestCase("authorization { user: x, password: y }", "websocket authentication username not compatible with presence of users/nkeys")]
    [TestCase("authorization { token: t }", "websocket authentication token not compatible with presence of users/nkeys")]
    [TestCase("no_auth_user: carol", "no_auth_user: \"carol\" not present as user or nkey in authorization block or account configuration")]
    public void Websocket_credentials_cannot_mix_with_server_users(string entry, string expected)
    {
        var error = Assert.Throws<ConfigException>(() => Parse("port: -1\nno_tls: true\n" + entry, "authorization { users: [{user: alice, password: pw}] }"))!;
        Assert.That(error.Reason, Is.EqualTo(expected));
    }

    [Test]
    public void Without_a_port_the_other_options_are_not_checked()
    {
        Assert.DoesNotThrow(() => Parse("no_auth_user: nobody"));
    }

    [Test]
    public void No_auth_user_naming_a_configured_user_is_fine()
    {
        Assert.That(Parse("port: -1\nno_tls: true\nno_auth_user: alice", "authorization { users: [{user: alice, password: pw}] }").AuthOverride, Is.True);
    }

    [Test]
    public void Reload_accepts_a_changed_certificate_and_refuses_everything_else_by_name()
    {
        var current = new WebSocketOptions { Port = 443, Tls = new TlsOptions { CertFile = "a.pem", KeyFile = "a.key" } };
        var newCert = current with { Tls = current.Tls! with { CertFile = "b.pem" } };
        var validation = new ReloadValidation();
        WebSocketReloadRules.Check(current, newCert, validation);
        Assert.That(validation.Errors, Is.Empty);

        validation = new ReloadValidation();
        WebSocketReloadRules.Check(current, newCert with { Port = 444, Compression = true, Password = "s3cret" }, validation);
        Assert.That(validation.Errors, Is.EqualTo(new[]
        {
            "config reload not supported for websocket.port: old=443, new=444",
            "config reload not supported for websocket.compression: old=False, new=True",
            "config reload not supported for websocket.authorization.password: old=[REDACTED], new=[REDACTED]",
        }));

        validation = new ReloadValidation();
        WebSocketReloadRules.Check(current, current with { Tls = current.Tls with { VerifyAndMap = true } }, validation);
        Assert.That(validation.Errors, Is.EqualTo(new[] { "config reload not supported for websocket.tls.verify_and_map: old=False, new=True" }));
    }
}
