using Nats.Core.Config;

namespace Nats.Core.Tests.Tls;

/// <summary><c>tls {}</c>, <c>ocsp</c> and <c>allow_non_tls</c> parsing, with nats-server's keys and wording.</summary>
[TestFixture]
public sealed class TlsOptionsParserTests
{
    private static TlsOptions Parse(string block, bool clientContext = true, List<string>? warnings = null) =>
        TlsOptionsParser.Parse(ConfParser.ParseString("tls " + block, "test.conf")["tls"], clientContext, warnings);

    private static string Error(string block, bool clientContext = true) =>
        Assert.Throws<ConfigException>(() => Parse(block, clientContext))!.Message;

    [Test]
    public void Every_supported_key_is_read()
    {
        var options = Parse("""
            {
              cert_file: "s.pem", key_file: "s.key", ca_file: "ca.pem"
              verify_and_map: true, insecure: true, timeout: 1.5
              cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305]
              curve_preferences: [CurveP256, X25519]
              min_version: "1.3", handshake_first: "300ms", watch: true
              pinned_certs: ["A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F90"]
            }
            """);
        Assert.That(options, Is.EqualTo(new TlsOptions
        {
            CertFile = "s.pem",
            KeyFile = "s.key",
            CaFile = "ca.pem",
            Verify = true,
            VerifyAndMap = true,
            Insecure = true,
            Timeout = TimeSpan.FromSeconds(1.5),
            CipherSuites = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305"],
            CurvePreferences = ["CurveP256", "X25519"],
            MinVersion = "1.3",
            HandshakeFirst = true,
            HandshakeFirstFallback = TimeSpan.FromMilliseconds(300),
            Watch = true,
            PinnedCerts = ["a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"],
        }));
    }

    [Test]
    public void Equal_blocks_parse_to_equal_options_so_a_reload_sees_no_change()
    {
        const string block = "{ cert_file: a, key_file: b, cipher_suites: [TLS_AES_128_GCM_SHA256], pinned_certs: [] }";
        Assert.That(Parse(block), Is.EqualTo(Parse(block)));
        Assert.That(Parse(block), Is.Not.EqualTo(Parse("{ cert_file: a, key_file: b }")));
    }

    [TestCase("{ timeout: 3 }", 3.0)]
    [TestCase("{ timeout: 0.25 }", 0.25)]
    [TestCase("{ timeout: \"1m\" }", 60.0)]
    [TestCase("{ timeout: 0 }", 2.0)]
    public void Timeout_is_seconds_or_a_duration(string block, double seconds) =>
        Assert.That(Parse(block).Timeout, Is.EqualTo(TimeSpan.FromSeconds(seconds)));

    [TestCase("true", true, null)]
    [TestCase("false", false, null)]
    [TestCase("\"on\"", true, null)]
    [TestCase("\"auto\"", true, 50)]
    [TestCase("\"2s\"", true, 2000)]
    public void Handshake_first_is_a_bool_auto_or_a_fallback_delay(string value, bool first, int? fallbackMs)
    {
        var options = Parse($"{{ handshake_first: {value} }}");
        Assert.That(options.HandshakeFirst, Is.EqualTo(first));
        Assert.That(options.HandshakeFirstFallback, Is.EqualTo(fallbackMs is null ? null : TimeSpan.FromMilliseconds(fallbackMs.Value)));
    }

    [Test]
    public void First_and_immediate_are_aliases_of_handshake_first()
    {
        Assert.That(Parse("{ first: true }").HandshakeFirst, Is.True);
        Assert.That(Parse("{ immediate: true }").HandshakeFirst, Is.True);
    }

