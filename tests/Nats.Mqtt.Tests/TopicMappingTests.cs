using Nats.Mqtt.Topics;

namespace Nats.Mqtt.Tests;

/// <summary>Topic ↔ subject by nats-server's table (mqtt_test.go TestMQTTTopicAndSubjectConversion).</summary>
[TestFixture]
public sealed class TopicMappingTests
{
    [TestCase("/", "/./")]
    [TestCase("//", "/././")]
    [TestCase("///", "/./././")]
    [TestCase("////", "/././././")]
    [TestCase("foo", "foo")]
    [TestCase("/foo", "/.foo")]
    [TestCase("//foo", "/./.foo")]
    [TestCase("foo/", "foo./")]
    [TestCase("foo//", "foo././")]
    [TestCase("foo/bar", "foo.bar")]
    [TestCase("foo//bar", "foo./.bar")]
    [TestCase("/foo/bar/", "/.foo.bar./")]
    [TestCase("foo.bar", "foo//bar")]
    [TestCase("foo.bar/baz", "foo//bar.baz")]
    [TestCase("$SYS/x", "$SYS.x")]
    public void Topics_map_to_subjects_and_back(string topic, string subject)
    {
        Assert.That(MqttTopics.ToSubject(topic, wildcardsAllowed: false, out var error), Is.EqualTo(subject), error);
        Assert.That(MqttTopics.ToTopic(System.Text.Encoding.UTF8.GetBytes(subject)), Is.EqualTo(topic));
    }

    [TestCase("foo/+", "foo.*")]
    [TestCase("foo/#", "foo.>")]
    [TestCase("+/+/#", "*.*.>")]
    [TestCase("#", ">")]
    public void Filters_map_wildcards(string filter, string subject) =>
        Assert.That(MqttTopics.ToSubject(filter, wildcardsAllowed: true, out _), Is.EqualTo(subject));

    [TestCase("foo/+")]
    [TestCase("foo/#")]
    public void Wildcards_are_refused_in_a_publish_topic(string topic)
    {
        Assert.That(MqttTopics.ToSubject(topic, wildcardsAllowed: false, out var error), Is.Null);
        Assert.That(error, Is.EqualTo($"wildcards not allowed in publish's topic: \"{topic}\""));
    }

    [TestCase("foo bar")]
    [TestCase("foo\tbar")]
    [TestCase("foo\u007fbar")]
    public void Whitespace_and_DEL_are_refused(string topic)
    {
        Assert.That(MqttTopics.ToSubject(topic, wildcardsAllowed: true, out var error), Is.Null);
        Assert.That(error, Is.EqualTo("character not supported for MQTT topics"));
    }
}
