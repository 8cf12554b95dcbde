using Nats.Core.Monitoring;

namespace Nats.Core.Tests.Monitoring;

public class MonitoringRequestTests
{
    private static MonitoringRequest Request(string name, string value) => new([new(name, value)]);

    [TestCase("1", true)]
    [TestCase("t", true)]
    [TestCase("TRUE", true)]
    [TestCase("True", true)]
    [TestCase("0", false)]
    [TestCase("F", false)]
    [TestCase("false", false)]
    [TestCase("", false)]
    public void BoolsAreReadAsGoParsesThem(string value, bool expected)
    {
        Assert.That(Request("subs", value).GetBool("subs"), Is.EqualTo(expected));
    }

    [Test]
    public void BadValuesAreRefusedWithNatsServerWording()
    {
        Assert.That(() => Request("subs", "yes").GetBool("subs"),
            Throws.TypeOf<MonitoringException>().With.Message.EqualTo("Error decoding boolean for 'subs': strconv.ParseBool: parsing \"yes\": invalid syntax"));
        Assert.That(() => Request("limit", "abc").GetInt("limit"),
            Throws.TypeOf<MonitoringException>().With.Message.EqualTo("Error decoding int for 'limit': strconv.Atoi: parsing \"abc\": invalid syntax"));
        Assert.That(() => Request("limit", "99999999999").GetInt("limit"),
            Throws.TypeOf<MonitoringException>().With.Message.EqualTo("Error decoding int for 'limit': strconv.Atoi: parsing \"99999999999\": value out of range"));
        Assert.That(() => Request("cid", "-1").GetUInt64("cid"),
            Throws.TypeOf<MonitoringException>().With.Message.EqualTo("Error decoding uint64 for 'cid': strconv.ParseUint: parsing \"-1\": invalid syntax"));
    }

    [Test]
    public void IntegersAcceptASign()
    {
        Assert.That(Request("offset", "-3").GetInt("offset"), Is.EqualTo(-3));
        Assert.That(Request("offset", "+7").GetInt("offset"), Is.EqualTo(7));
        Assert.That(new MonitoringRequest().GetInt("offset", 42), Is.EqualTo(42));
    }
}