    [TestCase("{ cert_file: 1 }", "test.conf:1:7: error parsing tls config, expected 'cert_file' to be filename")]
    [TestCase("{ verify: \"yes\" }", "error parsing tls config, expected 'verify' to be a boolean")]
    [TestCase("{ cipher_suites: [] }", "error parsing tls config, 'cipher_suites' cannot be empty")]
    [TestCase("{ cipher_suites: [TLS_NOPE] }", "unrecognized cipher TLS_NOPE")]
    [TestCase("{ cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA] }", "insecure cipher suites configured without 'allow_insecure_cipher_suites' option set: TLS_RSA_WITH_AES_128_CBC_SHA")]
    [TestCase("{ curve_preferences: [CurveP999] }", "unrecognized curve preference CurveP999")]
    [TestCase("{ timeout: \"soon\" }", "error parsing tls config, 'timeout' time: invalid duration \"soon\"")]
    [TestCase("{ min_version: \"1.1\" }", "error parsing tls config: unsupported TLS version: TLS 1.1")]
    [TestCase("{ min_version: \"2.0\" }", "error parsing tls config: unknown version: 2.0")]
    [TestCase("{ pinned_certs: [\"abc\"] }", "error parsing tls config, 'pinned_certs' key abc does not look like hex-encoded sha256 of DER encoded SubjectPublicKeyInfo")]
    [TestCase("{ handshake_first: \"later\" }", "field \"handshake_first\"'s value \"later\" is invalid")]
    [TestCase("{ cert_store: \"WindowsCurrentUser\" }", "cert_store not compatible with current operating system")]
    [TestCase("{ cert_match: \"nats\" }", "cert_match is not supported on this operating system")]
    [TestCase("{ certs: [{ cert_file: a, key_file: b }] }", "is not supported by this server")]
    [TestCase("{ verify_cert_and_check_known_urls: true }", "verify_cert_and_check_known_urls not supported in this context")]
    [TestCase("{ cert_file: a }", "missing 'key_file' in TLS configuration")]
    [TestCase("{ key_file: a }", "missing 'cert_file' in TLS configuration")]
    [TestCase("{ colour: blue }", "error parsing tls config, unknown field \"colour\"")]
    public void Invalid_values_are_reported_as_nats_server_does(string block, string message) =>
        Assert.That(Error(block), Does.Contain(message));

    [Test]
    public void Insecure_suites_are_allowed_when_asked_for()
    {
        var options = Parse("{ cipher_suites: [TLS_RSA_WITH_AES_128_CBC_SHA], allow_insecure_cipher_suites: true }");
        Assert.That(options.CipherSuites, Is.EqualTo(new[] { "TLS_RSA_WITH_AES_128_CBC_SHA" }));
    }

    [Test]
    public void Check_known_urls_is_accepted_for_links_and_implies_verify()
    {
        var warnings = new List<string>();
        var options = Parse("{ verify_cert_and_check_known_urls: true }", clientContext: false, warnings);
        Assert.That(options.Verify, Is.True);
        Assert.That(warnings, Has.Some.Contains("not checked against the configured URLs"));
    }

    [Test]
    public void Settings_accepted_but_not_applied_warn()
    {
        var warnings = new List<string>();
        Parse("{ curve_preferences: [CurveP256], ocsp_peer: true, connection_rate_limit: 10 }", warnings: warnings);
        Assert.That(warnings, Has.Count.EqualTo(3));
        Assert.That(warnings, Has.Some.Contains("curve_preferences"));
        Assert.That(warnings, Has.Some.Contains("ocsp_peer"));
        Assert.That(warnings, Has.Some.Contains("connection_rate_limit"));
    }

    [TestCase("ocsp: false", OcspMode.Never)]
    [TestCase("ocsp: true", OcspMode.Auto)]
    [TestCase("ocsp { mode: always }", OcspMode.Always)]
    [TestCase("ocsp { mode: MUST }", OcspMode.Must)]
    [TestCase("ocsp { mode: never }", OcspMode.Never)]
    public void Ocsp_modes_are_read(string conf, OcspMode mode) =>
        Assert.That(OcspOptionsParser.Parse(ConfParser.ParseString(conf)["ocsp"]).Mode, Is.EqualTo(mode));

    [Test]
    public void Ocsp_rejects_unknown_modes_and_fields()
    {
        Assert.Throws<ConfigException>(() => OcspOptionsParser.Parse(ConfParser.ParseString("ocsp { mode: sometimes }")["ocsp"]));
        Assert.Throws<ConfigException>(() => OcspOptionsParser.Parse(ConfParser.ParseString("ocsp { color: red }")["ocsp"]));
        Assert.That(OcspOptionsParser.Parse(null), Is.EqualTo(OcspOptions.Default));
    }
}
